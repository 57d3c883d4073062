package main

import (
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestAPIContainersOutliveService: a container started through the API
// runs on after `berth system service` stops, and berth's own CLI manages
// it (issue 12: containers never depend on the service).
func TestAPIContainersOutliveService(t *testing.T) {
	b := newBerthEnv(t)
	sock := t.TempDir() + "/api.sock"
	svc := b.berth("system", "service", "unix://"+sock)
	svc.Stderr = os.Stderr
	if err := svc.Start(); err != nil {
		t.Fatalf("start berth system service: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = svc.Process.Kill()
			<-exited
		}
	})
	a := &apiEnv{berthEnv: b, t: t, sock: sock, host: "unix://" + sock, config: t.TempDir()}
	waitFor(t, "the service to answer", 10*time.Second, func() bool {
		resp, err := a.HTTPClient().Get("http://berth/_ping")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	a.dockerMust("run", "-d", "--name", "survivor", "busybox", "sleep", "300")

	if err := svc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		stopped = true
	case <-time.After(10 * time.Second):
		t.Fatal("berth system service did not stop within 10s of SIGTERM")
	}
	var state struct{ Running bool }
	if err := json.Unmarshal([]byte(b.must("inspect", "-f", "{{json .State}}", "survivor")), &state); err != nil || !state.Running {
		t.Fatalf("survivor after the service stopped: running %v (%v)", state.Running, err)
	}
	if out := b.must("exec", "survivor", "echo", "still here"); out != "still here\n" {
		t.Fatalf("berth exec survivor = %q", out)
	}
}
