package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// eventJSON is one line of `events --format '{{json .}}'`, docker's keys.
type eventJSON struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	From   string `json:"from"`
	Type   string `json:"Type"`
	Action string `json:"Action"`
	Actor  struct {
		ID         string            `json:"ID"`
		Attributes map[string]string `json:"Attributes"`
	} `json:"Actor"`
	Scope    string `json:"scope"`
	TimeNano int64  `json:"timeNano"`
}

// eventsSince lists the recorded events from since to now, through extra
// filters, as the JSON lines docker prints.
func (b *berthEnv) eventsSince(since time.Time, filters ...string) []eventJSON {
	b.t.Helper()
	now := time.Now()
	args := []string{"events", "--since", unixNano(since), "--until", unixNano(now), "--format", "{{json .}}"}
	for _, f := range filters {
		args = append(args, "--filter", f)
	}
	var out []eventJSON
	for _, line := range strings.Split(strings.TrimSpace(b.must(args...)), "\n") {
		if line == "" {
			continue
		}
		var e eventJSON
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			b.t.Fatalf("event line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func unixNano(t time.Time) string { return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()) }

func actions(evs []eventJSON) string {
	var a []string
	for _, e := range evs {
		a = append(a, e.Type+" "+e.Action)
	}
	return strings.Join(a, "\n")
}

func findEvent(evs []eventJSON, typ, action string) *eventJSON {
	for i := range evs {
		if evs[i].Type == typ && evs[i].Action == action {
			return &evs[i]
		}
	}
	return nil
}

// TestEventsContainer: a container's events carry docker's attributes (its
// labels, image and name) and die its exit code; {{json .}} has the legacy
// status, id and from; exec events name the command; a run with streams
// attached records attach.
func TestEventsContainer(t *testing.T) {
	b := newBerthEnv(t)
	t0 := time.Now()
	if out, err := b.cmd("run", "--pull", "never", "--name", "web", "--label", "tier=front", "busybox", "sh", "-c", "exit 3").CombinedOutput(); err == nil {
		t.Fatalf("run exit 3 succeeded: %s", out)
	}
	b.must("run", "-d", "--pull", "never", "--name", "box", "busybox", "sleep", "1000")
	if out := b.must("exec", "box", "echo", "hi"); out != "hi\n" {
		t.Fatalf("exec: %q", out)
	}
	b.must("exec", "box", "true")
	evs := b.eventsSince(t0)

	die := findEvent(evs, "container", "die")
	if die == nil {
		t.Fatalf("no die event in\n%s", actions(evs))
	}
	want := map[string]string{"exitCode": "3", "image": "busybox", "name": "web", "tier": "front"}
	for k, v := range want {
		if die.Actor.Attributes[k] != v {
			t.Errorf("die attribute %s = %q, want %q (all: %v)", k, die.Actor.Attributes[k], v, die.Actor.Attributes)
		}
	}
	if die.Status != "die" || die.ID != die.Actor.ID || len(die.ID) != 64 || die.From != "busybox" || die.Scope != "local" {
		t.Errorf("legacy keys of die: status %q id %q from %q scope %q", die.Status, die.ID, die.From, die.Scope)
	}
	if findEvent(evs, "container", "attach") == nil {
		t.Errorf("no attach event for an attached run in\n%s", actions(evs))
	}

	create := findEvent(evs, "container", "exec_create: echo hi")
	start := findEvent(evs, "container", "exec_start: echo hi")
	if create == nil || start == nil {
		t.Fatalf("no exec_create/exec_start: echo hi in\n%s", actions(evs))
	}
	if findEvent(evs, "container", "exec_start: true ") == nil {
		t.Errorf("exec without arguments: want docker's %q in\n%s", "exec_start: true ", actions(evs))
	}
	execID := create.Actor.Attributes["execID"]
	if len(execID) != 64 || start.Actor.Attributes["execID"] != execID {
		t.Errorf("execID: create %q start %q", execID, start.Actor.Attributes["execID"])
	}
	var dieOfExec *eventJSON
	for i := range evs {
		if evs[i].Action == "exec_die" && evs[i].Actor.Attributes["execID"] == execID {
			dieOfExec = &evs[i]
		}
	}
	if dieOfExec == nil || dieOfExec.Actor.Attributes["exitCode"] != "0" {
		t.Errorf("exec_die of %s: %+v", execID, dieOfExec)
	}

	// Filters, docker's.
	if got := b.eventsSince(t0, "event=exec_start"); len(got) != 2 {
		t.Errorf("event=exec_start: want the two exec_start: … events, got\n%s", actions(got))
	}
	for _, e := range b.eventsSince(t0, "container=web") {
		if e.Actor.Attributes["name"] != "web" {
			t.Errorf("container=web let through %s %s of %s", e.Type, e.Action, e.Actor.Attributes["name"])
		}
	}
	if got := b.eventsSince(t0, "label=tier=front", "event=die"); len(got) != 1 || got[0].Actor.Attributes["name"] != "web" {
		t.Errorf("label=tier=front event=die: %s", actions(got))
	}
	if got := b.eventsSince(t0, "label=tier=back"); len(got) != 0 {
		t.Errorf("label=tier=back: %s", actions(got))
	}
	if got := b.eventsSince(t0, "type=container", "image=busybox"); len(got) < 4 {
		t.Errorf("image=busybox on containers: %s", actions(got))
	}
	if out, err := b.cmd("events", "--filter", "colour=red", "--until", "1s").CombinedOutput(); exitCodeOf(err) != 1 || !strings.Contains(string(out), "invalid filter 'colour'") {
		t.Errorf("events --filter colour=red: %v %s, want docker's exit 1", err, out)
	}
}

// TestEventsImages: tag, untag, delete, import, save and load are image
// events, with docker's actor: the image ID, or the reference for tag's
// name.
func TestEventsImages(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	t0 := time.Now()
	id := strings.TrimSpace(b.must("image", "inspect", "-f", "{{.Id}}", "busybox"))
	b.must("tag", "busybox", "app:1")
	b.must("rmi", "app:1")
	archive := filepath.Join(dir, "save.tar")
	b.must("save", "-o", archive, "busybox")
	b.must("load", "-i", archive)
	rootfs := filepath.Join(dir, "rootfs.tar")
	if err := os.WriteFile(rootfs, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("import", rootfs, "empty:1")
	b.must("rmi", "empty:1")
	evs := b.eventsSince(t0, "type=image")
	for _, e := range evs {
		if e.Type != "image" || e.Status != e.Action || e.ID != e.Actor.ID || e.From != "" {
			t.Errorf("image event %s: type %q status %q id %q from %q", e.Action, e.Type, e.Status, e.ID, e.From)
		}
	}
	tag := findEvent(evs, "image", "tag")
	if tag == nil || tag.Actor.ID != id || tag.Actor.Attributes["name"] != "app:1" {
		t.Errorf("tag event: %+v (image %s)", tag, id)
	}
	for _, action := range []string{"untag", "save", "load", "import", "delete"} {
		e := findEvent(evs, "image", action)
		if e == nil {
			t.Errorf("no image %s event in\n%s", action, actions(evs))
			continue
		}
		if !strings.HasPrefix(e.Actor.ID, "sha256:") || e.Actor.Attributes["name"] != e.Actor.ID {
			t.Errorf("image %s: actor %q name %q, want the image ID twice", action, e.Actor.ID, e.Actor.Attributes["name"])
		}
	}
	if e := findEvent(evs, "image", "save"); e != nil && e.Actor.ID != id {
		t.Errorf("save of %s: actor %s", id, e.Actor.ID)
	}
	if got := b.eventsSince(t0, "image=app"); len(got) != 1 || got[0].Action != "tag" {
		t.Errorf("image=app: want the tag event only, got\n%s", actions(got))
	}
	if got := b.eventsSince(t0, "type=container"); len(got) != 0 {
		t.Errorf("type=container after image commands: %s", actions(got))
	}

	// Prune deletes as rmi does, with the same events.
	b.must("import", rootfs, "pruned:1")
	pruned := strings.TrimSpace(b.must("image", "inspect", "-f", "{{.Id}}", "pruned:1"))
	t1 := time.Now()
	b.must("image", "prune", "-a", "-f")
	evs = b.eventsSince(t1, "image="+pruned)
	if got := actions(evs); got != "image untag\nimage delete" {
		t.Errorf("image prune of %s:\n%s", pruned, got)
	}
}

// TestEventsNetworks: create, connect, disconnect and destroy, with the
// network's name and type and the container's ID.
func TestEventsNetworks(t *testing.T) {
	b := newBerthEnv(t)
	t0 := time.Now()
	b.must("network", "create", "front")
	cid := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--network", "front", "busybox", "sleep", "1000"))
	b.must("rm", "-f", cid)
	b.must("network", "rm", "front")
	evs := b.eventsSince(t0, "type=network")
	if got := actions(evs); got != "network create\nnetwork connect\nnetwork disconnect\nnetwork destroy" {
		t.Fatalf("network events:\n%s", got)
	}
	netID := evs[0].Actor.ID
	for _, e := range evs {
		a := e.Actor.Attributes
		if e.Actor.ID != netID || a["name"] != "front" || a["type"] != "bridge" || e.Status != "" || e.ID != "" {
			t.Errorf("network %s: actor %s attributes %v legacy %q %q", e.Action, e.Actor.ID, a, e.Status, e.ID)
		}
		if (e.Action == "connect" || e.Action == "disconnect") != (a["container"] == cid) {
			t.Errorf("network %s: container %q, want %q on connect and disconnect only", e.Action, a["container"], cid)
		}
	}
	if got := b.eventsSince(t0, "network=front"); len(got) != 4 {
		t.Errorf("network=front: %s", actions(got))
	}
	if got := b.eventsSince(t0, "network=other"); len(got) != 0 {
		t.Errorf("network=other: %s", actions(got))
	}

	t1 := time.Now()
	cid = strings.TrimSpace(b.must("run", "-d", "--pull", "never", "busybox", "sleep", "1000"))
	b.must("stop", "-t", "0", cid)
	evs = b.eventsSince(t1, "type=network")
	if got := actions(evs); got != "network connect\nnetwork disconnect" {
		t.Fatalf("default network events:\n%s", got)
	}
	if a := evs[0].Actor.Attributes; a["name"] != "bridge" || a["type"] != "bridge" || a["container"] != cid {
		t.Errorf("connect to the default network: %v", a)
	}
}

// exitCodeOf is the exit code in a command's error: 0 for nil, -1 when
// the command did not run.
func exitCodeOf(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// TestEventsPushPull: push and pull are image events whose actor is the
// reference, as docker's; build --pull pulls a stored base again. The
// registry is Debian's docker-registry on 127.0.0.1.
func TestEventsPushPull(t *testing.T) {
	addr := testenv.DistributionRegistry(t)
	b := newBerthEnv(t)
	ref := addr + "/bb:1"
	t0 := time.Now()
	b.must("tag", "busybox", ref)
	b.must("push", ref)
	b.must("rmi", ref)
	b.must("pull", ref)
	evs := b.eventsSince(t0, "type=image")
	for _, action := range []string{"push", "pull"} {
		e := findEvent(evs, "image", action)
		if e == nil {
			t.Errorf("no %s event in\n%s", action, actions(evs))
			continue
		}
		if e.Actor.ID != ref || e.Actor.Attributes["name"] != ref || e.ID != ref || e.Status != action {
			t.Errorf("%s event: %+v", action, e)
		}
	}
	if got := b.eventsSince(t0, "image="+addr+"/bb"); len(got) < 3 {
		t.Errorf("image=%s/bb: %s", addr, actions(got))
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+ref+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if out := b.must("build", "--pull", dir); !strings.Contains(out, "Pulling "+ref) {
		t.Errorf("build --pull of a stored base did not pull it:\n%s", out)
	}
	if got := b.eventsSince(t1, "event=pull"); len(got) != 1 {
		t.Errorf("pull events of build --pull: %s", actions(got))
	}
}
