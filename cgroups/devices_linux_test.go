package cgroups

import (
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// deviceProbe is a shell loop that, for each line it reads, tries the
// device accesses the tests judge and prints one word for each: opening
// /dev/null, opening /dev/loop-control (10:237, which opens harmlessly)
// for reading, and making a node of loop-control's numbers in $DIR with
// mknod and opening that. A word ends in -ok, -eperm or -fail.
const deviceProbe = `
try() {
	out=$( (exec 3<"$2") 2>&1 ) && { r="$r $1-ok"; return; }
	case "$out" in
	*"not permitted"*) r="$r $1-eperm" ;;
	*) r="$r $1-fail" ;;
	esac
}
n=0
while read x; do
	n=$((n+1))
	r=""
	try null /dev/null
	try loop /dev/loop-control
	if mknod "$DIR/node$n" c 10 237 2>/dev/null; then
		try node "$DIR/node$n"
	else
		r="$r mknod-eperm"
	fi
	echo $r
done`

// TestHostDeviceRules runs the device rules against the real kernel, on
// every tree hostRoots finds: the v1 devices controller, and on a hybrid
// host the eBPF device program on the cgroup2 tree too, which the kernel
// runs for a task's unified group whatever its v1 groups say.
func TestHostDeviceRules(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			if h.version == V1 && !h.hasController("devices") {
				t.Skip("no v1 devices controller")
			}
			m := newGroup(t, h)
			if err := m.Create(Resources{Devices: DefaultDeviceRules()}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			c := startChild(t, "DIR="+dir+"\n"+deviceProbe)
			if err := m.Add(c.pid()); err != nil {
				t.Fatal(err)
			}
			probe := func(want string) {
				t.Helper()
				c.release(t)
				if got := c.readLine(t); got != want {
					t.Errorf("probe printed %q, want %q", got, want)
				}
			}
			probe("null-ok loop-eperm node-eperm")

			// --device /dev/loop-control, read only.
			rule, err := ParseDeviceRule("c 10:237 r")
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Update(Resources{Devices: append(DefaultDeviceRules(), rule)}); err != nil {
				t.Fatal(err)
			}
			probe("null-ok loop-ok node-ok")

			// A list that allows nothing: not even mknod.
			if err := m.Update(Resources{Devices: []DeviceRule{{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: DeviceRWM}}}); err != nil {
				t.Fatal(err)
			}
			probe("null-eperm loop-eperm mknod-eperm")

			// No filter at all (--privileged).
			if err := m.Update(Resources{}); err != nil {
				t.Fatal(err)
			}
			probe("null-ok loop-ok node-ok")
			if h.version == V2 {
				if n := attachedPrograms(t, filepath.Join(h.root, m.Path())); n != 0 {
					t.Errorf("%d device programs left attached after Update without rules", n)
				}
			}
		})
	}
}

// attachedPrograms counts the device programs attached to the group dir.
func attachedPrograms(t testing.TB, dir string) int {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	res, err := link.QueryPrograms(link.QueryOptions{Target: fd, Attach: ebpf.AttachCGroupDevice})
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Programs)
}
