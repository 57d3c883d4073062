package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/cgroups"
)

// The tests in this file run docker run's resource and process flags
// (--ulimit, --shm-size, --group-add, --sysctl, --oom-score-adj,
// --memory-reservation, --oom-kill-disable, --cpu-period/--cpu-quota,
// --device-*-bps/iops, --log-driver, -a, --platform, --cidfile) in real
// containers and read back what the kernel holds.

// runOut runs berth and returns its stdout, stderr and exit code.
func (b *berthEnv) runOut(args ...string) (string, string, int) {
	b.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := b.cmd(args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// inspectHost decodes a container's HostConfig.
func inspectHost(t *testing.T, b *berthEnv, id string) map[string]any {
	t.Helper()
	var hc map[string]any
	if err := json.Unmarshal([]byte(b.must("inspect", "-f", "{{json .HostConfig}}", id)), &hc); err != nil {
		t.Fatal(err)
	}
	return hc
}

// cgroupValue reads one file of a container's cgroup: v1 names the
// controller's hierarchy, v2 has one directory.
func cgroupValue(t *testing.T, b *berthEnv, id, ctrl, file string) string {
	t.Helper()
	v, err := cgroups.Detect("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("/sys/fs/cgroup", b.parent, id)
	if v == cgroups.V1 {
		dir = filepath.Join("/sys/fs/cgroup", ctrl, b.parent, id)
	}
	out, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// hostDisk is a block device of this host, as "/dev/NAME" and "MAJ:MIN",
// or "" when there is none to throttle.
func hostDisk() (string, string) {
	f, err := os.Open("/proc/partitions")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) != 4 || fields[0] == "major" {
			continue
		}
		var st unix.Stat_t
		path := "/dev/" + fields[3]
		if unix.Stat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFBLK {
			return path, fields[0] + ":" + fields[1]
		}
	}
	return "", ""
}

func TestResflagsCgroupLimits(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	version, err := cgroups.Detect("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "-d", "--pull", "never", "-m", "64m", "--memory-reservation", "32m",
		"--cpu-period", "50000", "--cpu-quota", "25000"}
	if version == cgroups.V1 {
		args = append(args, "--oom-kill-disable")
	}
	disk, devno := hostDisk()
	if disk != "" {
		args = append(args, "--device-read-bps", disk+":1mb", "--device-write-iops", disk+":100")
	}
	features, err := cgroups.Probe("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	args = append(args, "--blkio-weight", "300")
	stdout, stderr, code := b.runOut(append(args, "busybox", "sleep", "1000")...)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	id := strings.TrimSpace(stdout)
	const noWeight = "WARNING: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."
	if warned := strings.Contains(stderr, noWeight); warned == features.BlkioWeight {
		t.Errorf("run --blkio-weight: stderr %q; want docker's warning only when the host has no weight (%v)", stderr, features.BlkioWeight)
	}

	hc := inspectHost(t, b, id)
	wantWeight := 0.0
	if features.BlkioWeight {
		wantWeight = 300
		file, want := "blkio.weight", "300"
		if version == cgroups.V2 {
			file, want = "io.weight", "default 2930"
		}
		if got := cgroupValue(t, b, id, "blkio", file); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	if hc["BlkioWeight"] != wantWeight {
		t.Errorf("HostConfig.BlkioWeight = %v, want %v", hc["BlkioWeight"], wantWeight)
	}
	for key, want := range map[string]float64{
		"Memory": 64 << 20, "MemorySwap": 128 << 20, "MemoryReservation": 32 << 20,
		"CpuPeriod": 50000, "CpuQuota": 25000, "ShmSize": 64 << 20,
	} {
		if got, _ := hc[key].(float64); got != want {
			t.Errorf("HostConfig.%s = %v, want %v", key, hc[key], want)
		}
	}
	if got, ok := hc["OomKillDisable"].(bool); !ok || got != (version == cgroups.V1) {
		t.Errorf("HostConfig.OomKillDisable = %v, want %v", hc["OomKillDisable"], version == cgroups.V1)
	}

	if version == cgroups.V1 {
		for _, tt := range []struct{ ctrl, file, want string }{
			{"memory", "memory.soft_limit_in_bytes", "33554432"},
			{"memory", "memory.memsw.limit_in_bytes", "134217728"},
			{"cpu", "cpu.cfs_period_us", "50000"},
			{"cpu", "cpu.cfs_quota_us", "25000"},
		} {
			if got := cgroupValue(t, b, id, tt.ctrl, tt.file); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.file, got, tt.want)
			}
		}
		if got := cgroupValue(t, b, id, "memory", "memory.oom_control"); !strings.Contains(got, "oom_kill_disable 1") {
			t.Errorf("memory.oom_control = %q, want oom_kill_disable 1", got)
		}
		if disk != "" {
			if got := cgroupValue(t, b, id, "blkio", "blkio.throttle.read_bps_device"); !strings.Contains(got, devno+" 1048576") {
				t.Errorf("blkio.throttle.read_bps_device = %q, want %s 1048576", got, devno)
			}
			if got := cgroupValue(t, b, id, "blkio", "blkio.throttle.write_iops_device"); !strings.Contains(got, devno+" 100") {
				t.Errorf("blkio.throttle.write_iops_device = %q, want %s 100", got, devno)
			}
		}
	} else {
		for _, tt := range []struct{ file, want string }{
			{"memory.low", "33554432"},
			{"memory.swap.max", "67108864"},
			{"cpu.max", "25000 50000"},
		} {
			if got := cgroupValue(t, b, id, "", tt.file); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.file, got, tt.want)
			}
		}
		if disk != "" {
			if got := cgroupValue(t, b, id, "", "io.max"); !strings.Contains(got, devno+" rbps=1048576") || !strings.Contains(got, "wiops=100") {
				t.Errorf("io.max = %q, want %s rbps=1048576 and wiops=100", got, devno)
			}
		}
	}
	if disk != "" {
		if rbps, _ := hc["BlkioDeviceReadBps"].([]any); len(rbps) != 1 || rbps[0].(map[string]any)["Path"] != disk || rbps[0].(map[string]any)["Rate"] != float64(1<<20) {
			t.Errorf("HostConfig.BlkioDeviceReadBps = %v, want [{%s 1048576}]", hc["BlkioDeviceReadBps"], disk)
		}
	}
}

// Docker drops what the host's cgroups cannot do with a warning; v2 has
// no OOM-killer switch.
func TestResflagsOomKillDisableOnV2Warns(t *testing.T) {
	t.Parallel()
	if v, err := cgroups.Detect("/sys/fs/cgroup"); err != nil || v != cgroups.V2 {
		t.Skip("cgroup v2 only")
	}
	b := newBerthEnv(t)
	_, stderr, code := b.runOut("run", "--rm", "--pull", "never", "--oom-kill-disable", "busybox", "true")
	if code != 0 || !strings.Contains(stderr, "WARNING: Your kernel does not support OomKillDisable. OomKillDisable discarded.") {
		t.Errorf("run --oom-kill-disable on v2: exit %d, stderr %q; want 0 and docker's warning", code, stderr)
	}
}

func TestResflagsProcessSettings(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	script := `ulimit -n; ulimit -Hn; ulimit -u; df -k /dev/shm | tail -1 | awk '{print $2}'; ` +
		`cat /proc/self/oom_score_adj; cat /proc/sys/kernel/shmmax; cat /proc/sys/net/ipv4/ip_forward; id`
	id := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "-u", "1000",
		"--ulimit", "nofile=1000:2000", "--ulimit", "nproc=77", "--shm-size", "16m", "--oom-score-adj", "500",
		"--sysctl", "kernel.shmmax=123456", "--sysctl", "net.ipv4.ip_forward=1",
		"--group-add", "1234", "--group-add", "nogroup",
		"busybox", "sh", "-c", script+"; sleep 1000"))
	waitFor(t, "the container's output", 10e9, func() bool {
		return strings.Contains(b.must("logs", id), "uid=")
	})
	want := "1000\n2000\n77\n16384\n500\n123456\n1\nuid=1000 gid=0(root) groups=0(root),1234,65534(nogroup)\n"
	if got := b.must("logs", id); got != want {
		t.Errorf("container saw\n%s\nwant\n%s", got, want)
	}
	// exec'd processes get the container's ulimits, OOM score and groups.
	got := b.must("exec", id, "sh", "-c", "ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; id")
	if want := "1000\n2000\n500\nuid=1000 gid=0(root) groups=0(root),1234,65534(nogroup)\n"; got != want {
		t.Errorf("exec saw\n%s\nwant\n%s", got, want)
	}
	if got := b.must("exec", "-u", "nobody", id, "id"); got != "uid=65534(nobody) gid=65534(nogroup) groups=1234,65534(nogroup)\n" {
		t.Errorf("exec -u nobody: id = %q", got)
	}
	hc := inspectHost(t, b, id)
	ulimits, _ := json.Marshal(hc["Ulimits"])
	if string(ulimits) != `[{"Hard":2000,"Name":"nofile","Soft":1000},{"Hard":77,"Name":"nproc","Soft":77}]` {
		t.Errorf("HostConfig.Ulimits = %s", ulimits)
	}
	sysctls, _ := json.Marshal(hc["Sysctls"])
	groups, _ := json.Marshal(hc["GroupAdd"])
	if string(sysctls) != `{"kernel.shmmax":"123456","net.ipv4.ip_forward":"1"}` || string(groups) != `["1234","nogroup"]` || hc["OomScoreAdj"] != float64(500) || hc["ShmSize"] != float64(16<<20) {
		t.Errorf("HostConfig: Sysctls %s, GroupAdd %s, OomScoreAdj %v, ShmSize %v", sysctls, groups, hc["OomScoreAdj"], hc["ShmSize"])
	}
}

// As docker: `id` shows the primary group among the groups of any user.
func TestResflagsSupplementaryGroupsOfUsers(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	for user, want := range map[string]string{
		"":       "uid=0(root) gid=0(root) groups=0(root)\n",
		"1000":   "uid=1000 gid=0(root) groups=0(root)\n",
		"nobody": "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n",
	} {
		if got := b.must("run", "--rm", "--pull", "never", "-u", user, "busybox", "id"); got != want {
			t.Errorf("run -u %q id = %q, want %q", user, got, want)
		}
	}
}

func TestResflagsLogDriver(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	id := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--log-driver", "none", "busybox", "echo", "hi"))
	b.must("wait", id)
	if got := b.must("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", id); got != "none\n" {
		t.Errorf("LogConfig.Type = %q, want none", got)
	}
	if _, stderr, code := b.runOut("logs", id); code == 0 || !strings.Contains(stderr, "configured logging driver does not support reading") {
		t.Errorf("logs of a none-driver container: exit %d, stderr %q; want docker's error", code, stderr)
	}
	if got := b.must("run", "--rm", "--pull", "never", "--log-driver", "none", "busybox", "echo", "attached"); got != "attached\n" {
		t.Errorf("run --log-driver none printed %q, want the output attached", got)
	}
	local := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--log-driver", "local", "busybox", "echo", "kept"))
	b.must("wait", local)
	if got := b.must("logs", local); got != "kept\n" {
		t.Errorf("logs of a local-driver container = %q", got)
	}
}

func TestResflagsAttach(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	stdout, stderr, code := b.runOut("run", "--rm", "--pull", "never", "-a", "stdout", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
	if stdout != "out\n" || stderr != "" || code != 3 {
		t.Errorf("run -a stdout: stdout %q, stderr %q, exit %d; want out, nothing, 3", stdout, stderr, code)
	}
	stdout, stderr, code = b.runOut("run", "--rm", "--pull", "never", "-a", "STDERR", "busybox", "sh", "-c", "echo out; echo err >&2")
	if stdout != "" || stderr != "err\n" || code != 0 {
		t.Errorf("run -a STDERR: stdout %q, stderr %q, exit %d; want nothing, err, 0", stdout, stderr, code)
	}
}

func TestResflagsCidfile(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	path := filepath.Join(t.TempDir(), "cid")
	id := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--cidfile", path, "busybox", "true"))
	if got, err := os.ReadFile(path); err != nil || string(got) != id {
		t.Errorf("cidfile holds %q (%v), want %s", got, err, id)
	}
	if got := b.must("inspect", "-f", "{{.HostConfig.ContainerIDFile}}", id); got != path+"\n" {
		t.Errorf("ContainerIDFile = %q, want %s", got, path)
	}
	_, stderr, code := b.runOut("run", "-d", "--pull", "never", "--cidfile", path, "busybox", "true")
	if code != 125 || !strings.Contains(stderr, "container ID file found, make sure the other container isn't running or delete "+path) {
		t.Errorf("second run with the same cidfile: exit %d, stderr %q", code, stderr)
	}
	failed := filepath.Join(t.TempDir(), "cid")
	if _, _, code := b.runOut("run", "--pull", "never", "--cidfile", failed, "nosuchimage", "true"); code != 125 {
		t.Errorf("run of a missing image: exit %d, want 125", code)
	}
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("a failed create left its cidfile: %v", err)
	}
}

func TestResflagsPlatform(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	for _, p := range []string{"linux", "linux/" + runtime.GOARCH} {
		if _, stderr, code := b.runOut("run", "--rm", "--pull", "never", "--platform", p, "busybox", "true"); code != 0 {
			t.Errorf("run --platform %s: exit %d: %s", p, code, stderr)
		}
	}
	other := "linux/arm64"
	if runtime.GOARCH == "arm64" {
		other = "linux/amd64"
	}
	_, stderr, code := b.runOut("run", "--rm", "--pull", "never", "--platform", other, "busybox", "true")
	if code != 125 || !strings.Contains(stderr, "does not match the specified platform ("+other+")") {
		t.Errorf("run --platform %s: exit %d, stderr %q; want 125 and docker's message", other, code, stderr)
	}
}

func TestResflagsBadInput(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	existing := filepath.Join(t.TempDir(), "cid")
	if err := os.WriteFile(existing, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args   []string
		want   string
		daemon bool // docker's daemon refuses it: create exits 1, run 125
	}{
		{[]string{"--ulimit", "nofile"}, `invalid argument "nofile" for "--ulimit" flag`, false},
		{[]string{"--ulimit", "bogus=1"}, `invalid ulimit type: bogus`, false},
		{[]string{"--ulimit", "nofile=20:10"}, `ulimit soft limit must be less than or equal to hard limit`, false},
		{[]string{"--shm-size", "-1"}, `invalid argument "-1" for "--shm-size" flag`, false},
		{[]string{"--sysctl", "kernel.hostname=x"}, `sysctl 'kernel.hostname=x' is not allowed`, true},
		{[]string{"--sysctl", "vm.swappiness=1"}, `sysctl 'vm.swappiness=1' is not allowed`, true},
		{[]string{"--sysctl", "net.ipv4.ip_forward=1", "--network", "host"}, `sysctl "net.ipv4.ip_forward" not allowed in host network namespace`, true},
		{[]string{"--log-driver", "syslog"}, `log driver "syslog" is not supported`, true},
		{[]string{"--log-driver", "nosuch"}, `logger: no log driver named 'nosuch' is registered`, true},
		{[]string{"-d", "-a", "stdout"}, `conflicting options: cannot specify both --attach and --detach`, false},
		{[]string{"-a", "stdweird"}, `valid streams are STDIN, STDOUT and STDERR`, false},
		{[]string{"--platform", "a/b/c/d"}, `unknown operating system or architecture`, true},
		{[]string{"--memory-reservation", "1m"}, `Minimum memory reservation allowed is 6MB`, true},
		{[]string{"-m", "16m", "--memory-reservation", "32m"}, `Minimum memory limit can not be less than memory reservation limit`, true},
		{[]string{"--oom-score-adj", "1001"}, `Invalid value 1001, range for oom score adj is [-1000, 1000]`, true},
		{[]string{"--cpus", "1", "--cpu-period", "50000"}, `Conflicting options: Nano CPUs and CPU Period cannot both be set`, true},
		{[]string{"--cpus", "1", "--cpu-quota", "50000"}, `Conflicting options: Nano CPUs and CPU Quota cannot both be set`, true},
		{[]string{"--cpu-period", "999"}, `CPU cfs period can not be less than 1ms`, true},
		{[]string{"--cpu-quota", "999"}, `CPU cfs quota can not be less than 1ms`, true},
		{[]string{"--device-read-bps", "vda:1mb"}, `bad format for device path: vda:1mb`, false},
		{[]string{"--device-write-bps", "/dev/null:fast"}, `invalid rate for device: /dev/null:fast`, false},
		{[]string{"--device-read-iops", "/dev/null:1k"}, `invalid rate for device: /dev/null:1k`, false},
		{[]string{"--cidfile", existing}, `container ID file found, make sure the other container isn't running or delete ` + existing, true},
	} {
		for _, verb := range []string{"run", "create"} {
			if verb == "create" && (tt.args[0] == "-d" || tt.args[0] == "-a") {
				continue
			}
			args := append(append([]string{verb, "--pull", "never"}, tt.args...), "busybox", "true")
			wantCode := 125
			if verb == "create" && tt.daemon {
				wantCode = 1
			}
			_, stderr, code := b.runOut(args...)
			if code != wantCode || !strings.Contains(stderr, tt.want) {
				t.Errorf("berth %s: exit %d, stderr %q; want %d and %q", strings.Join(args, " "), code, stderr, wantCode, tt.want)
			}
		}
	}
	if ids := strings.TrimSpace(b.must("ps", "-aq")); ids != "" {
		t.Errorf("bad input left containers: %s", ids)
	}
	if got, _ := os.ReadFile(existing); string(got) != "x" {
		t.Errorf("a refused run changed the existing cidfile to %q", got)
	}
	if dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*", b.parent, "*")); len(dirs) > 0 {
		var groups []string
		for _, d := range dirs {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				groups = append(groups, d)
			}
		}
		if len(groups) > 0 {
			t.Errorf("bad input left cgroups: %v", groups)
		}
	}
}

// TestUlimitsOnTinyInit: with --init the container's PID 1 is berth's
// tiny init, and the limits are on it too, as on docker-init (its soft
// open files limit is its own: Go raises it towards the hard one at
// start, and gives children the original back).
func TestUlimitsOnTinyInit(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--name", "lim", "--init", "--ulimit", "nofile=1000:2000", "--pull", "never", "busybox:latest", "sleep", "300")
	limits := b.must("exec", "lim", "cat", "/proc/1/limits")
	for line := range strings.SplitSeq(limits, "\n") {
		if strings.HasPrefix(line, "Max open files") {
			if f := strings.Fields(line); len(f) < 5 || f[4] != "2000" {
				t.Fatalf("PID 1's open files limit: %q, want the hard limit 2000", line)
			}
			b.must("rm", "-f", "lim")
			return
		}
	}
	t.Fatalf("no open files limit in PID 1's limits:\n%s", limits)
}
