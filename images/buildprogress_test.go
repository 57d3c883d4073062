package images

import (
	"context"
	"reflect"
	"testing"
)

// TestBuildProgressSeesEveryStep: Progress is told of each step starting
// and ending, in order, with the right counts, and a rebuild's layer steps
// as cached; a RUN that prints a step line changes nothing.
func TestBuildProgressSeesEveryStep(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	df := "FROM busybox\nRUN write /a hello\nENV K=v\nRUN echo STEP 9/9: not a step\n"
	build := func() []BuildStep {
		var steps []BuildStep
		_, err := s.Build(context.Background(), BuildOptions{
			DockerfileText: []byte(df), Runner: &fakeRunner{},
			Progress: func(st BuildStep) { steps = append(steps, st) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return steps
	}
	want := func(cachedRuns bool) []BuildStep {
		var out []BuildStep
		for i, in := range []string{"FROM busybox", "RUN write /a hello", "ENV K=v", "RUN echo STEP 9/9: not a step"} {
			cached := cachedRuns && i%2 == 1
			out = append(out,
				BuildStep{Number: i + 1, Count: 4, Instruction: in},
				BuildStep{Number: i + 1, Count: 4, Instruction: in, Cached: cached, Done: true})
		}
		return out
	}
	if got := build(); !reflect.DeepEqual(got, want(false)) {
		t.Errorf("first build's steps:\n got %+v\nwant %+v", got, want(false))
	}
	if got := build(); !reflect.DeepEqual(got, want(true)) {
		t.Errorf("rebuild's steps:\n got %+v\nwant %+v", got, want(true))
	}
}

// TestBuildProgressStopsAtAFailure: a failing step is reported started,
// never done, and no later step is reported.
func TestBuildProgressStopsAtAFailure(t *testing.T) {
	requireRoot(t)
	s := buildStore(t, "")
	var steps []BuildStep
	_, err := s.Build(context.Background(), BuildOptions{
		DockerfileText: []byte("FROM busybox\nRUN fail\nCMD [\"sh\"]\n"), Runner: &fakeRunner{},
		Progress: func(st BuildStep) { steps = append(steps, st) },
	})
	if err == nil {
		t.Fatal("a failing RUN built")
	}
	want := []BuildStep{
		{Number: 1, Count: 3, Instruction: "FROM busybox"},
		{Number: 1, Count: 3, Instruction: "FROM busybox", Done: true},
		{Number: 2, Count: 3, Instruction: "RUN fail"},
	}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", steps, want)
	}
}
