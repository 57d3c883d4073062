package ui

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/engine"
	"berth/host"
	"berth/internal/testenv"
)

// engineBackend is the Backend over an engine on b's roots, as b's TUI
// opens it.
func (b *berthBinary) engineBackend() *EngineBackend {
	b.t.Helper()
	e, err := engine.New(engine.Options{Root: b.root, RunRoot: b.runRoot, CgroupRoot: "/sys/fs/cgroup",
		CgroupParent: b.parent, Exe: b.path})
	if err != nil {
		b.t.Fatal(err)
	}
	return NewEngineBackend(host.Local{Engine: e})
}

// TestEngineBackend runs the adapter against the real engine: one
// container through every call the screens make.
func TestEngineBackend(t *testing.T) {
	b := newBerthBinary(t).engineBackend()
	ctx := t.Context()

	c, err := b.Run(ctx, engine.CreateOptions{Name: "adapter", Config: engine.ContainerConfig{Image: "busybox:latest",
		Cmd: []string{"sh", "-c", "echo out; echo err >&2; while :; do sleep 1000; done"}}}, host.PullNever)
	if err != nil {
		t.Fatal(err)
	}

	h, err := b.Host(ctx)
	if err != nil || h.MemTotal == 0 || h.MemUsed == 0 || h.CPUTotal == 0 || h.Images != 1 {
		t.Errorf("Host = %+v, %v", h, err)
	}

	var entries []engine.LogEntry
	eventually(t, "both log lines", func() bool {
		entries = nil
		err := b.Logs(ctx, c.ID, engine.LogsOptions{Tail: -1, Stdout: true, Stderr: true}, func(en engine.LogEntry) error {
			entries = append(entries, en)
			return nil
		})
		return err == nil && len(entries) == 2
	})
	streams := map[string]string{}
	for _, en := range entries {
		streams[en.Stream] = string(en.Line)
	}
	if streams["stdout"] != "out\n" || streams["stderr"] != "err\n" {
		t.Errorf("log streams %q", streams)
	}

	var sleep engine.Process
	eventually(t, "the sleep process", func() bool {
		procs, err := b.Top(ctx, c.ID)
		for _, p := range procs {
			if strings.HasPrefix(p.Command, "sleep") {
				sleep = p
			}
		}
		return err == nil && sleep.HostPID != 0
	})
	if err := b.Signal(ctx, c.ID, sleep.HostPID, "SIGKILL"); err != nil {
		t.Errorf("signal the container's sleep: %v", err)
	}
	if err := b.Signal(ctx, c.ID, os.Getpid(), "SIGTERM"); err == nil {
		t.Error("Signal sent a signal to a process outside the container")
	}
	if s, err := b.Stats(ctx, c.ID); err != nil || s.MemoryUsage == 0 || s.PidsCurrent < 1 {
		t.Errorf("Stats = %+v, %v", s, err)
	}

	if err := b.Rename(ctx, c.ID, "adapter2"); err != nil {
		t.Fatal(err)
	}
	evs, err := b.Events(ctx, c.ID)
	actions := []string{}
	for _, ev := range evs {
		actions = append(actions, ev.Action)
	}
	if err != nil || !strings.Contains(strings.Join(actions, " "), "create start") || actions[len(actions)-1] != "rename" {
		t.Errorf("Events = %v, %v", actions, err)
	}
	if last := evs[len(evs)-1]; last.Detail != "from adapter to adapter2" {
		t.Errorf("rename detail %q", last.Detail)
	}

	imgs, err := b.Images(ctx)
	if err != nil || len(imgs) != 1 || imgs[0].Repository != "busybox" || imgs[0].Tag != "latest" || imgs[0].Containers != 1 {
		t.Fatalf("Images = %+v, %v", imgs, err)
	}
	if layers, err := b.ImageLayers(ctx, imgs[0].ID); err != nil || len(layers) == 0 || layers[0].Size == 0 {
		t.Errorf("ImageLayers = %+v, %v", layers, err)
	}
	if err := b.RemoveImage(ctx, "busybox:latest", false); err == nil {
		t.Error("RemoveImage removed an image a container uses")
	}
	if n, _, err := b.PruneImages(ctx); err != nil || n != 0 {
		t.Errorf("PruneImages = %d, %v", n, err)
	}

	// A shell in a pane: type a command, read its output.
	term, err := b.OpenTerminal(ctx, c.ID, SessionShell, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.LockedBuffer{}
	go io.Copy(out, term)
	if _, err := term.Write([]byte("echo pane-$((2+3))\r")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pane's output", func() bool { return strings.Contains(out.String(), "pane-5") })
	// The pane's size is the session's terminal size, and follows resizes.
	term.Write([]byte("stty size\r"))
	eventually(t, "the pane's size", func() bool { return strings.Contains(out.String(), "24 80") })
	term.Resize(100, 33)
	eventually(t, "the pane's new size", func() bool {
		term.Write([]byte("stty size\r"))
		time.Sleep(20 * time.Millisecond)
		return strings.Contains(out.String(), "33 100")
	})
	term.Close()
	if err := term.Wait(); err != nil {
		t.Errorf("the pane's session ended with %v", err)
	}

	// The full-screen shell, on pipes instead of the user's terminal.
	ho, err := b.Handoff(ctx, c.ID, SessionShell)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	ho.SetStdin(strings.NewReader("echo handoff-$((3+4))\nexit\n"))
	ho.SetStdout(&stdout)
	ho.SetStderr(&stdout)
	if err := ho.Run(); err != nil || !strings.Contains(stdout.String(), "handoff-7") {
		t.Errorf("handoff: %v, output %q", err, stdout.String())
	}

	if err := b.Stop(ctx, c.ID, engine.StopOptions{Timeout: new(time.Duration)}); err != nil {
		t.Error(err)
	}
	if err := b.Remove(ctx, c.ID, engine.RemoveOptions{}); err != nil {
		t.Error(err)
	}
	if _, err := b.Inspect(ctx, c.ID); err == nil {
		t.Error("the container is still there after Remove")
	}
	if _, err := b.OpenTerminal(ctx, "nosuch", SessionShell, 80, 24); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("OpenTerminal on a missing container: %v", err)
	}
}

// TestEngineBackendBuild builds a one-RUN Dockerfile through the
// adapter, streams its log, finds the image in the list and runs it.
func TestEngineBackendBuild(t *testing.T) {
	b := newBerthBinary(t).engineBackend()
	ctx := t.Context()
	dir := t.TempDir()
	dockerfile := "FROM busybox:latest\nRUN echo built-by-ui > /hello && echo run-said-hi\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	var steps []BuildStep
	id, err := b.Build(ctx, BuildRequest{ContextDir: dir, Tags: []string{"uibuild:1"}}, func(l string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, l)
	}, func(st BuildStep) {
		mu.Lock()
		defer mu.Unlock()
		steps = append(steps, st)
	})
	if err != nil {
		t.Fatalf("build: %v\n%s", err, strings.Join(lines, "\n"))
	}
	log := strings.Join(lines, "\n")
	for _, want := range []string{"STEP 2/2: RUN echo built-by-ui", "run-said-hi", "Successfully tagged uibuild:1"} {
		if !strings.Contains(log, want) {
			t.Errorf("the build log lacks %q:\n%s", want, log)
		}
	}
	if len(steps) != 4 || steps[3] != (BuildStep{Number: 2, Count: 2, Instruction: "RUN echo built-by-ui > /hello && echo run-said-hi", Done: true}) {
		t.Errorf("the build's steps: %+v", steps)
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("a log line keeps its line ending: %q", l)
		}
	}
	imgs, err := b.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found *Image
	for i, im := range imgs {
		if im.Repository == "uibuild" && im.Tag == "1" {
			found = &imgs[i]
		}
	}
	if found == nil || found.ID != id {
		t.Fatalf("image %s not listed as uibuild:1: %+v", id, imgs)
	}
	if layers, err := b.ImageLayers(ctx, id); err != nil || len(layers) == 0 || !strings.Contains(layers[0].CreatedBy, "echo built-by-ui") {
		t.Errorf("ImageLayers = %+v, %v", layers, err)
	}
	c, err := b.Run(ctx, engine.CreateOptions{Name: "built", Config: engine.ContainerConfig{Image: "uibuild:1", Cmd: []string{"cat", "/hello"}}}, host.PullNever)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var logErr error
	deadline := time.Now().Add(15 * time.Second)
	for out.String() != "built-by-ui\n" && time.Now().Before(deadline) {
		out.Reset()
		logErr = b.Logs(ctx, c.ID, engine.LogsOptions{Tail: -1, Stdout: true, Stderr: true}, func(en engine.LogEntry) error {
			out.Write(en.Line)
			return nil
		})
		time.Sleep(50 * time.Millisecond)
	}
	if out.String() != "built-by-ui\n" {
		t.Errorf("a container of the image printed %q (%v)", out.String(), logErr)
	}

	// A failing RUN is an error and its output is in the log.
	os.WriteFile(filepath.Join(dir, "Dockerfile.bad"), []byte("FROM busybox:latest\nRUN echo about-to-fail; exit 3\n"), 0o644)
	lines = nil
	if _, err := b.Build(ctx, BuildRequest{ContextDir: dir, Dockerfile: filepath.Join(dir, "Dockerfile.bad")}, func(l string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, l)
	}, func(BuildStep) {}); err == nil || !strings.Contains(strings.Join(lines, "\n"), "about-to-fail") {
		t.Errorf("failing build: %v\n%s", err, strings.Join(lines, "\n"))
	}
}

// TestEngineBackendAttachPane attaches a pane to a container on a
// terminal, types into it and detaches with ctrl-p ctrl-q.
func TestEngineBackendAttachPane(t *testing.T) {
	b := newBerthBinary(t).engineBackend()
	ctx := t.Context()
	c, err := b.Run(ctx, engine.CreateOptions{Name: "tty", Config: engine.ContainerConfig{Image: "busybox:latest",
		Tty: true, OpenStdin: true, AttachStdin: true, Cmd: []string{"sh"}}}, host.PullNever)
	if err != nil {
		t.Fatal(err)
	}
	term, err := b.OpenTerminal(ctx, c.ID, SessionAttach, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.LockedBuffer{}
	go io.Copy(out, term)
	eventually(t, "typing into the attached shell", func() bool {
		term.Write([]byte("echo att-$((1+1))\r"))
		time.Sleep(200 * time.Millisecond)
		return strings.Contains(out.String(), "att-2")
	})
	term.Write([]byte{0x10, 0x11})
	done := make(chan error, 1)
	go func() { done <- term.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("detach ended the pane with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ctrl-p ctrl-q did not detach")
	}
	if got, err := b.Inspect(ctx, c.ID); err != nil || !got.State.Running() {
		t.Errorf("the container stopped on detach: %v", err)
	}
}

// eventually polls ok for up to 15 seconds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
