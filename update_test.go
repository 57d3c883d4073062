package main

// berth update on real containers: live cgroup changes on a running
// one, recorded ones on a stopped one, docker's refusals, and berth's own
// --publish-add/--publish-rm.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cgroupValue reads a file of the container's cgroup: v2's name, else
// v1's in its controller's hierarchy.
func (b *berthEnv) cgroupValue(t *testing.T, name, controller, v1, v2 string) string {
	t.Helper()
	id := b.inspect(".Id", name)
	for _, p := range []string{
		filepath.Join("/sys/fs/cgroup", b.parent, id, v2),
		filepath.Join("/sys/fs/cgroup", controller, b.parent, id, v1),
	} {
		if data, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(data))
		}
	}
	t.Fatalf("%s: no cgroup file %s or %s", name, v2, v1)
	return ""
}

func TestUpdateRunning(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	if got := b.must("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "50",
		"--cpu-shares", "512", "--cpuset-cpus", "0", "--restart", "on-failure:3", "c"); got != "c\n" {
		t.Errorf("update printed %q, want the container as given", got)
	}
	if got := b.cgroupValue(t, "c", "memory", "memory.limit_in_bytes", "memory.max"); got != "67108864" {
		t.Errorf("memory limit %s, want 67108864", got)
	}
	if got := b.cgroupValue(t, "c", "pids", "pids.max", "pids.max"); got != "50" {
		t.Errorf("pids.max %s, want 50", got)
	}
	if got := b.cgroupValue(t, "c", "cpuset", "cpuset.cpus", "cpuset.cpus"); got != "0" {
		t.Errorf("cpuset.cpus %s, want 0", got)
	}
	quota := b.cgroupValue(t, "c", "cpu", "cpu.cfs_quota_us", "cpu.max")
	if quota != "50000" && quota != "50000 100000" {
		t.Errorf("cpu quota %q, want 50000 per 100000", quota)
	}
	for field, want := range map[string]string{
		".HostConfig.Memory": "67108864", ".HostConfig.MemorySwap": "134217728", ".HostConfig.NanoCpus": "500000000",
		".HostConfig.PidsLimit": "50", ".HostConfig.CpuShares": "512", ".HostConfig.CpusetCpus": "0",
		".HostConfig.RestartPolicy.Name": "on-failure", ".HostConfig.RestartPolicy.MaximumRetryCount": "3",
	} {
		if got := b.inspect(field, "c"); got != want {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	// Unlimited again.
	b.must("update", "--pids-limit", "-1", "c")
	if got := b.cgroupValue(t, "c", "pids", "pids.max", "pids.max"); got != "max" {
		t.Errorf("pids.max after --pids-limit -1: %s", got)
	}
	if got := b.inspect(".HostConfig.PidsLimit", "c"); got != "<nil>" && got != "<no value>" && got != "0" {
		t.Errorf("PidsLimit after -1: %s", got)
	}

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"update", "--memory", "256m", "c"}, "memory limit should be smaller than already set memoryswap limit"},
		{[]string{"update", "--memory", "1m", "c"}, "minimum memory limit allowed is 6MB"},
		{[]string{"update", "--memory-swap", "32m", "c"}, "minimum memoryswap limit should be larger than memory limit"},
		{[]string{"update", "c"}, "you must provide one or more flags"},
		{[]string{"update", "--restart", "sometimes", "c"}, "invalid restart policy"},
		{[]string{"update", "--cpus", "1", "nosuch"}, "no such container"},
		{[]string{"update", "--publish-add", "8080:80", "c"}, "stop it first"},
		{[]string{"update", "--cpu-period", "50000", "c"}, "Nano CPUs and CPU Period cannot both be set"},
		{[]string{"update", "--memory-reservation", "128m", "c"}, "memory limit can not be less than memory reservation limit"},
		{[]string{"update", "--memory-reservation", "1m", "c"}, "Minimum memory reservation allowed is 6MB"},
	} {
		if b.api != nil && tc.args[1] == "--publish-add" {
			continue // berth's own flag
		}
		_, stderr, code := b.cpRun(nil, tc.args...)
		if code != 1 || !strings.Contains(strings.ToLower(stderr), strings.ToLower(tc.msg)) {
			t.Errorf("berth %s: exit %d, %q; want exit 1 and %q", strings.Join(tc.args, " "), code, stderr, tc.msg)
		}
	}
	if got := b.inspect(".HostConfig.Memory", "c"); got != "67108864" {
		t.Errorf("a refused update changed the memory limit to %s", got)
	}

	// The soft limit, and the CFS period and quota once --cpus is gone.
	// The docker CLI sends --cpus 0 as "unchanged", as dockerd reads it:
	// through it the CPU limit stays, and so no CFS period can be set.
	if b.api == nil {
		b.must("update", "--memory-reservation", "32m", "--cpus", "0", "--cpu-period", "50000", "--cpu-quota", "25000", "c")
	} else {
		b.must("update", "--memory-reservation", "32m", "c")
	}
	if got := b.cgroupValue(t, "c", "memory", "memory.soft_limit_in_bytes", "memory.low"); got != "33554432" {
		t.Errorf("memory soft limit %s, want 33554432", got)
	}
	if quota := b.cgroupValue(t, "c", "cpu", "cpu.cfs_quota_us", "cpu.max"); b.api == nil && quota != "25000" && quota != "25000 50000" {
		t.Errorf("cpu quota %q, want 25000 per 50000", quota)
	}
	if got := b.inspect(".HostConfig.MemoryReservation", "c"); got != "33554432" {
		t.Errorf("MemoryReservation = %s", got)
	}

	b.must("run", "-d", "--rm", "--pull", "never", "--name", "gone", "--network", "none", "busybox", "sleep", "600")
	if _, stderr, code := b.cpRun(nil, "update", "--restart", "always", "gone"); code != 1 || !strings.Contains(stderr, "AutoRemove") {
		t.Errorf("update --restart of a --rm container: exit %d, %q", code, stderr)
	}
}

// TestUpdateStopped records the change for the next start.
func TestUpdateStopped(t *testing.T) {
	b := newBerthEnv(t)
	b.must("create", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	b.must("update", "--memory", "32m", "--pids-limit", "20", "c")
	if got := b.inspect(".HostConfig.Memory", "c"); got != "33554432" {
		t.Errorf("Memory %s after update of a created container", got)
	}
	b.must("start", "c")
	if got := b.cgroupValue(t, "c", "memory", "memory.limit_in_bytes", "memory.max"); got != "33554432" {
		t.Errorf("memory limit at start %s, want 33554432", got)
	}
	if got := b.cgroupValue(t, "c", "pids", "pids.max", "pids.max"); got != "20" {
		t.Errorf("pids.max at start %s, want 20", got)
	}
}

// TestUpdatePublish changes the port bindings of a created container,
// berth's own beyond docker.
func TestUpdatePublish(t *testing.T) {
	b := newBerthEnv(t)
	b.must("create", "--pull", "never", "--name", "c", "-p", "127.0.0.1:8001:80", "busybox", "sleep", "600")
	b.must("update", "--publish-add", "127.0.0.1:8002:81/udp", "--publish-add", "8003:82", "c")
	got := b.inspect("json .HostConfig.PortBindings", "c")
	for _, want := range []string{`"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8001"}]`,
		`"81/udp":[{"HostIp":"127.0.0.1","HostPort":"8002"}]`, `"82/tcp":[{"HostIp":"","HostPort":"8003"}]`} {
		if !strings.Contains(got, want) {
			t.Errorf("PortBindings %s lack %s", got, want)
		}
	}
	if exposed := b.inspect("json .Config.ExposedPorts", "c"); !strings.Contains(exposed, `"81/udp"`) {
		t.Errorf("ExposedPorts %s lack 81/udp", exposed)
	}
	b.must("update", "--publish-rm", "80", "--publish-rm", "127.0.0.1:8002:81/udp", "c")
	got = b.inspect("json .HostConfig.PortBindings", "c")
	if strings.Contains(got, "80/tcp") || strings.Contains(got, "81/udp") || !strings.Contains(got, "82/tcp") {
		t.Errorf("PortBindings after --publish-rm: %s", got)
	}
	if _, stderr, code := b.cpRun(nil, "update", "--publish-add", "nonsense:x", "c"); code != 1 || !strings.Contains(stderr, "invalid") {
		t.Errorf("update --publish-add nonsense:x: exit %d, %q", code, stderr)
	}
	b.must("create", "--pull", "never", "--name", "none", "--network", "none", "busybox", "true")
	if _, stderr, code := b.cpRun(nil, "update", "--publish-add", "8004:80", "none"); code != 1 || !strings.Contains(stderr, "--network none") {
		t.Errorf("update --publish-add on --network none: exit %d, %q", code, stderr)
	}
}
