package cri

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine/network"
)

// defaultNetwork is the bridge pods get their addresses on: the data
// root's own default bridge.
const defaultNetwork = network.NameBridge

// RunPodSandbox makes a pod: its namespaces pinned (those the pod does
// not take from the host), its hostname set, an address on the bridge
// and its host ports published. On error nothing of it is left.
func (r *runtimeService) RunPodSandbox(ctx context.Context, req *runtimeapi.RunPodSandboxRequest) (_ *runtimeapi.RunPodSandboxResponse, err error) {
	cfg := req.GetConfig()
	md := cfg.GetMetadata()
	if md.GetName() == "" || md.GetNamespace() == "" {
		return nil, status.Error(codes.InvalidArgument, "run pod sandbox: metadata needs a name and a namespace")
	}
	if _, err := portMappings(cfg.GetPortMappings()); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "run pod sandbox %s: %v", md.GetName(), err)
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := newID()
	if err != nil {
		return nil, grpcError(fmt.Errorf("run pod sandbox %s: %w", md.GetName(), err))
	}
	sb := &sandbox{ID: id, CreatedAt: time.Now().UnixNano(), Ready: true, Config: cfg,
		RuntimeHandler: req.GetRuntimeHandler(), NSDir: filepath.Join(s.opts.RunRoot, "sandboxes", id)}
	ns := sb.nsOptions()
	hostNet := ns.GetNetwork() == runtimeapi.NamespaceMode_NODE
	if !hostNet {
		sb.Namespaces = append(sb.Namespaces, "net", "uts")
	}
	if ns.GetIpc() != runtimeapi.NamespaceMode_NODE {
		sb.Namespaces = append(sb.Namespaces, "ipc")
	}
	undo := func() error { return errors.Join(s.teardown(sb), s.pods.remove(sb.ID)) }
	defer func() {
		if err != nil {
			if uerr := undo(); uerr != nil {
				s.log.Warn("undo run pod sandbox", "pod", id, "err", uerr)
			}
			err = grpcError(fmt.Errorf("run pod sandbox %s: %w", md.GetName(), err))
		}
	}()
	if err := pinNamespaces(sb.NSDir, sb.Namespaces, cfg.GetHostname()); err != nil {
		return nil, err
	}
	if err := setPodSysctls(sb.NSDir, sb.Namespaces, cfg.GetLinux().GetSysctls()); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if ns.GetIpc() != runtimeapi.NamespaceMode_NODE {
		sb.Shm = filepath.Join(sb.NSDir, "shm")
		if err := mountPodShm(sb.Shm); err != nil {
			return nil, err
		}
	}
	// A PID namespace shared by the pod (mode POD, the zero value) is
	// held by a process (pidns_linux.go).
	if ns.GetPid() == runtimeapi.NamespaceMode_POD {
		if err := s.startPodInit(sb); err != nil {
			return nil, err
		}
		sb.Namespaces = append(sb.Namespaces, "pid")
	}
	if !hostNet {
		a, err := s.eng.Networks().Attach(network.AttachRequest{Network: defaultNetwork, ContainerID: id,
			Name: podName(md), Hostname: cfg.GetHostname(), NetNS: sb.nsPath("net")})
		if err != nil {
			return nil, err
		}
		sb.IP = a.IP.String()
	}
	if err := s.startPorts(sb); err != nil {
		return nil, err
	}
	if err := s.pods.save(sb); err != nil {
		return nil, err
	}
	return &runtimeapi.RunPodSandboxResponse{PodSandboxId: id}, nil
}

// StopPodSandbox stops the pod's containers (at once: kubelet has
// stopped them gracefully before) and frees its namespaces, address and
// ports. The record stays, not ready, until RemovePodSandbox.
func (r *runtimeService) StopPodSandbox(ctx context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sb, err := s.pods.find(req.GetPodSandboxId())
	if errors.Is(err, errSandboxNotFound) {
		return &runtimeapi.StopPodSandboxResponse{}, nil // stopping what is gone is done
	}
	if err != nil {
		return nil, grpcError(err)
	}
	if err := s.stopPod(ctx, sb); err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

func (s *Server) stopPod(ctx context.Context, sb *sandbox) error {
	zero := time.Duration(0)
	if err := s.stopContainers(ctx, sb.ID, &zero); err != nil {
		return fmt.Errorf("stop pod sandbox %s: %w", sb.ID, err)
	}
	if err := s.teardown(sb); err != nil {
		return fmt.Errorf("stop pod sandbox %s: %w", sb.ID, err)
	}
	sb.Ready, sb.IP = false, ""
	return s.pods.save(sb)
}

// teardown undoes what RunPodSandbox made, each step idempotent: the
// ports, the address and veth, the PID namespace's holder, /dev/shm, the
// pinned namespaces.
func (s *Server) teardown(sb *sandbox) error {
	return errors.Join(s.stopPorts(sb.ID), s.eng.Networks().Release(sb.ID), stopPodInit(sb),
		unmountPodShm(sb.Shm), unpinNamespaces(sb.NSDir))
}

// RemovePodSandbox stops the pod if it runs and removes it with its
// containers; removing what is gone is done.
func (r *runtimeService) RemovePodSandbox(ctx context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sb, err := s.pods.find(req.GetPodSandboxId())
	if errors.Is(err, errSandboxNotFound) {
		return &runtimeapi.RemovePodSandboxResponse{}, nil
	}
	if err != nil {
		return nil, grpcError(err)
	}
	if err := s.stopPod(ctx, sb); err != nil {
		return nil, grpcError(err)
	}
	if err := s.removeContainers(ctx, sb.ID); err != nil {
		return nil, grpcError(fmt.Errorf("remove pod sandbox %s: %w", sb.ID, err))
	}
	if err := s.removePodCgroup(sb); err != nil {
		return nil, grpcError(err)
	}
	if err := s.pods.remove(sb.ID); err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

// PodSandboxStatus is one pod; verbose adds its record as JSON.
func (r *runtimeService) PodSandboxStatus(ctx context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	sb, err := r.s.pods.find(req.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(err)
	}
	st := &runtimeapi.PodSandboxStatus{
		Id: sb.ID, Metadata: sb.Config.GetMetadata(), State: podState(sb), CreatedAt: sb.CreatedAt,
		Network: &runtimeapi.PodSandboxNetworkStatus{Ip: sb.IP},
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{
			Options: sb.nsOptions()}},
		Labels: sb.Config.GetLabels(), Annotations: sb.Config.GetAnnotations(), RuntimeHandler: sb.RuntimeHandler,
	}
	resp := &runtimeapi.PodSandboxStatusResponse{Status: st}
	if req.GetVerbose() {
		if resp.Info, err = verboseInfo("pod sandbox status "+sb.ID, sb); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// ListPodSandbox lists the pods the filter lets through: ID (or a prefix),
// state, and labels that must all match.
func (r *runtimeService) ListPodSandbox(ctx context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	pods, errs := r.s.pods.list()
	for _, err := range errs {
		r.s.log.Warn("list pod sandboxes", "err", err)
	}
	f := req.GetFilter()
	resp := &runtimeapi.ListPodSandboxResponse{}
	for _, sb := range pods {
		if !podMatches(sb, f) {
			continue
		}
		resp.Items = append(resp.Items, &runtimeapi.PodSandbox{
			Id: sb.ID, Metadata: sb.Config.GetMetadata(), State: podState(sb), CreatedAt: sb.CreatedAt,
			Labels: sb.Config.GetLabels(), Annotations: sb.Config.GetAnnotations(), RuntimeHandler: sb.RuntimeHandler,
		})
	}
	slices.SortFunc(resp.Items, func(a, b *runtimeapi.PodSandbox) int { return int(b.CreatedAt - a.CreatedAt) })
	return resp, nil
}

// podMatches is the CRI's PodSandboxFilter: an unset field lets
// everything through.
func podMatches(sb *sandbox, f *runtimeapi.PodSandboxFilter) bool {
	if f == nil {
		return true
	}
	if f.GetId() != "" && !strings.HasPrefix(sb.ID, f.GetId()) {
		return false
	}
	if f.GetState() != nil && f.GetState().GetState() != podState(sb) {
		return false
	}
	return labelsMatch(sb.Config.GetLabels(), f.GetLabelSelector())
}

// labelsMatch reports whether labels has every key of selector with its
// value.
func labelsMatch(labels, selector map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func podState(sb *sandbox) runtimeapi.PodSandboxState {
	if sb.Ready {
		return runtimeapi.PodSandboxState_SANDBOX_READY
	}
	return runtimeapi.PodSandboxState_SANDBOX_NOTREADY
}

// podName is the name the pod's address goes by, as dockershim named
// its sandboxes: k8s_POD_<name>_<namespace>_<uid>_<attempt>.
func podName(md *runtimeapi.PodSandboxMetadata) string {
	return fmt.Sprintf("k8s_POD_%s_%s_%s_%d", md.GetName(), md.GetNamespace(), md.GetUid(), md.GetAttempt())
}

// newID is 64 random hex digits, as a container's.
func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// copyLabels is a copy of m, never nil.
func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	maps.Copy(out, m)
	return out
}
