package api

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine"
)

// fakeDaemon answers a few endpoints with docker's own documents, so the
// client's mapping to the engine's types is tested without a far side.
func fakeDaemon(t *testing.T) *Client {
	t.Helper()
	id := strings.Repeat("ab", 32)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", MaxVersion)
		io.WriteString(w, "OK")
	})
	mux.HandleFunc("GET /{v}/containers/json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"Id":"`+id+`","Names":["/web"],"State":"running"}]`)
	})
	mux.HandleFunc("GET /{v}/containers/{ref}/json", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("ref") != "web" && r.PathValue("ref") != id {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"No such container: `+r.PathValue("ref")+`"}`)
			return
		}
		io.WriteString(w, `{"Id":"`+id+`","Name":"/web","Created":"2026-12-07T01:00:00.5Z","Path":"sh","Args":["-c","sleep 9"],
			"State":{"Status":"running","Running":true,"Pid":42,"ExitCode":0,"StartedAt":"2026-12-07T01:00:01Z","FinishedAt":"0001-01-01T00:00:00Z"},
			"Image":"sha256:`+strings.Repeat("cd", 32)+`",
			"Config":{"Image":"busybox","Cmd":["sh","-c","sleep 9"],"Tty":false,"Labels":{"app":"web"},"Env":["A=1"]},
			"HostConfig":{"NetworkMode":"bridge","AutoRemove":true,"RestartPolicy":{"Name":"no"}},
			"Mounts":[{"Type":"volume","Name":"data","Source":"/v","Destination":"/data","RW":true}]}`)
	})
	mux.HandleFunc("GET /{v}/containers/{ref}/logs", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("timestamps") != "1" {
			t.Errorf("logs without timestamps: %s", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
		writeFrame(w, 1, "2026-12-07T01:00:02.000000001Z out one\n")
		writeFrame(w, 2, "2026-12-07T01:00:03Z err one\n")
	})
	mux.HandleFunc("POST /{v}/containers/{ref}/wait", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"StatusCode":3}`)
	})
	sock := filepath.Join(t.TempDir(), "fake.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c, err := Dial(Endpoint{Host: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// writeFrame writes one frame of docker's multiplexed stream: stream 1
// stdout, 2 stderr.
func writeFrame(w io.Writer, stream byte, s string) {
	hdr := []byte{stream, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(s)))
	w.Write(append(hdr, s...))
}

func TestClientListInspect(t *testing.T) {
	c := fakeDaemon(t)
	ctx := context.Background()
	ctrs, err := c.List(ctx, engine.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ctrs) != 1 {
		t.Fatalf("List = %d containers, want 1", len(ctrs))
	}
	ctr := ctrs[0]
	if ctr.DisplayName() != "web" || ctr.State.Status != engine.StatusRunning || ctr.State.Pid != 42 ||
		ctr.Config.Labels["app"] != "web" || !ctr.HostConfig.AutoRemove || len(ctr.Mounts) != 1 || ctr.Mounts[0].Name != "data" {
		t.Fatalf("List()[0] = %+v", ctr)
	}
	if !ctr.State.StartedAt.Equal(time.Date(2026, 12, 7, 1, 0, 1, 0, time.UTC)) {
		t.Fatalf("StartedAt = %v", ctr.State.StartedAt)
	}
	// A list of given IDs inspects each; one gone is left out.
	ctrs, err = c.List(ctx, engine.ListOptions{IDs: []string{strings.Repeat("ef", 32), ctr.ID}})
	if err != nil || len(ctrs) != 1 || ctrs[0].ID != ctr.ID {
		t.Fatalf("List of given IDs = %v, %v; want %s alone", ctrs, err, ctr.ID)
	}
	_, err = c.Inspect(ctx, "nosuch")
	if !errors.Is(err, engine.ErrNotFound) || !strings.Contains(err.Error(), "No such container: nosuch") {
		t.Fatalf("Inspect(nosuch) = %v, want engine.ErrNotFound with docker's message", err)
	}
	if _, err := c.Top(ctx, "web"); !errors.Is(err, engine.ErrNotImplemented) {
		t.Fatalf("Top = %v, want engine.ErrNotImplemented", err)
	}
}

func TestClientLogsAndWait(t *testing.T) {
	c := fakeDaemon(t)
	ctx := context.Background()
	var got []engine.LogEntry
	err := c.Logs(ctx, "web", engine.LogsOptions{Tail: -1, Stdout: true, Stderr: true}, func(e engine.LogEntry) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byStream := map[string]engine.LogEntry{}
	for _, e := range got {
		byStream[e.Stream] = e
	}
	if len(got) != 2 || string(byStream["stdout"].Line) != "out one\n" || string(byStream["stderr"].Line) != "err one\n" ||
		byStream["stdout"].Time.Nanosecond() != 1 {
		t.Fatalf("Logs = %+v", got)
	}
	w, err := c.Wait(ctx, "web")
	if err != nil || w.ExitCode != 3 {
		t.Fatalf("Wait = %+v, %v", w, err)
	}
}
