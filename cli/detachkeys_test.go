package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
)

// TestDetachKeysSetting: berth's detach-keys setting (docker's
// detachKeys) is the detach sequence of attach and start -a without
// --detach-keys; the flag still wins, and a bad setting is an error
// that names it.
func TestDetachKeysSetting(t *testing.T) {
	settings := func(keys string) string {
		path := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(path, []byte(`{"detach-keys": "`+keys+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	box := newContainer(strings.Repeat("c", 64), "box", engine.StatusRunning)
	box.Config.OpenStdin, box.Config.Tty = true, true
	eng := &fakeEngine{containers: []*engine.Container{box}, runResult: engine.RunResult{Detached: true}}
	sys := testSystem(eng)
	sys.isTerminal = func(any) bool { return true }
	good := settings("ctrl-x,x")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", good, "attach", "box"}, "ctrl-x,x"},
		{[]string{"--config", good, "attach", "--detach-keys", "ctrl-a,a", "box"}, "ctrl-a,a"},
		{[]string{"--config", good, "start", "-a", "-i", "box"}, "ctrl-x,x"},
		{[]string{"attach", "box"}, ""},
	} {
		eng.attach = engine.AttachOptions{}
		if r := runCLI(t, sys, tc.args...); r.code != 0 || eng.attach.DetachKeys != tc.want {
			t.Errorf("%v: code %d err %q, detach keys %q; want %q", tc.args, r.code, r.stderr, eng.attach.DetachKeys, tc.want)
		}
	}
	bad := settings("ctrl-Z")
	if r := runCLI(t, sys, "--config", bad, "attach", "box"); r.code != 125 || !strings.Contains(r.stderr, `setting "detach-keys" of `+bad) {
		t.Errorf("a bad setting: code %d err %q", r.code, r.stderr)
	}
}
