package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppendCRILines(t *testing.T) {
	at := time.Date(2016, 10, 6, 0, 17, 9, 669794202, time.UTC)
	const ts = "2016-10-06T00:17:09.669794202Z"
	for _, tc := range []struct {
		in, want string
	}{
		{"message\n", ts + " stdout F message\n"},
		{"a\nb\n", ts + " stdout F a\n" + ts + " stdout F b\n"},
		{"a\npart", ts + " stdout F a\n" + ts + " stdout P part\n"},
		{"\n", ts + " stdout F \n"},
		{"", ""},
	} {
		if got := string(appendCRILines(nil, at, "stdout", []byte(tc.in))); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	local := at.In(time.FixedZone("east", 3600))
	if got := string(appendCRILines(nil, local, "stderr", []byte("x\n"))); got != ts+" stderr F x\n" {
		t.Errorf("a local time is not written in UTC: %q", got)
	}
}

// TestCRILogReopen: after the file is moved away (kubelet's rotation),
// the next line goes to a new file at the path, and the moved file keeps
// what it had.
func TestCRILogReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pod", "c", "0.log")
	l, err := openCRILog(p)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l.now = func() time.Time { return at }
	w := l.tee(discard{}, "stdout")
	if _, err := w.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{p + ".1": "2026-01-02T03:04:05Z stdout F one\n", p: "2026-01-02T03:04:05Z stdout F two\n"} {
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	var none *criLog
	if none.tee(discard{}, "stdout") != (discard{}) || none.Close() != nil {
		t.Error("no CRI log is not a no-op")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
