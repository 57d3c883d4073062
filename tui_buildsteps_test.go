package main

import (
	"strings"
	"sync"
	"testing"

	"berth/api"
	"berth/ui"
)

// TestTUIBuildStepsRemote: the TUI's backend on another host (berth's API)
// still reports a build's steps, read back from the remote log's text,
// and the rebuild's RUN as cached.
func TestTUIBuildStepsRemote(t *testing.T) {
	a := newAPIEnv(t)
	rc, err := api.Dial(api.Endpoint{Host: a.host})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	b := ui.NewEngineBackend(rc)
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo hi > /hi\nCMD [\"sh\"]\n"})
	build := func() []ui.BuildStep {
		var mu sync.Mutex
		var lines []string
		var steps []ui.BuildStep
		_, err := b.Build(t.Context(), ui.BuildRequest{ContextDir: dir, Tags: []string{"steps:1"}}, func(l string) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, l)
		}, func(st ui.BuildStep) {
			mu.Lock()
			defer mu.Unlock()
			steps = append(steps, st)
		})
		if err != nil {
			t.Fatalf("remote build: %v\n%s", err, strings.Join(lines, "\n"))
		}
		return steps
	}
	check := func(steps []ui.BuildStep, cached bool) {
		t.Helper()
		if len(steps) != 6 {
			t.Fatalf("steps: %+v", steps)
		}
		for i, st := range steps {
			if st.Number != i/2+1 || st.Count != 3 || st.Done != (i%2 == 1) || st.Cached != (cached && i == 3) {
				t.Errorf("step event %d: %+v", i, st)
			}
		}
		if steps[3].Instruction != "RUN echo hi > /hi" {
			t.Errorf("the RUN step reads %q", steps[3].Instruction)
		}
	}
	check(build(), false)
	check(build(), true)
}
