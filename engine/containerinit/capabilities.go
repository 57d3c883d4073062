package containerinit

import (
	"fmt"
	"slices"
	"strings"

	"berth/ptyexec/nsenter"
)

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
		return nsenter.CapabilityNames(), nil
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
		set = nsenter.CapabilityNames()
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

// capabilityNumber returns the number of a CAP_ name, or -1. The table
// is nsenter's, which applies the same sets to exec'd processes.
func capabilityNumber(name string) int { return nsenter.CapabilityNumber(name) }

// sortCapabilities orders known names by number and drops duplicates.
func sortCapabilities(names []string) []string {
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int { return capabilityNumber(a) - capabilityNumber(b) })
	return slices.Compact(out)
}

// capabilityMask returns the bit mask of a set of names; unknown names are
// an error.
func capabilityMask(names []string) (uint64, error) {
	mask, err := nsenter.CapabilityMask(names)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrUnknownCapability, err)
	}
	return mask, nil
}
