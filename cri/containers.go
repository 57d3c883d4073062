package cri

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
	"berth/engine/network"
	"berth/host"
)

// A CRI container is an engine container: its record keeps what the
// CRI shows back, in labels of berth's own (prefix labelPrefix) beside
// the CRI's labels, and its pod's namespaces, DNS and cgroup parent in
// its HostConfig.
// The labels that name the pod (its sandbox and name, the container's
// name in it) are host's (host.PodLabels): the TUI reads them too.
const (
	labelPrefix      = host.LabelCRIPrefix
	labelSandbox     = host.LabelCRISandbox
	labelName        = host.LabelCRIName
	labelAttempt     = labelPrefix + "attempt"
	labelAnnotations = labelPrefix + "annotations"
	labelImage       = labelPrefix + "image"
	// labelPodShm is the pod's /dev/shm the container binds, a mount the
	// request did not ask for and the status leaves out.
	labelPodShm = labelPrefix + "podshm"
)

// CreateContainer creates a container in a ready pod, joining the pod's
// pinned namespaces, with its log in kubelet's CRI format at the pod's
// log directory joined with the container's log path.
func (r *runtimeService) CreateContainer(ctx context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := req.GetConfig()
	sb, err := s.pods.find(req.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(err)
	}
	if !sb.Ready {
		return nil, status.Errorf(codes.FailedPrecondition, "create container in pod %s: the pod is not ready", sb.ID)
	}
	opts, err := createOptions(sb, cfg)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "create container %s: %v", cfg.GetMetadata().GetName(), err)
	}
	c, err := s.eng.Create(ctx, opts)
	if err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.CreateContainerResponse{ContainerId: c.ID}, nil
}

// createOptions maps a CRI container config in pod sb onto the engine's.
func createOptions(sb *sandbox, cfg *runtimeapi.ContainerConfig) (engine.CreateOptions, error) {
	md := cfg.GetMetadata()
	if md.GetName() == "" {
		return engine.CreateOptions{}, errors.New("metadata needs a name")
	}
	pmd := sb.Config.GetMetadata()
	annotations, err := json.Marshal(cfg.GetAnnotations())
	if err != nil {
		return engine.CreateOptions{}, err
	}
	labels := copyLabels(cfg.GetLabels())
	maps.Copy(labels, host.PodLabels(host.Pod{SandboxID: sb.ID, Namespace: pmd.GetNamespace(), Name: pmd.GetName()}, md.GetName()))
	labels[labelAttempt] = strconv.FormatUint(uint64(md.GetAttempt()), 10)
	labels[labelAnnotations] = string(annotations)
	labels[labelImage] = cfg.GetImage().GetImage()
	cc := engine.ContainerConfig{
		Image:      cfg.GetImage().GetImage(),
		Entrypoint: cfg.GetCommand(),
		Cmd:        cfg.GetArgs(),
		WorkingDir: cfg.GetWorkingDir(),
		Labels:     labels,
		Hostname:   sb.Config.GetHostname(),
		Tty:        cfg.GetTty(),
		OpenStdin:  cfg.GetStdin(),
		StdinOnce:  cfg.GetStdinOnce(),
	}
	if len(cfg.GetCommand()) > 0 && len(cfg.GetArgs()) == 0 {
		cc.Cmd = []string{} // a command of its own drops the image's arguments, as kubelet means it
	}
	for _, kv := range cfg.GetEnvs() {
		cc.Env = append(cc.Env, kv.GetKey()+"="+string(kv.GetValue()))
	}
	hc := engine.HostConfig{
		CgroupParent: sb.linux().GetCgroupParent(),
		NetworkMode:  network.NameNone,
	}
	if dns := sb.Config.GetDnsConfig(); dns != nil {
		hc.DNS, hc.DNSSearch, hc.DNSOptions = dns.GetServers(), dns.GetSearches(), dns.GetOptions()
	}
	if ns := sb.nsOptions(); ns.GetNetwork() == runtimeapi.NamespaceMode_NODE {
		hc.NetworkMode, hc.UTSMode = network.NameHost, engine.ModeHost
	}
	hc.NamespacePaths = map[string]string{}
	for _, kind := range sb.Namespaces {
		hc.NamespacePaths[kind] = sb.nsPath(kind)
	}
	if sb.nsOptions().GetIpc() == runtimeapi.NamespaceMode_NODE {
		hc.IpcMode = engine.ModeHost
	}
	lx := cfg.GetLinux()
	if lx.GetSecurityContext().GetNamespaceOptions().GetPid() != runtimeapi.NamespaceMode_POD {
		delete(hc.NamespacePaths, "pid") // the container asks for its own, or the host's
	}
	if sb.Shm != "" && !slices.ContainsFunc(cfg.GetMounts(), func(m *runtimeapi.Mount) bool { return filepath.Clean(m.GetContainerPath()) == "/dev/shm" }) {
		hc.Binds = append(hc.Binds, sb.Shm+":/dev/shm")
		labels[labelPodShm] = sb.Shm
	}
	for _, m := range cfg.GetMounts() {
		if err := addMount(&hc, m); err != nil {
			return engine.CreateOptions{}, err
		}
	}
	if lp := cfg.GetLogPath(); lp != "" && sb.Config.GetLogDirectory() != "" {
		hc.CRILogPath = filepath.Join(sb.Config.GetLogDirectory(), lp)
	}
	if err := applySecurity(&cc, &hc, lx.GetSecurityContext()); err != nil {
		return engine.CreateOptions{}, err
	}
	applyResources(&hc.Resources, lx.GetResources())
	return engine.CreateOptions{Name: containerName(md, pmd), Config: cc, HostConfig: hc}, nil
}

// applySecurity maps the container's security context: user and groups,
// capabilities, privileged, read-only root, masked and read-only paths
// (none given: the engine's defaults), no-new-privileges, seccomp
// and AppArmor (security.go), and the host's PID namespace.
func applySecurity(cc *engine.ContainerConfig, hc *engine.HostConfig, sc *runtimeapi.LinuxContainerSecurityContext) error {
	switch {
	case sc.GetRunAsUser() != nil:
		cc.User = strconv.FormatInt(sc.GetRunAsUser().GetValue(), 10)
	case sc.GetRunAsUsername() != "":
		cc.User = sc.GetRunAsUsername()
	}
	if g := sc.GetRunAsGroup(); g != nil {
		if cc.User == "" {
			return errors.New("run_as_group needs run_as_user or run_as_username")
		}
		cc.User += ":" + strconv.FormatInt(g.GetValue(), 10)
	}
	for _, g := range sc.GetSupplementalGroups() {
		hc.GroupAdd = append(hc.GroupAdd, strconv.FormatInt(g, 10))
	}
	hc.CapAdd = sc.GetCapabilities().GetAddCapabilities()
	hc.CapDrop = sc.GetCapabilities().GetDropCapabilities()
	hc.Privileged = sc.GetPrivileged()
	hc.ReadonlyRootfs = sc.GetReadonlyRootfs()
	hc.MaskedPaths, hc.ReadonlyPaths = sc.GetMaskedPaths(), sc.GetReadonlyPaths()
	if sc.GetNoNewPrivs() {
		hc.SecurityOpt = append(hc.SecurityOpt, "no-new-privileges")
	}
	seccomp, err := seccompSecurityOpt(sc)
	if err != nil {
		return err
	}
	if seccomp != "" {
		hc.SecurityOpt = append(hc.SecurityOpt, seccomp)
	}
	if err := checkAppArmor(sc, kernelHasAppArmor()); err != nil {
		return err
	}
	if sc.GetNamespaceOptions().GetPid() == runtimeapi.NamespaceMode_NODE {
		hc.PidMode = engine.ModeHost
	}
	return nil
}

// applyResources maps the CRI's Linux resources onto the engine's cgroup
// limits; zero leaves a limit unset.
func applyResources(res *engine.Resources, lr *runtimeapi.LinuxContainerResources) {
	if lr == nil {
		return
	}
	res.Memory = lr.GetMemoryLimitInBytes()
	res.CPUShares = lr.GetCpuShares()
	res.CPUPeriod = lr.GetCpuPeriod()
	res.CPUQuota = lr.GetCpuQuota()
	res.CpusetCpus = lr.GetCpusetCpus()
	res.CpusetMems = lr.GetCpusetMems()
}

// StartContainer starts a created container.
func (r *runtimeService) StartContainer(ctx context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	if err := r.s.eng.Start(ctx, c.ID); err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.StartContainerResponse{}, nil
}

// StopContainer stops a container: SIGTERM (or its stop signal), then
// SIGKILL after timeout seconds; a stopped or gone container is done.
func (r *runtimeService) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if errors.Is(err, engine.ErrNotFound) {
		return &runtimeapi.StopContainerResponse{}, nil
	}
	if err != nil {
		return nil, grpcError(err)
	}
	d := time.Duration(req.GetTimeout()) * time.Second
	if err := r.s.eng.Stop(ctx, c.ID, engine.StopOptions{Timeout: &d}); err != nil && !errors.Is(err, engine.ErrNotRunning) {
		return nil, grpcError(err)
	}
	return &runtimeapi.StopContainerResponse{}, nil
}

// RemoveContainer removes a container, killing it if it runs; removing
// what is gone is done.
func (r *runtimeService) RemoveContainer(ctx context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if errors.Is(err, engine.ErrNotFound) {
		return &runtimeapi.RemoveContainerResponse{}, nil
	}
	if err != nil {
		return nil, grpcError(err)
	}
	if err := r.s.eng.Remove(ctx, c.ID, engine.RemoveOptions{Force: true}); err != nil && !errors.Is(err, engine.ErrNotFound) {
		return nil, grpcError(err)
	}
	return &runtimeapi.RemoveContainerResponse{}, nil
}

// ContainerStatus is one container; verbose adds its engine record.
func (r *runtimeService) ContainerStatus(ctx context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	resp := &runtimeapi.ContainerStatusResponse{Status: containerStatus(c)}
	if req.GetVerbose() {
		if resp.Info, err = verboseInfo("container status "+c.ID, c); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func containerStatus(c *engine.Container) *runtimeapi.ContainerStatus {
	st := &runtimeapi.ContainerStatus{
		Id: c.ID, Metadata: containerMetadata(c), State: containerState(c),
		CreatedAt: c.Created.UnixNano(),
		Image:     &runtimeapi.ImageSpec{Image: c.Config.Labels[labelImage]},
		ImageRef:  c.Image, ImageId: c.Image,
		Labels: criLabels(c), Annotations: criAnnotations(c),
		LogPath: c.HostConfig.CRILogPath, User: &runtimeapi.ContainerUser{},
		Resources: containerResources(c.HostConfig.Resources),
	}
	if !c.State.StartedAt.IsZero() {
		st.StartedAt = c.State.StartedAt.UnixNano()
	}
	if st.State == runtimeapi.ContainerState_CONTAINER_EXITED {
		st.FinishedAt = c.State.FinishedAt.UnixNano()
		st.ExitCode = int32(c.State.ExitCode)
		switch {
		case c.State.OOMKilled:
			st.Reason = "OOMKilled"
		case c.State.ExitCode == 0:
			st.Reason = "Completed"
		default:
			st.Reason = "Error"
		}
		st.Message = c.State.Error
	}
	for _, m := range c.Mounts {
		if shm := c.Config.Labels[labelPodShm]; shm != "" && m.Source == shm {
			continue
		}
		st.Mounts = append(st.Mounts, criMount(m))
	}
	return st
}

func containerState(c *engine.Container) runtimeapi.ContainerState {
	switch c.State.Status {
	case engine.StatusCreated:
		if c.State.Error != "" {
			return runtimeapi.ContainerState_CONTAINER_EXITED // its start failed
		}
		return runtimeapi.ContainerState_CONTAINER_CREATED
	case engine.StatusRunning, engine.StatusPaused, engine.StatusRestarting:
		return runtimeapi.ContainerState_CONTAINER_RUNNING
	case engine.StatusExited:
		return runtimeapi.ContainerState_CONTAINER_EXITED
	case engine.StatusRemoving, engine.StatusDead:
	}
	return runtimeapi.ContainerState_CONTAINER_UNKNOWN
}

func containerMetadata(c *engine.Container) *runtimeapi.ContainerMetadata {
	attempt, _ := strconv.ParseUint(c.Config.Labels[labelAttempt], 10, 32) // written by createOptions
	return &runtimeapi.ContainerMetadata{Name: c.Config.Labels[labelName], Attempt: uint32(attempt)}
}

// criLabels are the container's labels without berth's own.
func criLabels(c *engine.Container) map[string]string {
	out := map[string]string{}
	for k, v := range c.Config.Labels {
		if !strings.HasPrefix(k, labelPrefix) {
			out[k] = v
		}
	}
	return out
}

func criAnnotations(c *engine.Container) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(c.Config.Labels[labelAnnotations]), &out) // written by createOptions; a bad one shows none
	return out
}

// ListContainers lists the pods' containers the filter lets through: ID
// (or a prefix), state, pod, and labels that must all match.
func (r *runtimeService) ListContainers(ctx context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	f := req.GetFilter()
	list, err := r.s.podContainers(ctx, f.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(err)
	}
	resp := &runtimeapi.ListContainersResponse{}
	for _, c := range list {
		if !containerMatches(c, f.GetId(), f.GetState(), f.GetLabelSelector()) {
			continue
		}
		resp.Containers = append(resp.Containers, &runtimeapi.Container{
			Id: c.ID, PodSandboxId: c.Config.Labels[labelSandbox], Metadata: containerMetadata(c),
			Image: &runtimeapi.ImageSpec{Image: c.Config.Labels[labelImage]}, ImageRef: c.Image, ImageId: c.Image,
			State: containerState(c), CreatedAt: c.Created.UnixNano(),
			Labels: criLabels(c), Annotations: criAnnotations(c),
		})
	}
	return resp, nil
}

// containerMatches is the CRI's container filters: an ID or a prefix of
// it, a state, labels that must all match; an unset one lets everything
// through.
func containerMatches(c *engine.Container, id string, state *runtimeapi.ContainerStateValue, labels map[string]string) bool {
	if id != "" && !strings.HasPrefix(c.ID, id) {
		return false
	}
	if state != nil && state.GetState() != containerState(c) {
		return false
	}
	return labelsMatch(criLabels(c), labels)
}

// ExecSync runs a command in a running container and returns its output
// and exit code once it ends; with a timeout, a command still running
// then is killed and the call fails.
func (r *runtimeService) ExecSync(ctx context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	if len(req.GetCmd()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "exec sync: no command")
	}
	if req.GetTimeout() > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(req.GetTimeout())*time.Second)
		defer cancel()
	}
	sess, err := r.s.eng.Exec(ctx, c.ID, engine.ExecOptions{Cmd: req.GetCmd(), NoSignalProxy: true})
	if err != nil {
		return nil, grpcError(err)
	}
	var stdout, stderr bytes.Buffer
	done := make(chan struct{})
	timedOut := make(chan bool, 1)
	go func() { timedOut <- killOnDone(ctx, done, sess.Pid) }()
	code, err := sess.Run(nil, &stdout, &stderr)
	close(done)
	if <-timedOut {
		return nil, status.Errorf(codes.DeadlineExceeded, "exec sync in %s: command timed out after %ds", c.ID, req.GetTimeout())
	}
	if err != nil {
		return nil, grpcError(fmt.Errorf("exec sync in %s: %w", c.ID, err))
	}
	return &runtimeapi.ExecSyncResponse{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: int32(code)}, nil
}

// ReopenContainerLog makes a new CRI log file after kubelet moved the
// old one away; the container's shim writes there from its next line.
func (r *runtimeService) ReopenContainerLog(ctx context.Context, req *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	if containerState(c) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.FailedPrecondition, "reopen log of %s: the container is not running", c.ID)
	}
	if c.HostConfig.CRILogPath == "" {
		return &runtimeapi.ReopenContainerLogResponse{}, nil
	}
	f, err := os.OpenFile(c.HostConfig.CRILogPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, grpcError(fmt.Errorf("reopen log of %s: %w", c.ID, err))
	}
	if err := f.Close(); err != nil {
		return nil, grpcError(fmt.Errorf("reopen log of %s: %w", c.ID, err))
	}
	return &runtimeapi.ReopenContainerLogResponse{}, nil
}

// criContainer is the pod container ref names (ID or unique prefix); a
// container not made through the CRI is not found.
func (s *Server) criContainer(ctx context.Context, ref string) (*engine.Container, error) {
	if ref == "" {
		return nil, fmt.Errorf("container ID is empty: %w", engine.ErrNotFound)
	}
	c, err := s.eng.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	if c.Config.Labels[labelSandbox] == "" {
		return nil, fmt.Errorf("container %s is not a pod's: %w", ref, engine.ErrNotFound)
	}
	return c, nil
}

// podContainers are the containers of pod id, or of every pod for "".
func (s *Server) podContainers(ctx context.Context, id string) ([]*engine.Container, error) {
	filter := labelSandbox
	if id != "" {
		sb, err := s.pods.find(id)
		if errors.Is(err, errSandboxNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		filter += "=" + sb.ID
	}
	return s.eng.List(ctx, engine.ListOptions{All: true, Filters: map[string][]string{"label": {filter}}})
}

// stopContainers stops every running container of pod id.
func (s *Server) stopContainers(ctx context.Context, id string, timeout *time.Duration) error {
	list, err := s.podContainers(ctx, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range list {
		if !c.State.Running() {
			continue
		}
		if err := s.eng.Stop(ctx, c.ID, engine.StopOptions{Timeout: timeout}); err != nil && !errors.Is(err, engine.ErrNotRunning) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeContainers removes every container of pod id.
func (s *Server) removeContainers(ctx context.Context, id string) error {
	list, err := s.podContainers(ctx, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range list {
		if err := s.eng.Remove(ctx, c.ID, engine.RemoveOptions{Force: true}); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// killOnDone kills the exec'd command (SIGKILL, by its host PID) when
// ctx ends before done is closed, and reports whether it did. The PID
// could name another process only in the moment between the command's
// end and Run's return, when the engine's waiting parent of it exits.
func killOnDone(ctx context.Context, done <-chan struct{}, pid func() int) bool {
	select {
	case <-done:
		return false
	case <-ctx.Done():
		if p := pid(); p > 0 {
			_ = unix.Kill(p, unix.SIGKILL) // it may have ended meanwhile
		}
		return true
	}
}
