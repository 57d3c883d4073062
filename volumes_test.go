package main

// Volumes as Docker has them, on real containers: named volumes outlive
// their containers, an image's VOLUME is filled from the image, the
// --mount forms, --volumes-from, rm -v and --rm, in-use refusals, and bad
// input that leaves nothing behind.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// run runs berth and returns its stdout, stderr and exit code.
func (b *berthEnv) run(args ...string) (stdout, stderr string, code int) {
	b.t.Helper()
	var out, errb strings.Builder
	cmd := b.cmd(args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		b.t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// volumeNames is `volume ls -q`.
func (b *berthEnv) volumeNames() []string {
	return strings.Fields(b.must("volume", "ls", "-q"))
}

type mountPoint struct {
	Type, Name, Source, Destination, Driver, Mode, Propagation string
	RW                                                         bool
}

func (b *berthEnv) mounts(ref string) []mountPoint {
	b.t.Helper()
	var ms []mountPoint
	out := b.must("inspect", "-f", "{{json .Mounts}}", ref)
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		b.t.Fatalf("inspect .Mounts of %s: %v: %s", ref, err, out)
	}
	return ms
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestVolumeNamedOutlivesContainers(t *testing.T) {
	b := newBerthEnv(t)
	since := time.Now().Add(-time.Second)
	if got := strings.TrimSpace(b.must("volume", "create", "--label", "app=web", "data")); got != "data" {
		t.Fatalf("volume create printed %q", got)
	}
	// A second create of the same name is the same volume, as docker.
	b.must("volume", "create", "data")
	b.must("run", "--name", "writer", "--network", "none", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	ms := b.mounts("writer")
	if len(ms) != 1 || ms[0].Type != "volume" || ms[0].Name != "data" || ms[0].Driver != "local" ||
		ms[0].Destination != "/data" || !ms[0].RW || ms[0].Mode != "z" || !strings.HasSuffix(ms[0].Source, "/volumes/data/_data") {
		t.Errorf(".Mounts = %+v, want the volume data on /data as docker shows it", ms)
	}
	if out := b.must("ps", "-a", "-q", "-f", "volume=data"); len(strings.Fields(out)) != 1 {
		t.Errorf("ps -f volume=data = %q, want the writer", out)
	}
	if out := b.must("ps", "-a", "-q", "-f", "volume=/data"); len(strings.Fields(out)) != 1 {
		t.Errorf("ps -f volume=/data = %q, want the writer", out)
	}

	// In use, even by a stopped container: refused, exit 1, docker's words.
	_, stderr, code := b.run("volume", "rm", "data")
	if code != 1 || !strings.Contains(stderr, "volume is in use") {
		t.Errorf("volume rm of a volume in use: exit %d, %q; want 1, volume is in use", code, stderr)
	}
	b.must("rm", "-v", "writer") // -v removes anonymous volumes only
	if got := b.volumeNames(); len(got) != 1 || got[0] != "data" {
		t.Fatalf("volumes after rm -v = %q, want data kept", got)
	}
	if out := b.must("run", "--rm", "--network", "none", "-v", "data:/again:ro", "busybox", "cat", "/again/f"); out != "kept\n" {
		t.Errorf("a new container reads %q from the volume, want kept", out)
	}

	var vols []struct {
		Name, Driver, Mountpoint, Scope, CreatedAt string
		Labels                                     map[string]string
	}
	if err := json.Unmarshal([]byte(b.must("volume", "inspect", "data")), &vols); err != nil || len(vols) != 1 {
		t.Fatalf("volume inspect: %v", err)
	}
	v := vols[0]
	if v.Driver != "local" || v.Scope != "local" || v.Labels["app"] != "web" || !strings.HasSuffix(v.Mountpoint, "/volumes/data/_data") {
		t.Errorf("volume inspect = %+v", v)
	}
	if _, err := time.Parse(time.RFC3339, v.CreatedAt); err != nil {
		t.Errorf("CreatedAt %q: %v", v.CreatedAt, err)
	}
	if out := b.must("volume", "ls", "-f", "label=app=web", "--format", "{{.Name}} {{.Driver}}"); out != "data local\n" {
		t.Errorf("volume ls -f label=app=web = %q", out)
	}
	if out := b.must("volume", "ls", "-q", "-f", "dangling=true"); out != "data\n" {
		t.Errorf("volume ls -f dangling=true = %q, want data", out)
	}
	if out := b.must("system", "df", "--format", "{{.Type}} {{.TotalCount}}"); !strings.Contains(out, "Local Volumes 1") {
		t.Errorf("system df = %q, want one local volume", out)
	}

	// prune takes anonymous volumes only; -a the named ones too. The
	// docker CLI of the API run (20.10: API 1.41, no -a) gets the prune of
	// dockerd before API 1.42, named volumes included.
	if b.api == nil {
		b.must("volume", "prune", "-f")
		if got := b.volumeNames(); len(got) != 1 {
			t.Errorf("volume prune removed a named volume: %q left", got)
		}
		b.must("volume", "prune", "-a", "-f")
	} else {
		b.must("volume", "prune", "-f")
	}
	if got := b.volumeNames(); len(got) != 0 {
		t.Errorf("volume prune -a left %q", got)
	}
	missing := "no such volume"
	if b.api != nil {
		missing = "No such volume: data" // the docker CLI's words for a 404
	}
	if _, stderr, code := b.run("volume", "rm", "data"); code != 1 || !strings.Contains(stderr, missing) {
		t.Errorf("volume rm of a missing volume: exit %d, %q", code, stderr)
	}
	b.must("volume", "rm", "-f", "data")

	// --until takes whole seconds and stops at the second's start: wait
	// for the clock to leave the second of the last event.
	last := time.Now().Unix()
	for time.Now().Unix() == last {
		time.Sleep(10 * time.Millisecond)
	}
	events := b.must("events", "--since", strconv.FormatInt(since.Unix(), 10),
		"--until", strconv.FormatInt(time.Now().Unix(), 10), "--format", "{{json .}}")
	for _, action := range []string{"create", "mount", "unmount", "destroy"} {
		if !regexp.MustCompile(`"Type":"volume".*"Action":"` + action + `"|"Action":"` + action + `".*"Type":"volume"`).MatchString(events) {
			t.Errorf("no volume %s event in %s", action, events)
		}
	}
}

// volumeImage builds an image whose VOLUME /data has files with owners
// and modes of their own, and a symlink pointing out of the image.
func volumeImage(t *testing.T, b *berthEnv) {
	dir := t.TempDir()
	dockerfile := "FROM busybox\n" +
		"RUN mkdir -p /data/sub && echo image > /data/f && echo deep > /data/sub/g && " +
		"chown 1234:5678 /data/f && chmod 0640 /data/f && chown 42:43 /data && chmod 0750 /data && " +
		"ln -s ../../../../../../../../etc /data/escape\n" +
		"VOLUME /data\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "withvolume", dir)
}

func TestVolumeFromImageIsFilledFromTheImage(t *testing.T) {
	b := newBerthEnv(t)
	volumeImage(t, b)
	out := b.must("run", "--name", "c1", "--network", "none", "withvolume", "sh", "-c",
		"stat -c '%u:%g %a' /data /data/f; cat /data/f /data/sub/g; readlink /data/escape")
	want := "42:43 750\n1234:5678 640\nimage\ndeep\n../../../../../../../../etc\n"
	if out != want {
		t.Errorf("the image's VOLUME in the container:\n%s\nwant\n%s", out, want)
	}
	ms := b.mounts("c1")
	if len(ms) != 1 || ms[0].Type != "volume" || !hex64.MatchString(ms[0].Name) || ms[0].Destination != "/data" {
		t.Fatalf(".Mounts = %+v, want an anonymous volume on /data", ms)
	}
	// The symlink was copied as a symlink, never followed onto the host.
	if fi, err := os.Lstat(filepath.Join(ms[0].Source, "escape")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("escape in the volume: %v, %v; want a symlink", fi, err)
	}
	// The volume is filled once: what a container wrote stays.
	b.must("run", "--name", "c2", "--network", "none", "-v", "filled:/data", "withvolume", "sh", "-c", "echo mine > /data/f")
	b.must("rm", "c2")
	if out := b.must("run", "--rm", "--network", "none", "-v", "filled:/data", "withvolume", "cat", "/data/f", "/data/sub/g"); out != "mine\ndeep\n" {
		t.Errorf("the named volume after a second container = %q, want mine and deep", out)
	}

	// rm -v removes the anonymous volume and keeps the named one.
	b.must("rm", "-v", "c1")
	if got := b.volumeNames(); len(got) != 1 || got[0] != "filled" {
		t.Errorf("volumes after rm -v = %q, want filled only", got)
	}
	// --rm removes its anonymous volumes when the container goes.
	b.must("run", "--rm", "--network", "none", "-v", "/scratch", "withvolume", "true")
	deadline := time.Now().Add(20 * time.Second)
	for len(b.volumeNames()) != 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := b.volumeNames(); len(got) != 1 {
		t.Errorf("volumes after run --rm = %q, want filled only", got)
	}
}

func TestVolumesFrom(t *testing.T) {
	b := newBerthEnv(t)
	b.must("create", "--name", "source", "--network", "none", "-v", "/anon", "-v", "named:/named", "busybox", "true")
	b.must("run", "--rm", "--network", "none", "--volumes-from", "source", "busybox", "sh", "-c", "echo a > /anon/f; echo n > /named/f")
	out, _, code := b.run("run", "--rm", "--network", "none", "--volumes-from", "source:ro", "busybox", "sh", "-c",
		"cat /anon/f /named/f; echo x > /anon/g")
	if out != "a\nn\n" || code == 0 {
		t.Errorf("--volumes-from source:ro: %q, exit %d; want the data and a refused write", out, code)
	}
	// The anonymous volume is source's: it goes with rm -v source, once
	// no other container uses it.
	b.must("rm", "-v", "source")
	if got := b.volumeNames(); len(got) != 1 || got[0] != "named" {
		t.Errorf("volumes after rm -v source = %q, want named", got)
	}
	// Without -v the anonymous volume stays, for system prune --volumes,
	// which takes anonymous volumes only, as Docker 23 and later.
	b.must("create", "--name", "again", "--network", "none", "-v", "/anon", "busybox", "true")
	b.must("rm", "again")
	if got := b.volumeNames(); len(got) != 2 {
		t.Errorf("volumes after rm without -v = %q, want named and an anonymous one", got)
	}
	if out := b.must("system", "prune", "-f", "--volumes"); !strings.Contains(out, "Deleted Volumes:") {
		t.Errorf("system prune --volumes printed %q", out)
	}
	// Before API 1.42 (the docker 20.10 CLI of the API run) the prune
	// takes named volumes too, as dockerd's.
	if got := b.volumeNames(); b.api == nil && (len(got) != 1 || got[0] != "named") {
		t.Errorf("volumes after system prune --volumes = %q, want named", got)
	} else if b.api != nil && len(got) != 0 {
		t.Errorf("volumes after system prune --volumes at API 1.41 = %q, want none", got)
	}
}

func TestMountForms(t *testing.T) {
	b := newBerthEnv(t)
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "h"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := b.must("run", "--name", "m", "--network", "none",
		"--mount", "type=bind,src="+host+",dst=/bind,readonly",
		"--mount", "type=volume,src=mvol,dst=/vol,volume-label=k=v",
		"--mount", "type=tmpfs,dst=/tmp/t,tmpfs-size=1m,tmpfs-mode=1770",
		"--mount", "type=volume,dst=/anon,volume-nocopy",
		"busybox", "sh", "-c", "cat /bind/h; touch /bind/x 2>/dev/null && echo writable; grep ' /tmp/t ' /proc/mounts; stat -c %a /tmp/t; echo v > /vol/f")
	if !strings.HasPrefix(out, "host\n") || strings.Contains(out, "writable") ||
		!strings.Contains(out, "tmpfs /tmp/t tmpfs") || !strings.Contains(out, "size=1024k") || !strings.HasSuffix(out, "1770\n") {
		t.Errorf("--mount forms in the container:\n%s", out)
	}
	ms := b.mounts("m")
	byDst := map[string]mountPoint{}
	for _, m := range ms {
		byDst[m.Destination] = m
	}
	if m := byDst["/bind"]; m.Type != "bind" || m.Source != host || m.RW || m.Propagation != "rprivate" {
		t.Errorf("bind mount = %+v", m)
	}
	if m := byDst["/vol"]; m.Type != "volume" || m.Name != "mvol" || !m.RW {
		t.Errorf("volume mount = %+v", m)
	}
	if m := byDst["/tmp/t"]; m.Type != "tmpfs" || !m.RW {
		t.Errorf("tmpfs mount = %+v", m)
	}
	if m := byDst["/anon"]; m.Type != "volume" || !hex64.MatchString(m.Name) {
		t.Errorf("anonymous volume mount = %+v", m)
	}
	if out := b.must("volume", "inspect", "-f", "{{.Labels.k}}", "mvol"); out != "v\n" {
		t.Errorf("volume-label: %q", out)
	}

	// A volume of the local driver with a filesystem of its own.
	b.must("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m", "tmpvol")
	out = b.must("run", "--rm", "--network", "none", "-v", "tmpvol:/t", "busybox", "sh", "-c", "echo in > /t/f; grep ' /t ' /proc/mounts")
	if !strings.Contains(out, "tmpfs /t tmpfs") || !strings.Contains(out, "size=2048k") {
		t.Errorf("a tmpfs volume in the container: %q", out)
	}
	if out := b.must("run", "--rm", "--network", "none", "-v", "tmpvol:/t", "busybox", "cat", "/t/f"); out != "in\n" {
		t.Errorf("a tmpfs volume shared by the next container: %q", out)
	}
	mountpoint := strings.TrimSpace(b.must("volume", "inspect", "-f", "{{.Mountpoint}}", "tmpvol"))
	b.must("volume", "rm", "tmpvol")
	if mounts, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mounts), mountpoint) {
		t.Errorf("volume rm left its tmpfs mounted on %s", mountpoint)
	}

	// -v creates a missing host directory, as docker.
	missing := filepath.Join(t.TempDir(), "made", "here")
	b.must("run", "--rm", "--network", "none", "-v", missing+":/m", "busybox", "touch", "/m/f")
	if _, err := os.Stat(filepath.Join(missing, "f")); err != nil {
		t.Errorf("-v with a missing host directory: %v", err)
	}
}

// TestVolumeBadInput: each is refused with docker's exit code, and leaves
// no container, no volume and no host directory behind.
func TestVolumeBadInput(t *testing.T) {
	b := newBerthEnv(t)
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--network", "none", "--mount", "type=bind,src=" + missing + ",dst=/x", "busybox", "true"}, 125, "bind source path does not exist"},
		{[]string{"run", "--network", "none", "-v", "a/b:/x", "busybox", "true"}, 125, "includes invalid characters for a local volume name"},
		{[]string{"run", "--network", "none", "-v", "x:/x", "busybox", "true"}, 125, "includes invalid characters"},
		{[]string{"run", "--network", "none", "-v", "okvol:/x", "-v", "/tmp:/x", "busybox", "true"}, 125, "duplicate mount point: /x"},
		{[]string{"run", "--network", "none", "-v", missing + ":/x", "-v", "okvol:/proc/x", "busybox", "true"}, 125, "inside /proc"},
		{[]string{"run", "--network", "none", "--mount", "type=volume,src=v2,dst=/x,volume-driver=nfs", "busybox", "true"}, 125, "plugin \"nfs\" not found"},
		{[]string{"run", "--network", "none", "--mount", "type=volume,src=v3,dst=/x,volume-opt=size=1", "busybox", "true"}, 125, "invalid option key"},
		{[]string{"run", "--pull", "never", "--network", "none", "--volumes-from", "nobody", "busybox", "true"}, 125, "nobody"},
		{[]string{"run", "--network", "none", "--mount", "type=tmpfs,src=x,dst=/x", "busybox", "true"}, 125, "Source must not be specified"},
		{[]string{"volume", "create", "bad/name"}, 1, "includes invalid characters"},
		{[]string{"volume", "create", "-o", "type=tmpfs", "tv"}, 1, `missing required option: "device"`},
		{[]string{"volume", "create", "-d", "other", "dv"}, 1, `plugin "other" not found`},
	}
	if b.api != nil {
		// The docker CLI reads "x:" as a Windows drive letter and sends
		// x:/x as the path of an anonymous volume.
		tests[2].want = "'x:/x': the container path must be absolute"
	}
	for _, tt := range tests {
		_, stderr, code := b.run(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("berth %s: exit %d, %q; want %d, %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.want)
		}
	}
	if out := b.must("ps", "-aq"); out != "" {
		t.Errorf("containers left: %q", out)
	}
	if got := b.volumeNames(); len(got) != 0 {
		t.Errorf("volumes left: %q", got)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("%s was created by a refused run", missing)
	}
}

// TestVolumeCopyUpStaysInTheImage: an image whose VOLUME path is a
// symlink pointing far above its root, and whose volume content holds
// links out: the volume is filled from the image's own directory (the
// link resolved inside the image root), and the links are copied as
// links, never followed onto the host.
func TestVolumeCopyUpStaysInTheImage(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	dockerfile := "FROM busybox\n" +
		"RUN mkdir -p /inside && echo image > /inside/marker && ln -s /etc/hostname /inside/abs && " +
		"ln -s ../../../../../../../../../../inside /data\n" +
		"VOLUME /data\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "linkvolume", dir)
	if out := b.must("run", "--name", "l", "--network", "none", "linkvolume", "cat", "/data/marker", "/inside/marker"); out != "image\nimage\n" {
		t.Errorf("the volume behind the symlinked VOLUME path reads %q", out)
	}
	ms := b.mounts("l")
	if len(ms) != 1 {
		t.Fatalf(".Mounts = %+v", ms)
	}
	entries, err := os.ReadDir(ms[0].Source)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "abs,marker" {
		t.Errorf("the volume holds %q, want the image's abs and marker only", names)
	}
	if fi, err := os.Lstat(filepath.Join(ms[0].Source, "abs")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("abs in the volume: %v, %v; want a symlink", fi, err)
	}
}

// TestVolumePruneDuringCreate: a prune racing a create never takes the
// volume the create is making: a container that was created finds its
// named volume there.
func TestVolumePruneDuringCreate(t *testing.T) {
	b := newBerthEnv(t)
	for i := range 15 {
		name := fmt.Sprintf("v%d", i)
		done := make(chan struct{})
		go func() {
			defer close(done)
			b.run("volume", "prune", "-a", "-f")
		}()
		_, stderr, code := b.run("create", "--pull", "never", "--network", "none", "--name", "c"+name, "-v", name+":/data", "busybox", "true")
		<-done
		if code != 0 {
			t.Fatalf("create with volume %s: exit %d: %s", name, code, stderr)
		}
		if _, stderr, code := b.run("volume", "inspect", name); code != 0 {
			t.Fatalf("volume %s of a created container was pruned: %s", name, stderr)
		}
	}
}
