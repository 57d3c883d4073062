package cri

import (
	"fmt"
	"path"
	"strings"

	"berth/cgroups"
)

// podCgroup is the pod's cgroup parent (kubelet's .../pod<uid>, under
// which the engine makes its containers' groups); nil when the pod has
// none.
func (s *Server) podCgroup(sb *sandbox) (cgroups.Manager, error) {
	parent := strings.Trim(sb.linux().GetCgroupParent(), "/")
	if parent == "" {
		return nil, nil
	}
	dir, name := path.Split(parent)
	cg, err := cgroups.New(s.opts.CgroupRoot, dir, name)
	if err != nil {
		return nil, fmt.Errorf("the cgroup of pod %s: %w", sb.ID, err)
	}
	return cg, nil
}

// removePodCgroup removes the pod's cgroup parent once its containers
// are gone: the engine leaves a parent in place, as other containers may
// share it, but nothing outlives a removed pod. kubelet removes it too;
// a group already gone is no error.
func (s *Server) removePodCgroup(sb *sandbox) error {
	cg, err := s.podCgroup(sb)
	if err != nil || cg == nil {
		return err
	}
	if err := cg.Destroy(); err != nil {
		return fmt.Errorf("remove the cgroup of pod %s: %w", sb.ID, err)
	}
	return nil
}
