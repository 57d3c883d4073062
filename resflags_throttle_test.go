package main

import (
	"strings"
	"testing"
)

// TestThrottleDeviceAtStart: as docker's, create takes any /dev/ path for
// the four throttle flags and inspect shows it; the device is looked up
// when the container starts, which fails for a path that is not a block
// device and leaves the container created, with nothing running.
func TestThrottleDeviceAtStart(t *testing.T) {
	b := newBerthEnv(t)
	for _, tt := range []struct{ name, flag, dev, want string }{
		{"rb", "--device-read-bps", "/dev/null:1mb", "/dev/null 1048576"},
		{"wb", "--device-write-bps", "/dev/zero:2kb", "/dev/zero 2048"},
		{"ri", "--device-read-iops", "/dev/nonexistent:100", "/dev/nonexistent 100"},
		{"wi", "--device-write-iops", "/dev/null:7", "/dev/null 7"},
	} {
		b.must("create", "--pull", "never", "--name", tt.name, "--network", "none", tt.flag, tt.dev, "busybox", "true")
		field := map[string]string{"rb": "BlkioDeviceReadBps", "wb": "BlkioDeviceWriteBps", "ri": "BlkioDeviceReadIOps", "wi": "BlkioDeviceWriteIOps"}[tt.name]
		if out := b.must("inspect", "-f", "{{range .HostConfig."+field+"}}{{.Path}} {{.Rate}}{{end}}", tt.name); out != tt.want+"\n" {
			t.Errorf("%s %s: inspect shows %q, want %q", tt.flag, tt.dev, out, tt.want)
		}
		path, _, _ := strings.Cut(tt.dev, ":")
		_, stderr, code := b.runOut("start", tt.name)
		if code != 1 || !strings.Contains(stderr, path) {
			t.Errorf("start with %s %s: exit %d, stderr %q; want 1 naming %s", tt.flag, tt.dev, code, stderr, path)
		}
		if out := b.must("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", tt.name); out != "created 0\n" {
			t.Errorf("after the failed start of %s: %q, want created 0", tt.name, out)
		}
	}
	_, stderr, code := b.runOut("run", "--pull", "never", "--network", "none", "--device-read-bps", "/dev/null:1mb", "busybox", "true")
	if code != 125 || !strings.Contains(stderr, "/dev/null is not a block device") {
		t.Errorf("run with a character device to throttle: exit %d, stderr %q; want 125, not a block device", code, stderr)
	}
}
