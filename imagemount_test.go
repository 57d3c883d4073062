package main

import (
	"strings"
	"testing"
)

// TestRunImageMount: berth run --mount type=image shows the image's
// files read-only, and inspect shows the mount as the image.
func TestRunImageMount(t *testing.T) {
	b := newBerthEnv(t)
	id := strings.TrimSpace(b.must("create", "--mount", "type=image,source=busybox,target=/img", "busybox",
		"sh", "-c", "test -x /img/bin/sh && ! touch /img/x 2>/dev/null && echo ok"))
	if got := b.must("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.RW}}{{end}}", id); got != "image busybox false\n" {
		t.Errorf("inspect mounts: %q", got)
	}
	if got := b.must("start", "-a", id); got != "ok\n" {
		t.Errorf("run: %q, want ok", got)
	}
	b.must("rm", id)
}
