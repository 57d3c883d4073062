package containerinit

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
)

// applyKernelSettings writes the container's sysctls and its OOM score
// adjustment. It runs in the init before the root is built: the host's
// /proc is still mounted, and every namespaced sysctl file there is the
// one of the namespaces this process is in, the container's. Keys were
// checked at create (CheckSysctl); they are checked again, since a
// record on disk is input too.
func applyKernelSettings(cfg *Config) error {
	for key, value := range cfg.Sysctls {
		if err := CheckSysctl(key+"="+value, SysctlNamespaces{
			OwnNetwork: cfg.Network != "host",
			OwnIPC:     !slices.Contains(cfg.Shared, "ipc"),
		}); err != nil {
			return err
		}
		if err := os.WriteFile(sysctlPath(key), []byte(value), 0); err != nil {
			return fmt.Errorf("set sysctl %s=%s: %w", key, value, err)
		}
	}
	if cfg.OOMScoreAdj != nil {
		v := strconv.Itoa(*cfg.OOMScoreAdj)
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(v), 0); err != nil {
			return fmt.Errorf("set oom_score_adj %s: %w", v, err)
		}
	}
	return nil
}

// lookupGroups is the list of supplementary groups of u with the
// --group-add groups, resolved in the container's /etc/group (the rootfs
// is / by now), in docker's order.
func lookupGroups(u User, add []string) ([]int, error) {
	if len(add) == 0 {
		return u.SupplementaryGroups(nil), nil
	}
	group, err := readOptional("/etc/group")
	if err != nil {
		return nil, err
	}
	extra, err := AdditionalGroups(add, bytes.NewReader(group))
	if err != nil {
		return nil, err
	}
	return u.SupplementaryGroups(extra), nil
}

// defaultShmSize is docker's size of /dev/shm.
const defaultShmSize = 64 << 20

// shmOptions are the tmpfs options of the container's /dev/shm; size 0
// is docker's default.
func shmOptions(size int64) string {
	if size <= 0 {
		size = defaultShmSize
	}
	return "mode=1777,size=" + strconv.FormatInt(size, 10)
}
