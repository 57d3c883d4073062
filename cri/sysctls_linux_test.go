package cri

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
	"berth/internal/testenv"
	"berth/ptyexec/nsenter"
)

// TestPodSysctls: a pod's sysctls are set in its pinned IPC and network
// namespaces (critest's sysctl specs: the containers, which join them,
// may not set them), not in the host's; a sysctl of a namespace the pod
// does not own is refused.
func TestPodSysctls(t *testing.T) {
	testenv.RequireRoot(t)
	dir := filepath.Join(t.TempDir(), "ns")
	kinds := []string{"net", "ipc"}
	if err := pinNamespaces(dir, kinds, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unpinNamespaces(dir); err != nil {
			t.Error(err)
		}
	})
	host, err := os.ReadFile("/proc/sys/fs/mqueue/msg_max")
	if err != nil {
		t.Fatal(err)
	}
	want := "17"
	if strings.TrimSpace(string(host)) == want {
		want = "18"
	}
	sysctls := map[string]string{"kernel.shm_rmid_forced": "1", "fs.mqueue.msg_max": want, "net.ipv4.ip_unprivileged_port_start": "0"}
	if err := setPodSysctls(dir, kinds, sysctls); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = osthread.Discarded(func() error {
		for _, k := range kinds {
			f, err := os.Open(filepath.Join(dir, k))
			if err != nil {
				return err
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), nsenter.Namespace(k).CloneFlag()); err != nil {
				return fmt.Errorf("join %s: %w", k, err)
			}
		}
		for _, p := range []string{"kernel/shm_rmid_forced", "fs/mqueue/msg_max", "net/ipv4/ip_unprivileged_port_start"} {
			b, err := os.ReadFile("/proc/sys/" + p)
			if err != nil {
				return err
			}
			got = append(got, strings.TrimSpace(string(b)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "1 "+want+" 0" {
		t.Errorf("in the pod's namespaces: %v", got)
	}
	if after, _ := os.ReadFile("/proc/sys/fs/mqueue/msg_max"); string(after) != string(host) {
		t.Errorf("the host's fs.mqueue.msg_max changed: %s -> %s", host, after)
	}
	// A pod on the host's IPC namespace may not change it.
	if err := setPodSysctls(dir, []string{"net"}, map[string]string{"kernel.shm_rmid_forced": "1"}); err == nil {
		t.Error("an IPC sysctl on the host's IPC namespace was accepted")
	}
}
