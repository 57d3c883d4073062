package cri

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/internal/atomicfile"
)

// sandbox is one pod sandbox as the server keeps it: <root>/sandboxes/<id>.json.
type sandbox struct {
	ID        string `json:"id"`
	CreatedAt int64  `json:"createdAt"` // ns since the epoch
	// Ready is false once the pod is stopped: its namespaces are gone.
	Ready  bool                         `json:"ready"`
	Config *runtimeapi.PodSandboxConfig `json:"config"`
	// RuntimeHandler is the request's, shown back in status.
	RuntimeHandler string `json:"runtimeHandler,omitempty"`
	// NSDir holds the pinned namespace files (net, ipc, uts, pid) and the
	// pod's /dev/shm, under the run root; a kind the pod takes from the
	// host has none.
	NSDir      string   `json:"nsDir"`
	Namespaces []string `json:"namespaces"`
	// IP is the pod's address on the bridge; "" with hostNetwork or once
	// stopped.
	IP string `json:"ip,omitempty"`
	// PodInitPID and PodInitStart are the process holding the pod's PID
	// namespace and its start time (pidns_linux.go); 0 without one.
	PodInitPID   int    `json:"podInitPid,omitempty"`
	PodInitStart uint64 `json:"podInitStart,omitempty"`
	// Shm is the pod's /dev/shm (shm_linux.go); "" when its containers
	// use the host's.
	Shm string `json:"shm,omitempty"`
}

// nsPath is the pinned namespace file of kind, "" when the pod shares
// the host's.
func (sb *sandbox) nsPath(kind string) string {
	if !slices.Contains(sb.Namespaces, kind) {
		return ""
	}
	return filepath.Join(sb.NSDir, kind)
}

func (sb *sandbox) linux() *runtimeapi.LinuxPodSandboxConfig { return sb.Config.GetLinux() }

func (sb *sandbox) nsOptions() *runtimeapi.NamespaceOption {
	return sb.linux().GetSecurityContext().GetNamespaceOptions()
}

// sandboxStore keeps one JSON file per pod, replaced atomically.
type sandboxStore struct{ dir string }

func openSandboxStore(dir string) (*sandboxStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open pod sandbox store: %w", err)
	}
	return &sandboxStore{dir: dir}, nil
}

func (s *sandboxStore) path(id string) string { return filepath.Join(s.dir, id+".json") }

func (s *sandboxStore) save(sb *sandbox) error {
	b, err := json.Marshal(sb)
	if err != nil {
		return fmt.Errorf("save pod sandbox %s: %w", sb.ID, err)
	}
	if err := atomicfile.WriteFile(s.path(sb.ID), b, 0o600); err != nil {
		return fmt.Errorf("save pod sandbox %s: %w", sb.ID, err)
	}
	return nil
}

func (s *sandboxStore) remove(id string) error {
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove pod sandbox %s: %w", id, err)
	}
	return nil
}

// list reads every pod's record; one that cannot be read is skipped and
// named in the error list returned beside the others.
func (s *sandboxStore) list() ([]*sandbox, []error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, []error{fmt.Errorf("list pod sandboxes: %w", err)}
	}
	var out []*sandbox
	var errs []error
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(id, ".") {
			continue
		}
		sb, err := s.read(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, sb)
	}
	return out, errs
}

func (s *sandboxStore) read(id string) (*sandbox, error) {
	b, err := os.ReadFile(s.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("pod sandbox %s: %w", id, errSandboxNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read pod sandbox %s: %w", id, err)
	}
	var sb sandbox
	if err := json.Unmarshal(b, &sb); err != nil {
		return nil, fmt.Errorf("read pod sandbox %s: %w", id, err)
	}
	return &sb, nil
}

// find is the pod whose ID is ref or starts with it (crictl takes short
// IDs); more than one match is an error.
func (s *sandboxStore) find(ref string) (*sandbox, error) {
	if ref == "" {
		return nil, fmt.Errorf("pod sandbox ID is empty: %w", errSandboxNotFound)
	}
	if sb, err := s.read(ref); err == nil || !errors.Is(err, errSandboxNotFound) {
		return sb, err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("find pod sandbox %s: %w", ref, err)
	}
	var match string
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !strings.HasPrefix(id, ref) {
			continue
		}
		if match != "" {
			return nil, fmt.Errorf("pod sandbox ID %s matches more than one", ref)
		}
		match = id
	}
	if match == "" {
		return nil, fmt.Errorf("pod sandbox %s: %w", ref, errSandboxNotFound)
	}
	return s.read(match)
}
