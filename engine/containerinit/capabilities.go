package containerinit

import (
	"fmt"
	"slices"
	"strings"
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

// allCapabilities is docker's word for every capability in --cap-add/--cap-drop.
const allCapabilities = "ALL"

// Capabilities returns the capability set of a container started with
// docker's --cap-add, --cap-drop and --privileged: privileged gets every
// capability; "ALL" in add means every capability but those dropped; "ALL"
// in drop means only those added; otherwise the defaults minus drop plus
// add. Names are case-insensitive, with or without the CAP_ prefix. The
// result is sorted by capability number.
func Capabilities(add, drop []string, privileged bool) ([]string, error) {
	if privileged {
		return slices.Clone(capabilityNames[:]), nil
	}
	adds, err := normalizeCapabilities(add)
	if err != nil {
		return nil, fmt.Errorf("cap-add: %w", err)
	}
	drops, err := normalizeCapabilities(drop)
	if err != nil {
		return nil, fmt.Errorf("cap-drop: %w", err)
	}
	var set []string
	switch {
	case slices.Contains(adds, allCapabilities):
		set = capabilityNames[:]
	case slices.Contains(drops, allCapabilities):
		set = nil
	default:
		set = DefaultCapabilities()
	}
	var caps []string
	for _, c := range set {
		if !slices.Contains(drops, c) {
			caps = append(caps, c)
		}
	}
	for _, c := range adds {
		if c != allCapabilities {
			caps = append(caps, c)
		}
	}
	return sortCapabilities(caps), nil
}

// normalizeCapabilities upper-cases names and adds the CAP_ prefix; "ALL"
// stays as it is.
func normalizeCapabilities(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.ToUpper(strings.TrimSpace(n))
		if n == allCapabilities {
			out = append(out, n)
			continue
		}
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		if capabilityNumber(n) < 0 {
			return nil, fmt.Errorf("%w: %q", ErrUnknownCapability, n)
		}
		out = append(out, n)
	}
	return out, nil
}

// capabilityNumber returns the number of a CAP_ name, or -1.
func capabilityNumber(name string) int {
	return slices.Index(capabilityNames[:], name)
}

// sortCapabilities orders known names by number and drops duplicates.
func sortCapabilities(names []string) []string {
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int { return capabilityNumber(a) - capabilityNumber(b) })
	return slices.Compact(out)
}

// capabilityMask returns the bit mask of a set of names; unknown names are
// an error.
func capabilityMask(names []string) (uint64, error) {
	var mask uint64
	for _, n := range names {
		i := capabilityNumber(n)
		if i < 0 {
			return 0, fmt.Errorf("%w: %q", ErrUnknownCapability, n)
		}
		mask |= 1 << i
	}
	return mask, nil
}
