package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"berth/engine/containerinit"
	"berth/engine/network"
)

// record is what container.json holds: the Container that inspect shows,
// plus what only the engine needs to manage it.
type record struct {
	Container
	// ShimPID and ShimStart identify the shim watching the container; a
	// shim whose PID is gone or reused (another start time) has died.
	ShimPID   int    `json:"BerthShimPid,omitempty"`
	ShimStart uint64 `json:"BerthShimStart,omitempty"`
	// ShimBoot is the machine's boot ID when the shim started: after a
	// reboot a PID and start time can name another process (boots repeat
	// themselves), never the same boot ID.
	ShimBoot string `json:"BerthShimBoot,omitempty"`
	// ManuallyStopped is docker's HasBeenManuallyStopped: set by stop and
	// kill so the restart policy leaves the container down.
	ManuallyStopped bool `json:"BerthManuallyStopped,omitempty"`
	// RestartDelay is the restart back-off the shim last waited (or
	// waits) out; the next one doubles it (nextBackoff).
	RestartDelay time.Duration `json:"BerthRestartDelay,omitempty"`
	// RootMount describes how the container's root filesystem is built.
	RootMount mountSpec `json:"BerthRootMount"`
	// LogOpts are the json-file options in force (container's over defaults).
	LogOpts map[string]string `json:"BerthLogOpts,omitempty"`
	// NetworkAliases and IP are --network-alias and --ip.
	NetworkAliases []string `json:"BerthNetworkAliases,omitempty"`
	IP             string   `json:"BerthIP,omitempty"`
	// NetworkLinks are --link of a container on a user-defined network,
	// as given ("NAME:ALIAS"): docker keeps them in that network's
	// endpoint, not in HostConfig.Links (see netlinks.go).
	NetworkLinks []string `json:"BerthNetworkLinks,omitempty"`
	// Connected are the networks `network connect` added, joined after
	// the one of HostConfig.NetworkMode at every start.
	Connected []network.Connection `json:"BerthConnected,omitempty"`
	// LeftNetworks are networks of HostConfig.NetworkMode that `network
	// disconnect` took the container off, until a `network connect`.
	LeftNetworks []string `json:"BerthLeftNetworks,omitempty"`
	// SeccompProfile is the profile --security-opt seccomp=FILE named, as
	// read at create, so that a later start does not depend on the file;
	// nil means Docker's default (or none, per SecurityOpt).
	SeccompProfile json.RawMessage `json:"BerthSeccompProfile,omitempty"`
	// ContainerMounts are the binds, volumes and --mount tmpfs create
	// resolved (mounts.go); nil in a record from before volumes.
	ContainerMounts []containerMount `json:"BerthMounts,omitempty"`
}

// mountSpec is a mount described as data (the images store describes, the
// container init performs).
type mountSpec struct {
	Type    string
	Source  string
	Target  string
	Options []string
	Dir     string `json:",omitempty"` // relative paths are resolved here; "" when none
}

// initMount is m as the init performs it.
func (m mountSpec) initMount() containerinit.Mount {
	return containerinit.Mount{Type: m.Type, Source: m.Source, Target: m.Target, Options: m.Options, Dir: m.Dir}
}

// decodeRecord reads container.json's bytes for the container id. A record
// that does not decode, or decodes to something that cannot be this
// container's (another ID, no name, an unknown status), is an error
// wrapping ErrDamaged: the caller shows that container as dead rather than
// fail for every container.
func decodeRecord(id string, data []byte) (*record, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrDamaged)
	}
	c := new(record)
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	switch {
	case c.ID != id:
		return nil, fmt.Errorf("%w: it names container %q", ErrDamaged, c.ID)
	case !strings.HasPrefix(c.Name, "/") || checkName(c.Name[1:]) != nil:
		return nil, fmt.Errorf("%w: invalid name %q", ErrDamaged, c.Name)
	case !c.State.Status.Valid():
		return nil, fmt.Errorf("%w: unknown status %q", ErrDamaged, c.State.Status)
	}
	return c, nil
}
