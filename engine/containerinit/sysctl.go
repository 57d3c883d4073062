package containerinit

import (
	"fmt"
	"strings"
)

// namespacedSysctls are the sysctls outside net.* and fs.mqueue.* that
// belong to a container's IPC namespace: docker's list.
var namespacedSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// SysctlNamespaces says which of the namespaces sysctls belong to are
// the container's own: the network one unless --network host, the IPC
// one unless --ipc host or container:NAME.
type SysctlNamespaces struct{ OwnNetwork, OwnIPC bool }

// CheckSysctl refuses a --sysctl KEY=VALUE that docker refuses: only
// sysctls of the container's own namespaces may be set (the IPC ones
// above and fs.mqueue.* when it has its own IPC namespace, net.* when it
// has its own network namespace). berth also refuses IPC sysctls in an
// IPC namespace joined from another container, which docker allows:
// one container would change another's limits. The key becomes a path
// below /proc/sys, so no component may be empty, "." or "..".
func CheckSysctl(kv string, own SysctlNamespaces) error {
	key, _, ok := strings.Cut(kv, "=")
	notAllowed := fmt.Errorf("sysctl '%s' is not allowed", kv)
	if !ok || key == "" {
		return notAllowed
	}
	for part := range strings.SplitSeq(strings.ReplaceAll(key, "/", "."), ".") {
		if part == "" || part == ".." {
			return notAllowed
		}
	}
	switch {
	case namespacedSysctls[key], strings.HasPrefix(key, "fs.mqueue."):
		if !own.OwnIPC {
			return fmt.Errorf("sysctl %q not allowed: the container shares its IPC namespace", key)
		}
		return nil
	case strings.HasPrefix(key, "net."):
		if !own.OwnNetwork {
			return fmt.Errorf("sysctl %q not allowed in host network namespace", key)
		}
		return nil
	}
	return notAllowed
}

// sysctlPath is the file below /proc/sys of a checked key.
func sysctlPath(key string) string {
	return "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
}
