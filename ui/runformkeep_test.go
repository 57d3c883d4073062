package ui

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"berth/host/runopts"
)

// A start error keeps the run form open with what was typed and the
// error in it; fixing the cause and pressing enter again runs.
func TestRunFormKeepsItsFieldsOnAStartError(t *testing.T) {
	b := demoBackend()
	b.fail = errors.New("no such image: nosuch")
	m := newTestModel(t, b)
	m = press(t, m, "n")
	m = typeText(t, m, "nosuch")
	m = press(t, m, "tab")
	m = typeText(t, m, "demo")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	if m.state != stateRunForm || m.runForm.inputs[fieldImage].Value() != "nosuch" || m.runForm.inputs[fieldName].Value() != "demo" {
		t.Fatalf("after a start error the screen is %s:\n%s", m.state, screen(m))
	}
	if !strings.Contains(screen(m), "run nosuch: no such image: nosuch") {
		t.Errorf("the error is not in the form:\n%s", screen(m))
	}
	b.fail = nil
	m = press(t, m, "enter")
	m = settleLate(t, m)
	if m.state != stateContainers || !strings.Contains(screen(m), "started demo") {
		t.Errorf("the second try: screen %s:\n%s", m.state, screen(m))
	}
}

// The form's volume, network, tty, workdir and user fields are berth
// run's -v, --network, -t, -w and -u.
func TestRunFormRunFlagsFields(t *testing.T) {
	host := runopts.HostFiles{
		LookupEnv: func(string) (string, bool) { return "", false },
		Abs:       func(p string) (string, error) { return "/work/" + p, nil },
	}
	_, o, _, err := runOptions(runSpec{Image: "busybox", Volumes: "./data:/data:ro /cache", Network: "none",
		TTY: "yes", Workdir: "/app", User: "1000:1000"}, nil, host)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.HostConfig.Binds, []string{"/work/data:/data:ro"}) || o.HostConfig.NetworkMode != "none" ||
		!o.Config.Tty || o.Config.WorkingDir != "/app" || o.Config.User != "1000:1000" {
		t.Errorf("binds %q network %q tty %v workdir %q user %q", o.HostConfig.Binds, o.HostConfig.NetworkMode,
			o.Config.Tty, o.Config.WorkingDir, o.Config.User)
	}
	if _, ok := o.Config.Volumes["/cache"]; !ok {
		t.Errorf("anonymous volume: %v", o.Config.Volumes)
	}
	if _, _, _, err := runOptions(runSpec{Image: "busybox", TTY: "maybe"}, nil, host); !errors.Is(err, ErrBadInput) {
		t.Errorf("tty maybe: %v", err)
	}
}
