package nsenter

import (
	"fmt"
	"slices"
)

// capabilityNames lists the Linux capabilities by number (linux/capability.h).
var capabilityNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// CapabilityNames lists every capability by number, as CAP_ names.
func CapabilityNames() []string { return slices.Clone(capabilityNames[:]) }

// CapabilityNumber returns the number of a CAP_ name, or -1.
func CapabilityNumber(name string) int { return slices.Index(capabilityNames[:], name) }

// CapabilityMask returns the bit mask (bit n is capability n) of a list of
// CAP_ names, as the final capability list of a container is written.
func CapabilityMask(names []string) (uint64, error) {
	var mask uint64
	for _, n := range names {
		i := slices.Index(capabilityNames[:], n)
		if i < 0 {
			return 0, fmt.Errorf("%w: %q", ErrUnknownCapability, n)
		}
		mask |= 1 << i
	}
	return mask, nil
}
