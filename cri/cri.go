// Package cri is berth as a Kubernetes container runtime: `berth cri`
// serves the Container Runtime Interface (k8s.io/cri-api v0.37.2,
// runtime.v1) over gRPC on a unix socket, on the same engine and image
// store as the CLI, so kubelet and crictl drive berth's containers.
//
// Start with cri.go (Server, New, Serve), then runtime.go (version,
// status, runtime config) and images.go (the ImageService). Pod sandboxes
// are sandbox.go (the CRI calls), sandboxstore.go (one JSON file per pod
// in the data root, written atomically, so a restarted server finds its
// pods), pinns_linux.go (the pod's network, IPC and UTS namespaces, held
// without a pause process by bind-mounting their namespace files under
// the run directory, as CRI-O's pinns does), pidns_linux.go (a PID
// namespace shared by the pod, held by a tiny process of the server's,
// as a PID namespace needs one), shm_linux.go (the pod's /dev/shm, one
// tmpfs its containers share), ports.go (hostPorts, through the engine's
// port proxy, run by this server) and cgroup.go (the pod's cgroup
// parent). containers.go maps a CRI container onto an engine container
// that joins those namespaces (engine.HostConfig.NamespacePaths) and logs
// in kubelet's CRI format (engine.HostConfig.CRILogPath); its berth labels
// (io.berth.cri.*) carry what the CRI shows back; security.go maps its
// seccomp and AppArmor profiles. stats.go is container and pod stats, from
// the cgroup readers `berth stats` uses; update.go is resource updates,
// through the engine's Update. streaming.go is Exec, Attach and
// PortForward: they answer URLs on the streaming server kubelet expects
// (k8s.io/cri-streaming), HTTP on 127.0.0.1 by default, started by New
// and stopped with the gRPC server; its sessions run on the engine (exec
// as `berth exec`, attach through the shim as `berth attach`) and, for a
// port forward, on a connection made inside the pod's network namespace
// (streaming_linux.go).
//
// Deliberately not (yet): AppArmor profiles (any but unconfined is
// refused), SCTP host ports (refused), hugepage limits, unified keys and
// swap of a resource update (ignored: the engine has no such settings),
// the metric calls (ListMetricDescriptors, ListPodSandboxMetrics: kubelet
// asks only behind a feature gate), TLS on the streaming server (it
// serves loopback by default, behind one-time tokens handed out on the
// root-only socket), checkpoints and events, which answer Unimplemented.
// One server serves a data root at a time.
package cri

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
	"berth/host"
	"berth/images"
	"berth/internal/flock"
)

// Options configures a Server.
type Options struct {
	// Local is this machine: its engine runs the pods' containers, its
	// image store is the ImageService's.
	Local host.Local
	// CgroupRoot is the cgroupfs mount point, where a removed pod's
	// cgroup parent is removed.
	CgroupRoot string
	// Root is where the server keeps its pods' records (<data root>/cri);
	// RunRoot where it pins their namespaces (<run root>/cri).
	Root, RunRoot string
	// Registry are the settings' registry options (mirrors, insecure
	// registries); a pull's credentials come from its request.
	Registry images.RegistryOptions
	// StreamAddress is where the streaming server (Exec, Attach,
	// PortForward) listens, "host:port"; "" is DefaultStreamAddress,
	// the loopback address on a free port.
	StreamAddress string
	// Log receives what the server could not hand to a caller; nil
	// discards it.
	Log *slog.Logger
}

// Server is the CRI runtime and image services over one engine.
type Server struct {
	opts Options
	eng  *engine.Engine
	log  *slog.Logger
	pods *sandboxStore
	// mu serialises the calls that change pods and their containers:
	// kubelet makes few, and one at a time keeps a pod's record and its
	// containers in step.
	mu sync.Mutex
	// proxies are the port proxies of the running pods, by sandbox ID.
	proxies map[string]portProxy
	// unlock releases <Root>/lock: one server serves a data root.
	unlock func()
	// cpu turns the CPU time of stats into rates (stats.go).
	cpu cpuRates
	// streams is the streaming server, listening from New on.
	streams *streamServer
}

// New opens the server's stores; the pods a previous server left running
// get their port proxies back.
func New(opts Options) (*Server, error) {
	if opts.Local.Engine == nil || opts.Root == "" || opts.RunRoot == "" || opts.CgroupRoot == "" {
		return nil, errors.New("open cri server: engine, root, run root and cgroup root are required")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pods, err := openSandboxStore(filepath.Join(opts.Root, "sandboxes"))
	if err != nil {
		return nil, fmt.Errorf("open cri server: %w", err)
	}
	unlock, ok, err := flock.TryLock(filepath.Join(opts.Root, "lock"))
	if err != nil {
		return nil, fmt.Errorf("open cri server: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("open cri server: another berth cri serves %s", opts.Root)
	}
	s := &Server{opts: opts, eng: opts.Local.Engine, log: log, pods: pods, proxies: map[string]portProxy{}, unlock: unlock}
	if s.streams, err = s.listenStreams(opts.StreamAddress); err != nil {
		unlock()
		return nil, fmt.Errorf("open cri server: %w", err)
	}
	s.restorePorts()
	return s, nil
}

// Register adds the runtime and image services to g.
func (s *Server) Register(g *grpc.Server) {
	runtimeapi.RegisterRuntimeServiceServer(g, &runtimeService{s: s})
	runtimeapi.RegisterImageServiceServer(g, &imageService{s: s})
}

// Serve answers on l, and streams on the streaming server, until ctx
// is done; then it stops both (letting calls under way finish), closes
// the pods' port proxies and lets another server open the data root.
// Pods and containers keep running.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	g := grpc.NewServer()
	s.Register(g)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			g.GracefulStop()
		case <-done:
		}
	}()
	streamErr := make(chan error, 1)
	go func() { streamErr <- s.streams.serve() }()
	err := g.Serve(l)
	close(done)
	if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		err = fmt.Errorf("serve cri: %w", err)
	} else {
		err = nil
	}
	err = errors.Join(err, s.streams.close(), <-streamErr)
	s.closePorts()
	s.unlock()
	return err
}
