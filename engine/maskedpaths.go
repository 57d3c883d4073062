package engine

import "berth/engine/containerinit"

// hiddenPaths are the paths a container's init masks and makes
// read-only: the container's own lists where it gives them (nil leaves
// docker's defaults), none for a privileged container, as docker has it.
func hiddenPaths(hc *HostConfig) (masked, readonly []string) {
	if hc.Privileged {
		return nil, nil
	}
	masked, readonly = hc.MaskedPaths, hc.ReadonlyPaths
	if masked == nil {
		masked = containerinit.DefaultMaskedPaths()
	}
	if readonly == nil {
		readonly = containerinit.DefaultReadonlyPaths()
	}
	return masked, readonly
}
