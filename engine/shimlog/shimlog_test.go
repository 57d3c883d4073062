package shimlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrintfTimestampsAndLast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shim.log")
	at := time.Date(2026, 12, 6, 21, 0, 0, 5, time.UTC)
	l := &Log{Path: path, Now: func() time.Time { return at }}
	if _, ok, err := Last(path); err != nil || ok {
		t.Fatalf("Last of no log = ok %v, %v; want none", ok, err)
	}
	if err := l.Printf("first"); err != nil {
		t.Fatal(err)
	}
	if err := l.Printf("remove %s:\n%v", "c1", "operation not permitted"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-12-06T21:00:00.000000005Z first\n2026-12-06T21:00:00.000000005Z remove c1: operation not permitted\n"
	if string(data) != want {
		t.Fatalf("log =\n%q\nwant\n%q", data, want)
	}
	e, ok, err := Last(path)
	if err != nil || !ok || e.Message != "remove c1: operation not permitted" || !e.Time.Equal(at) {
		t.Fatalf("Last = %+v, %v, %v", e, ok, err)
	}
}

func TestRotationCapsSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shim.log")
	const limit = 1000
	l := &Log{Path: path, MaxSize: limit}
	for i := range 500 {
		if err := l.Printf("error number %d", i); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{path, path + ".1"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > limit {
			t.Errorf("%s is %d bytes, over the cap of %d", p, st.Size(), limit)
		}
	}
	if _, err := os.Stat(path + ".2"); err == nil {
		t.Error("a second rotation was kept; want one")
	}
	e, ok, err := Last(path)
	if err != nil || !ok || e.Message != "error number 499" {
		t.Fatalf("Last = %+v, %v, %v; want the newest line", e, ok, err)
	}
	// Right after a rotation the log may be empty: the rotation has it.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := Last(path); err != nil || !ok || !strings.HasPrefix(e.Message, "error number") {
		t.Fatalf("Last with an empty log = %+v, %v, %v; want the rotation's newest", e, ok, err)
	}
}

func TestLongLineIsCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shim.log")
	l := &Log{Path: path}
	if err := l.Printf("%s", strings.Repeat("x", 3*maxLine)); err != nil {
		t.Fatal(err)
	}
	e, ok, err := Last(path)
	if err != nil || !ok || len(e.Message) != maxLine {
		t.Fatalf("Last = %d bytes, %v, %v; want %d", len(e.Message), ok, err, maxLine)
	}
}
