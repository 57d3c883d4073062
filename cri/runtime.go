package cri

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/host"
)

// The runtime's names, as Version answers them.
const (
	// RuntimeName is what crictl version and kubelet show.
	RuntimeName = "berth"
	// APIVersion is the CRI version served: cri-api v0.37.2's runtime.v1.
	APIVersion = "v1"
	// kubeAPIVersion is the version of the kubelet runtime API, as
	// containerd and CRI-O answer it.
	kubeAPIVersion = "0.1.0"
)

// runtimeService is CRI's RuntimeService; the calls phase one does not
// have yet answer Unimplemented through the embedded server.
type runtimeService struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	s *Server
}

func (r *runtimeService) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{
		Version:           kubeAPIVersion,
		RuntimeName:       RuntimeName,
		RuntimeVersion:    host.Version,
		RuntimeApiVersion: APIVersion,
	}, nil
}

// Status says the runtime is ready, and the network too once the
// default bridge network can be read (it is made on first use).
func (r *runtimeService) Status(ctx context.Context, req *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	netReady := &runtimeapi.RuntimeCondition{Type: runtimeapi.NetworkReady, Status: true}
	if _, err := r.s.eng.Networks().Inspect(defaultNetwork); err != nil {
		netReady.Status, netReady.Reason, netReady.Message = false, "NetworkUnavailable", err.Error()
	}
	resp := &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
		{Type: runtimeapi.RuntimeReady, Status: true},
		netReady,
	}}, RuntimeHandlers: runtimeHandlers}
	if req.GetVerbose() {
		resp.Info = map[string]string{"config": `{"runtime":"berth","cgroupDriver":"cgroupfs","network":"` + defaultNetwork + `"}`}
	}
	return resp, nil
}

// RuntimeConfig tells kubelet berth's cgroup driver: cgroupfs (berth
// writes the cgroup files itself; it does not ask systemd for units).
func (r *runtimeService) RuntimeConfig(context.Context, *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	return &runtimeapi.RuntimeConfigResponse{Linux: &runtimeapi.LinuxRuntimeConfiguration{
		CgroupDriver: runtimeapi.CgroupDriver_CGROUPFS,
	}}, nil
}

// UpdateRuntimeConfig accepts kubelet's pod CIDR and keeps berth's own
// bridge subnet: pods get addresses from the data root's bridge.
func (r *runtimeService) UpdateRuntimeConfig(context.Context, *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	return &runtimeapi.UpdateRuntimeConfigResponse{}, nil
}
