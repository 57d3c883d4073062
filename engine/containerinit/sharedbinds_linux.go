package containerinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// cloneSharedBinds clones, by target, the source tree of each bind that
// asks for shared propagation (kubelet's Bidirectional), while the init's
// new mount namespace still holds its mounts as the host's peers: a clone
// of a shared mount joins its peer group, so that what the container
// mounts under it reaches the host. setupRootfs then makes / rslave,
// which keeps the host's own root from seeing anything the init mounts
// or unmounts; a clone made after that would be of a slave, and shared
// only with the container. The caller closes what it gets.
func cloneSharedBinds(mounts []Mount) (map[string]*os.File, error) {
	trees := map[string]*os.File{}
	for _, m := range mounts {
		o := parseMountOptions(m.Options)
		if m.Type != "bind" || o.Propagation&^unix.MS_REC != unix.MS_SHARED {
			continue
		}
		tree, err := bindTree(m.Source, o)
		if err != nil {
			closeTrees(trees)
			return nil, fmt.Errorf("bind mount on %s: %w", m.Target, err)
		}
		trees[m.Target] = tree
	}
	return trees, nil
}

func closeTrees(trees map[string]*os.File) {
	for _, f := range trees {
		_ = f.Close()
	}
}
