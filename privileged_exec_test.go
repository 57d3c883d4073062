package main

import (
	"os"
	"strings"
	"testing"
)

// TestExecInPrivilegedContainer: exec in a --privileged container gets
// the capabilities its init has (every one the host's bounding set
// left), rather than failing to set ones the host dropped.
func TestExecInPrivilegedContainer(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--name", "priv", "--privileged", "--pull", "never", "busybox:latest", "sleep", "300")
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	want := capLine(string(status), "CapBnd:")
	got := capLine(b.must("exec", "priv", "cat", "/proc/self/status"), "CapEff:")
	if got == "" || got != want {
		t.Fatalf("exec's effective capabilities %q, want the host's bounding set %q", got, want)
	}
	b.must("rm", "-f", "priv")
}

// capLine is the value of the line of /proc/PID/status that starts with key.
func capLine(status, key string) string {
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
