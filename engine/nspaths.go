package engine

import (
	"path/filepath"
	"slices"
	"sort"

	"berth/engine/network"
)

// Namespaces joined by path (HostConfig.NamespacePaths): the pods of
// `berth cri` hold their network, IPC and UTS namespaces without a
// process, as bind-mounted namespace files, and their PID namespace with
// a process of the server's, and each container of the pod joins them at
// every start. The kinds a path may name:
var pathNamespaceKinds = []string{"net", "ipc", "uts", "pid"}

// checkNamespacePaths checks NamespacePaths at create: known kinds,
// absolute paths, and no other flag saying where the same namespace
// comes from (a joined network namespace needs --network none: the
// container brings no network of its own into it).
func checkNamespacePaths(hc HostConfig) error {
	for kind, p := range hc.NamespacePaths {
		if !slices.Contains(pathNamespaceKinds, kind) {
			return invalidf("namespace path for %q: only net, ipc, uts and pid may be joined by path", kind)
		}
		if !filepath.IsAbs(p) {
			return invalidf("namespace path for %s: %q is not absolute", kind, p)
		}
	}
	if _, ok := hc.NamespacePaths["net"]; ok && hc.NetworkMode != network.NameNone {
		return invalidf("namespace path for net: the network mode must be none, not %q", hc.NetworkMode)
	}
	if _, ok := hc.NamespacePaths["ipc"]; ok && hc.IpcMode != "" && hc.IpcMode != ModePrivate {
		return invalidf("namespace path for ipc: conflicts with --ipc %s", hc.IpcMode)
	}
	if _, ok := hc.NamespacePaths["uts"]; ok && hc.UTSMode != "" {
		return invalidf("namespace path for uts: conflicts with --uts %s", hc.UTSMode)
	}
	if _, ok := hc.NamespacePaths["pid"]; ok && hc.PidMode != "" {
		return invalidf("namespace path for pid: conflicts with --pid %s", hc.PidMode)
	}
	return nil
}

// pathKinds are the kinds NamespacePaths names, sorted.
func pathKinds(hc HostConfig) []string {
	kinds := make([]string, 0, len(hc.NamespacePaths))
	for k := range hc.NamespacePaths {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
