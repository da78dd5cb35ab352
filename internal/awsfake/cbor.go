package awsfake

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// decodeCBOR turns an RPC v2 CBOR body into plain Go values: maps, slices,
// strings, float64 numbers, bools and nil. A timestamp (tag 1) becomes its
// epoch seconds as float64, which is how the JSON-tagged input structs read it.
func decodeCBOR(b []byte) (any, error) {
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	v, err := cbor.Decode(b)
	if err != nil {
		return nil, err
	}
	return fromCBOR(v)
}

func fromCBOR(v cbor.Value) (any, error) {
	switch x := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			g, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			m[k] = g
		}
		return m, nil
	case cbor.List:
		l := make([]any, len(x))
		for i, e := range x {
			g, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			l[i] = g
		}
		return l, nil
	case cbor.String:
		return string(x), nil
	case cbor.Uint:
		return float64(x), nil
	case cbor.NegInt:
		return -1 - float64(x), nil
	case cbor.Float32:
		return float64(x), nil
	case cbor.Float64:
		return float64(x), nil
	case cbor.Bool:
		return bool(x), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case cbor.Slice:
		return []byte(x), nil
	case *cbor.Tag:
		if x.ID != 1 {
			return nil, fmt.Errorf("CBOR tag %d: only tag 1 (epoch timestamp) is expected", x.ID)
		}
		return fromCBOR(x.Value)
	}
	return nil, fmt.Errorf("unexpected CBOR value %T", v)
}

// encodeCBOR encodes plain Go values as CBOR: time.Time becomes tag 1 with
// float64 epoch seconds (as the SDK's serializer writes it) and integers
// become CBOR integers.
func encodeCBOR(v any) []byte {
	return cbor.Encode(toCBOR(reflect.ValueOf(v)))
}

func toCBOR(v reflect.Value) cbor.Value {
	if !v.IsValid() {
		return &cbor.Nil{}
	}
	if t, ok := v.Interface().(time.Time); ok {
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1e3)}
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return &cbor.Nil{}
		}
		return toCBOR(v.Elem())
	case reflect.Map:
		m := cbor.Map{}
		for _, k := range v.MapKeys() {
			m[k.String()] = toCBOR(v.MapIndex(k))
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return cbor.Slice(v.Bytes())
		}
		l := make(cbor.List, v.Len())
		for i := range l {
			l[i] = toCBOR(v.Index(i))
		}
		return l
	case reflect.String:
		return cbor.String(v.String())
	case reflect.Bool:
		return cbor.Bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n := v.Int(); n < 0 {
			return cbor.NegInt(uint64(-(n + 1)))
		} else {
			return cbor.Uint(uint64(n))
		}
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cbor.Uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) {
			return cbor.Float64(math.NaN())
		}
		return cbor.Float64(f)
	}
	panic(fmt.Sprintf("awsfake: cannot encode %s as CBOR", v.Type()))
}
