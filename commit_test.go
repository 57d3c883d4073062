package main

// berth diff, commit and export on real containers.

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDiff lists a container's additions, changes and deletions in
// docker's format and order (its change walk's: depth first, each
// directory's entries by name), running and stopped.
func TestDiff(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sh", "-c",
		"mkdir /newdir && echo x > /newdir/f && touch /newdir-x && echo y >> /etc/group && rm /etc/passwd && exec sleep 600")
	waitFor(t, "D /etc/passwd in the diff", 30*time.Second, func() bool { return strings.Contains(b.must("diff", "c"), "D /etc/passwd") })
	for _, state := range []string{"running", "stopped"} {
		got := b.must("diff", "c")
		if want := "C /etc\nC /etc/group\nD /etc/passwd\nA /newdir\nA /newdir/f\nA /newdir-x\n"; got != want {
			t.Errorf("%s: diff\n%s\nwant (the files berth mounts on are no change, as docker's init layer):\n%s", state, got, want)
		}
		for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
			if !regexp.MustCompile(`^[ACD] /`).MatchString(line) {
				t.Errorf("%s: line %q is not docker's", state, line)
			}
		}
		b.must("stop", "-t", "0", "c")
	}
	// A container that changed nothing has no diff, the files berth
	// mounts on notwithstanding.
	b.must("run", "--pull", "never", "--name", "fresh", "--network", "none", "busybox", "true")
	if got := b.must("diff", "fresh"); got != "" {
		t.Errorf("diff of a container that changed nothing:\n%s", got)
	}
	if _, stderr, code := b.cpRun(nil, "diff", "nosuch"); code != 1 || !strings.Contains(strings.ToLower(stderr), "no such container") {
		t.Errorf("diff nosuch: exit %d, %q", code, stderr)
	}
}

// TestCommit makes an image of a container's changes with -c, -m and
// -a, runs it, and checks its config and history.
func TestCommit(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "-e", "FROM_RUN=1", "busybox", "sh", "-c",
		"echo committed > /data.txt && rm /etc/passwd && exec sleep 600")
	waitFor(t, "A /data.txt in the diff", 30*time.Second, func() bool { return strings.Contains(b.must("diff", "c"), "A /data.txt") })
	id := strings.TrimSpace(b.must("commit", "-m", "a message", "-a", "Ann Author <ann@example.com>",
		"-c", "CMD [\"cat\", \"/data.txt\"]", "-c", "ENV COMMITTED=yes", "-c", "LABEL made=by-commit",
		"-c", "WORKDIR /w", "-c", "EXPOSE 8080", "-c", "USER 65534",
		"c", "committed:v1"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("commit printed %q, want sha256:<64 hex>", id)
	}
	if st := b.inspect(".State.Status", "c"); st != "running" {
		t.Errorf("after commit the container is %s, want running (unpaused)", st)
	}
	if got := b.must("run", "--rm", "--pull", "never", "--network", "none", "committed:v1"); got != "committed\n" {
		t.Errorf("the committed image's CMD printed %q", got)
	}
	if _, _, code := b.cpRun(nil, "run", "--rm", "--pull", "never", "--network", "none", "committed:v1", "ls", "/etc/passwd"); code != 1 {
		t.Errorf("a deleted file is back: ls exits %d", code)
	}
	var img struct {
		ID     string `json:"Id"`
		Author string
		Config struct {
			Env          []string
			Cmd          []string
			Labels       map[string]string
			WorkingDir   string
			User         string
			ExposedPorts map[string]struct{}
		}
	}
	if err := json.Unmarshal([]byte(b.must("image", "inspect", "--format", "{{json .}}", "committed:v1")), &img); err != nil {
		t.Fatal(err)
	}
	if img.Author != "Ann Author <ann@example.com>" {
		t.Errorf("Author %q", img.Author)
	}
	c := img.Config
	if !slices.Contains(c.Env, "COMMITTED=yes") || !slices.Contains(c.Env, "FROM_RUN=1") {
		t.Errorf("Env %q: want the container's and the -c one", c.Env)
	}
	if !slices.Equal(c.Cmd, []string{"cat", "/data.txt"}) || c.Labels["made"] != "by-commit" || c.WorkingDir != "/w" ||
		c.User != "65534" {
		t.Errorf("config %+v", c)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ExposedPorts %v", c.ExposedPorts)
	}
	if hist := b.must("history", "--no-trunc", "--format", "{{.Comment}}", "committed:v1"); !strings.HasPrefix(hist, "a message\n") {
		t.Errorf("history comments start %q", hist)
	}
	// A stopped container commits too, into a dangling image.
	b.must("stop", "-t", "0", "c")
	if id := strings.TrimSpace(b.must("commit", "c")); !strings.HasPrefix(id, "sha256:") {
		t.Errorf("commit of a stopped container printed %q", id)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"commit", "-c", "RUN true", "c"}, 1, "run is not a valid change command"},
		{[]string{"commit", "--pause=false", "--no-pause", "c"}, 1, "conflicting options"},
		{[]string{"commit", "nosuch"}, 1, "no such container"},
		{[]string{"commit", "c", "BAD:REF:x"}, 1, "invalid"},
	} {
		if b.api != nil && slices.Contains(tc.args, "--no-pause") {
			continue // berth's own flag
		}
		if b.api != nil && tc.msg == "no such container" {
			tc.msg = "No such container: nosuch" // dockerd's words
		}
		_, stderr, code := b.cpRun(nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("berth %s: exit %d, %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.msg)
		}
	}
}

// TestExport writes a container's whole filesystem as a tar, without
// /proc's content, running and stopped.
func TestExport(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sh", "-c",
		"echo exported > /mark && exec sleep 600")
	waitFor(t, "A /mark in the diff", 30*time.Second, func() bool { return strings.Contains(b.must("diff", "c"), "A /mark") })
	for _, state := range []string{"running", "stopped"} {
		out := b.must("export", "c")
		names := map[string]string{}
		tr := tar.NewReader(strings.NewReader(out))
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", state, err)
			}
			body, _ := io.ReadAll(tr)
			names[strings.TrimPrefix(hdr.Name, "./")] = string(body)
		}
		if names["mark"] != "exported\n" {
			t.Errorf("%s: /mark in the export: %q", state, names["mark"])
		}
		if _, ok := names["bin/busybox"]; !ok {
			t.Errorf("%s: the image's files are missing from the export", state)
		}
		for n := range names {
			if strings.HasPrefix(n, "proc/") && n != "proc/" || strings.HasPrefix(n, "sys/") && n != "sys/" {
				t.Errorf("%s: the export holds %s", state, n)
				break
			}
		}
		b.must("stop", "-t", "0", "c")
	}
	if _, stderr, code := b.cpRun(nil, "export", "nosuch"); code != 1 || !strings.Contains(strings.ToLower(stderr), "no such container") {
		t.Errorf("export nosuch: exit %d, %q", code, stderr)
	}
}

// TestContainerFileEvents: cp both ways, export, commit and update are
// recorded with docker's action names.
func TestContainerFileEvents(t *testing.T) {
	b := newBerthEnv(t)
	since := time.Now().Add(-time.Second).Format(time.RFC3339)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	dir := t.TempDir()
	b.must("cp", "c:/etc/group", dir)
	b.must("cp", dir+"/group", "c:/tmp")
	b.must("export", "-o", dir+"/export.tar", "c")
	b.must("commit", "c", "events:test")
	b.must("update", "--cpu-shares", "100", "c")
	now := time.Now() // past by the time events runs: it lists, never follows
	until := fmt.Sprintf("%d.%09d", now.Unix(), now.Nanosecond())
	got := b.must("events", "--since", since, "--until", until, "--filter", "container=c", "--format", "{{.Action}}")
	for _, want := range []string{"archive-path", "extract-to-dir", "export", "commit", "update"} {
		if !slices.Contains(strings.Fields(got), want) {
			t.Errorf("events lack %s:\n%s", want, got)
		}
	}
}
