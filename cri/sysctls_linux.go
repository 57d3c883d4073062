package cri

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/containerinit"
	"berth/internal/osthread"
	"berth/ptyexec/nsenter"
)

// setPodSysctls writes a pod's sysctls into its pinned namespaces in
// dir (kinds are those it pinned): a thread of its own, thrown away
// after, joins the pod's IPC and network namespaces, whose /proc/sys
// files are then the pod's. Only sysctls of namespaces the pod owns are
// allowed, as docker allows them (containerinit.CheckSysctl): the
// containers, which join these namespaces, may not set them themselves.
func setPodSysctls(dir string, kinds []string, sysctls map[string]string) error {
	if len(sysctls) == 0 {
		return nil
	}
	own := containerinit.SysctlNamespaces{OwnNetwork: slices.Contains(kinds, "net"), OwnIPC: slices.Contains(kinds, "ipc")}
	for k, v := range sysctls {
		if err := containerinit.CheckSysctl(k+"="+v, own); err != nil {
			return fmt.Errorf("set pod sysctls: %w", err)
		}
	}
	return osthread.Discarded(func() error {
		for _, kind := range []string{"ipc", "net"} {
			if !slices.Contains(kinds, kind) {
				continue
			}
			f, err := os.Open(filepath.Join(dir, kind))
			if err != nil {
				return fmt.Errorf("set pod sysctls: %w", err)
			}
			err = unix.Setns(int(f.Fd()), nsenter.Namespace(kind).CloneFlag())
			_ = f.Close() // read-only: the join is done
			if err != nil {
				return fmt.Errorf("set pod sysctls: join the pod's %s namespace: %w", kind, err)
			}
		}
		for k, v := range sysctls {
			p := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
			if err := os.WriteFile(p, []byte(v), 0); err != nil {
				return fmt.Errorf("set pod sysctl %s=%s: %w", k, v, err)
			}
		}
		return nil
	})
}
