package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"berth/internal/testenv"
)

// useDocker points p's docker client at the daemon that answers it
// (DOCKER_HOST, or the default socket), used as it is; when none answers,
// at sharedDocker, and says so in the benchmark's log.
func (p *peer) useDocker() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p.bin, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err == nil {
		return nil
	}
	answer := fmt.Sprintf("no Docker daemon answers (%v: %s)", err, strings.TrimSpace(string(out)))
	d, err := sharedDocker.get()
	if err != nil {
		return fmt.Errorf("%s, and no private dockerd: %w", answer, err)
	}
	p.b.Logf("docker: %s; a private dockerd %s (pid %d) on %s, its data root %s", answer, d.Version, d.Pid, d.Host, d.Root)
	p.bin, p.env = d.CLI, d.Env
	return nil
}

// sharedDocker is the private dockerd that the docker comparisons share
// when no Docker daemon answers: the first benchmark that needs it starts
// it (that takes seconds), and TestMain stops it when the benchmarks are
// done, failed or not. Its containers are each benchmark's own, removed
// by their label when that benchmark ends.
var sharedDocker privateDockerOnce

// privateDockerOnce is a testenv.PrivateDocker started at most once.
type privateDockerOnce struct {
	once sync.Once
	d    *testenv.PrivateDocker
	err  error
}

// get starts the private dockerd the first time and returns it, or why
// there is none, every time after.
func (o *privateDockerOnce) get() (*testenv.PrivateDocker, error) {
	o.once.Do(func() { o.d, o.err = testenv.RunPrivateDocker() })
	return o.d, o.err
}

// stop stops the private dockerd if one was started, and removes all it
// made.
func (o *privateDockerOnce) stop() error {
	if o.d == nil {
		return nil
	}
	return o.d.Stop(func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "the benchmarks' private dockerd: "+format+"\n", args...)
	})
}
