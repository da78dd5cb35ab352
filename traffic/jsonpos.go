package traffic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// posReader records where the newlines are in the bytes a json.Decoder has
// read, so that a decoder offset becomes a line number. It keeps only the
// newlines past the last offset asked about: memory stays within the
// decoder's read-ahead.
type posReader struct {
	r     io.Reader
	read  int64   // bytes passed
	nl    []int64 // offsets of newlines; those before head are below the last query
	head  int
	below int64 // newlines before nl[head]
}

func (p *posReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	for i := 0; i < n; {
		j := bytes.IndexByte(b[i:n], '\n')
		if j < 0 {
			break
		}
		p.nl = append(p.nl, p.read+int64(i+j))
		i += j + 1
	}
	p.read += int64(n)
	return n, err
}

// line is the 1-based line of byte offset off; offsets asked about must not
// decrease.
func (p *posReader) line(off int64) int64 {
	rest := p.nl[p.head:]
	k := sort.Search(len(rest), func(i int) bool { return rest[i] >= off })
	p.below += int64(k)
	p.head += k
	if p.head > 1024 && p.head > len(p.nl)/2 {
		p.nl = append(p.nl[:0], p.nl[p.head:]...)
		p.head = 0
	}
	return p.below + 1
}

// jsonStream is a json.Decoder that knows its file and lines.
type jsonStream struct {
	file string
	pos  *posReader
	dec  *json.Decoder
}

func newJSONStream(file string, r io.Reader) *jsonStream {
	p := &posReader{r: r}
	d := json.NewDecoder(p)
	d.UseNumber()
	return &jsonStream{file: file, pos: p, dec: d}
}

// here is the line the decoder has reached.
func (j *jsonStream) here() int64 { return j.pos.line(j.dec.InputOffset()) }

// error wraps a decoding error with its line; JSON syntax errors end the
// stream.
func (j *jsonStream) error(path string, err error) *ParseError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fatal(perr(j.file, j.pos.line(se.Offset-1), path, "%v", err))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return perr(j.file, j.here(), path, "%s is a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fatal(perr(j.file, j.pos.line(j.pos.read), path, "the file ends in the middle of a JSON value (truncated?)"))
	}
	return fatal(perr(j.file, j.here(), path, "%v", err))
}

// token reads the next token; io.EOF only at the top level.
func (j *jsonStream) token() (json.Token, error) { return j.dec.Token() }

// expectDelim reads the next token and checks it is d.
func (j *jsonStream) expectDelim(path string, d json.Delim) error {
	t, err := j.dec.Token()
	if err != nil {
		return j.error(path, err)
	}
	if t != d {
		return fatal(perr(j.file, j.here(), path, "want %q, found %s", d, tokenString(t)))
	}
	return nil
}

// skip consumes the value whose first token has been read.
func (j *jsonStream) skip(path string, first json.Token) error {
	d, ok := first.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	depth := 1
	for depth > 0 {
		t, err := j.dec.Token()
		if err != nil {
			return j.error(path, err)
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func tokenString(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("the string %s", quote(v))
	case json.Number:
		return "the number " + string(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}
