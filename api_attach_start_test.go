package main

import (
	"strconv"
	"testing"
)

// TestAPIStartAttachFromFirstByte: docker start -a (and so docker run)
// attaches, then starts the container as soon as the attach is answered;
// the attach must be waiting for that start by then, or a short command's
// output is gone before it joins. Repeated: the race it guards against is
// won most times.
func TestAPIStartAttachFromFirstByte(t *testing.T) {
	a := newAPIEnv(t)
	for i := range 10 {
		name := "echo" + strconv.Itoa(i)
		a.dockerMust("create", "--pull", "never", "--name", name, "--network", "none", "busybox", "echo", name)
		if out := a.dockerMust("start", "-a", name); out != name+"\n" {
			t.Errorf("docker start -a %s printed %q, want %q", name, out, name+"\n")
		}
	}
}
