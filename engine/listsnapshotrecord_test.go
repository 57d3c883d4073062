package engine

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fill sets every exported field v reaches to a value other than its
// zero one: a slice or map of one element, a pointer to a filled value.
func fill(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("1")) // JSON, for a json.RawMessage
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 8, 3, 4, 5, 6, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

// Whatever briefOf keeps of a record with every field set, a snapshot
// keeps: a field added to briefOf and not to snapshotRecord fails here.
// And a snapshot line is a small part of the whole record's.
func TestSnapshotRecordKeepsBrief(t *testing.T) {
	c := new(record)
	fill(reflect.ValueOf(c).Elem(), 0)
	c.ID, c.State.Status = strings.Repeat("c", 64), StatusRunning
	brief := briefOf(c)
	data, err := encodeListSnapshot(listSnapshot{recs: []*record{brief}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := decodeListSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(brief)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(s.recs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("a brief record after the snapshot:\n%s\nbefore:\n%s", got, want)
	}
	whole, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.SplitAfter(data, []byte("\n"))[1]
	t.Logf("a snapshot line of a record with every field set: %d bytes; the whole record: %d", len(line), len(whole))
}
