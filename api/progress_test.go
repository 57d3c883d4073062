package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"berth/engine"
	"berth/images"
)

func TestJSONStreamErrorBeforeAnything(t *testing.T) {
	rec := httptest.NewRecorder()
	out := newJSONStream(rec)
	failure := notFoundf("No such image: x")
	if err := out.finish(failure); err != failure {
		t.Fatalf("finish = %v, want the error back for the server to answer", err)
	}
	if rec.Body.Len() != 0 || rec.Code != http.StatusOK && rec.Code != 0 {
		t.Errorf("the stream wrote %d %q before anything happened", rec.Code, rec.Body)
	}
}

func TestJSONStreamErrorAfterProgress(t *testing.T) {
	rec := httptest.NewRecorder()
	out := newJSONStream(rec)
	out.progress(images.Progress{ID: "abc", Action: "Downloading", Current: 5, Total: 10})
	out.progress(images.Progress{ID: "abc", Action: "Download complete", Current: 10, Total: 10})
	out.send(streamText("Step 2\n"))
	failure := fmt.Errorf("build: %w", &engine.StepExitError{Code: 3})
	if err := out.finish(failure); err != failure {
		t.Fatalf("finish = %v", err)
	}
	want := `{"status":"Downloading","progressDetail":{"current":5,"total":10},"id":"abc"}
{"status":"Download complete","progressDetail":{},"id":"abc"}
{"stream":"Step 2\n"}
{"errorDetail":{"code":3,"message":"build: returned a non-zero code: 3"},"error":"build: returned a non-zero code: 3"}
`
	if got := rec.Body.String(); got != want {
		t.Errorf("stream:\n%s\nwant:\n%s", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestJSONStreamClientGone(t *testing.T) {
	w := &failingWriter{ResponseRecorder: httptest.NewRecorder()}
	out := newJSONStream(w)
	n, err := streamWriter{out}.Write([]byte("line\n"))
	if n != 5 || err == nil || !errors.Is(err, errGone) {
		t.Errorf("Write = %d, %v; want the write error", n, err)
	}
	out.send(streamText("more\n"))
	if w.writes != 1 {
		t.Errorf("%d writes after the client left, want none after the first", w.writes)
	}
}

var errGone = errors.New("client gone")

type failingWriter struct {
	*httptest.ResponseRecorder
	writes int
}

func (w *failingWriter) Write([]byte) (int, error) {
	w.writes++
	return 0, errGone
}

func TestImageAction(t *testing.T) {
	for path, want := range map[string][2]string{
		"busybox/json":                   {"busybox", "json"},
		"127.0.0.1:5000/team/app:1/json": {"127.0.0.1:5000/team/app:1", "json"},
		"busybox":                        {"busybox", ""},
	} {
		r := httptest.NewRequest("GET", "/images/"+path, nil)
		r.SetPathValue("name", path)
		name, action := imageAction(r)
		if name != want[0] || action != want[1] {
			t.Errorf("imageAction(%q) = %q, %q; want %q", path, name, action, strings.Join(want[:], ", "))
		}
	}
}

// A quiet build keeps the last maxQuietLog bytes of its log.
func TestQuietLogKeepsTheTail(t *testing.T) {
	var l quietLog
	_, _ = l.Write([]byte(strings.Repeat("a", maxQuietLog)))
	_, _ = l.Write([]byte("the failed step\n"))
	got := l.String()
	if len(got) != maxQuietLog || !strings.HasSuffix(got, "athe failed step\n") {
		t.Errorf("kept %d bytes ending %q", len(got), got[len(got)-20:])
	}
}
