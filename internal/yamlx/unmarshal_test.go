package yamlx

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

var errPlain = errors.New("not a valid weight")

// plainErr's Unmarshaler returns an error that knows no line.
type plainErr struct{}

func (*plainErr) UnmarshalYAMLX(d *Decoder, n *yaml.Node, path string) error {
	return fmt.Errorf("weight %s: %w", n.Value, errPlain)
}

// lineless returns an *Error it built itself, without file or line.
type lineless struct{}

func (*lineless) UnmarshalYAMLX(d *Decoder, n *yaml.Node, path string) error {
	return &Error{Path: path, Msg: "no good"}
}

type inner struct {
	X int `yaml:"x"`
	Y int `yaml:"y"`
}

type Shadowed struct {
	Name string `yaml:"name"`
	Deep int    `yaml:"deep"`
}

type withEmbedded struct {
	*inner   `yaml:",inline"` // unexported pointer: cannot be allocated, so not inlined
	Shadowed                  // exported: inlined, allocated on first use
	Name     string           `yaml:"name"` // hides Shadowed.Name
	Pe       *plainErr        `yaml:"pe"`
	Ll       lineless         `yaml:"ll"`
	Arr      [2]int           `yaml:"arr"`
}

func TestUnmarshalerErrors(t *testing.T) {
	var v withEmbedded
	_, err := Decode("u.yaml", []byte("name: a\npe: heavy\n"), &v)
	if got, want := fmt.Sprint(err), "u.yaml:2: pe: weight heavy: not a valid weight"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !errors.Is(err, errPlain) {
		t.Errorf("errors.Is(%v, errPlain) = false; the cause should be kept", err)
	}
	_, err = Decode("u.yaml", []byte("name: a\n\nll: x\n"), &v)
	if got, want := fmt.Sprint(err), "u.yaml:3: ll: no good"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	_, err = Decode("u.yaml", []byte("pe: null\n"), &v)
	if err != nil || v.Pe != nil {
		t.Errorf("null into a pointer Unmarshaler: err %v, value %v; want nil, nil", err, v.Pe)
	}
}

func TestEmbedded(t *testing.T) {
	var v withEmbedded
	if _, err := Decode("e.yaml", []byte("name: outer\ndeep: 3\narr: [1, 2]\n"), &v); err != nil {
		t.Fatal(err)
	}
	want := withEmbedded{Shadowed: Shadowed{Deep: 3}, Name: "outer", Arr: [2]int{1, 2}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("got %#v, want %#v", v, want)
	}
	for doc, msg := range map[string]string{
		"x: 1\n":        "e.yaml:1: x: unknown field (valid fields: name, deep, pe, ll, arr)",
		"arr: [1]\n":    "e.yaml:1: arr: expected a list of 2 items, got 1",
		"arr: [1, a]\n": `e.yaml:1: arr[1]: expected an integer, got "a"`,
	} {
		if _, err := Decode("e.yaml", []byte(doc), &v); fmt.Sprint(err) != msg {
			t.Errorf("%q: got %v, want %s", doc, err, msg)
		}
	}
}

// embedPtr checks that an exported embedded pointer is allocated when one of
// its fields is set, and left nil otherwise.
type embedPtr struct {
	*Shadowed
	Other string `yaml:"other"`
}

func TestEmbeddedPointer(t *testing.T) {
	var v embedPtr
	if _, err := Decode("p.yaml", []byte("other: o\n"), &v); err != nil || v.Shadowed != nil {
		t.Fatalf("err %v, Shadowed %v; want nil, nil", err, v.Shadowed)
	}
	if _, err := Decode("p.yaml", []byte("deep: 4\n"), &v); err != nil || v.Shadowed == nil || v.Deep != 4 {
		t.Fatalf("err %v, Shadowed %+v; want Deep 4", err, v.Shadowed)
	}
}

func TestDecodeNodeMisuse(t *testing.T) {
	d := &Decoder{file: "m.yaml", pos: &Positions{m: map[string]position{}}, active: map[*yaml.Node]bool{}}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: "1", Line: 4}
	var i int
	if err := d.DecodeNode(n, "a", i); fmt.Sprint(err) != "m.yaml:4: a: yamlx: DecodeNode needs a non-nil pointer, got int" {
		t.Errorf("non-pointer: %v", err)
	}
	if err := d.DecodeNode(nil, "a", &i); fmt.Sprint(err) != "m.yaml: a: yamlx: DecodeNode got a nil node" {
		t.Errorf("nil node: %v", err)
	}
	// A node built by hand, without a resolved tag, decodes like a parsed one.
	if err := d.DecodeNode(n, "a", &i); err != nil || i != 1 {
		t.Errorf("hand-built node: %v, %d", err, i)
	}
}
