package engine

import (
	"time"

	units "github.com/docker/go-units"

	"berth/engine/network"
	"berth/engine/shimlog"
)

// Container is one container as the store keeps it and as `berth inspect`
// prints it. Field names and JSON keys follow `docker inspect` for
// everything berth has, so scripts written for docker keep working.
type Container struct {
	ID             string          `json:"Id"`
	Created        time.Time       `json:"Created"`
	Path           string          `json:"Path"`
	Args           []string        `json:"Args"`
	State          State           `json:"State"`
	Image          string          `json:"Image"` // image ID, "sha256:<hex>"
	ResolvConfPath string          `json:"ResolvConfPath"`
	HostnamePath   string          `json:"HostnamePath"`
	HostsPath      string          `json:"HostsPath"`
	LogPath        string          `json:"LogPath"`
	Name           string          `json:"Name"` // with docker's leading "/"
	RestartCount   int             `json:"RestartCount"`
	Driver         string          `json:"Driver"`
	Platform       string          `json:"Platform"`
	Mounts         []MountPoint    `json:"Mounts"`
	Config         ContainerConfig `json:"Config"`
	HostConfig     HostConfig      `json:"HostConfig"`
	// NetworkSettings is the running container's networking: address,
	// gateway, published ports with the host ports chosen; nil when it
	// is not running or on no bridge network.
	NetworkSettings *network.Settings `json:"NetworkSettings"`
	// ShimLog is berth's own: the errors the container's shim could not
	// hand to anyone. Inspect fills it in from the log; it is nil when
	// the shim has logged nothing, and never saved in the record.
	ShimLog *ShimLog `json:"BerthShimLog,omitempty"`
}

// ShimLog is where a container's shim logs the errors it could not hand
// to anyone (a failed --rm, a network it could not release, a restart
// that could not read the record), and the newest of them.
type ShimLog struct {
	Path      string         `json:"Path"`
	LastError *shimlog.Entry `json:"LastError"`
}

// ShortID is the 12-character form of the container's ID.
func (c *Container) ShortID() string { return c.ID[:12] }

// DisplayName is the container's name without docker's leading slash.
func (c *Container) DisplayName() string {
	if len(c.Name) > 0 && c.Name[0] == '/' {
		return c.Name[1:]
	}
	return c.Name
}

// ContainerConfig is the portable part of a container's configuration:
// what an image could also have said.
type ContainerConfig struct {
	Hostname     string              `json:"Hostname"`
	Domainname   string              `json:"Domainname"`
	User         string              `json:"User"`
	AttachStdin  bool                `json:"AttachStdin"`
	AttachStdout bool                `json:"AttachStdout"`
	AttachStderr bool                `json:"AttachStderr"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Tty          bool                `json:"Tty"`
	OpenStdin    bool                `json:"OpenStdin"`
	StdinOnce    bool                `json:"StdinOnce"`
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Image        string              `json:"Image"` // the reference as the user gave it
	Volumes      map[string]struct{} `json:"Volumes"`
	WorkingDir   string              `json:"WorkingDir"`
	Entrypoint   []string            `json:"Entrypoint"`
	Labels       map[string]string   `json:"Labels"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	StopTimeout  *int                `json:"StopTimeout,omitempty"` // seconds
	MacAddress   string              `json:"MacAddress,omitempty"`  // --mac-address, on the first network
	Healthcheck  *HealthConfig       `json:"Healthcheck,omitempty"`
}

// HostConfig is the host-specific part: resources, mounts, policies.
type HostConfig struct {
	Binds           []string                 `json:"Binds"` // -v "host:container[:mode]" and "volume:container[:mode]"
	LogConfig       LogConfig                `json:"LogConfig"`
	NetworkMode     string                   `json:"NetworkMode"` // "none", "host", "bridge" or a network's name
	PortBindings    map[string][]PortBinding `json:"PortBindings"`
	PublishAllPorts bool                     `json:"PublishAllPorts"` // -P
	RestartPolicy   RestartPolicy            `json:"RestartPolicy"`
	AutoRemove      bool                     `json:"AutoRemove"`
	CapAdd          []string                 `json:"CapAdd"`
	CapDrop         []string                 `json:"CapDrop"`
	Privileged      bool                     `json:"Privileged"`
	ReadonlyRootfs  bool                     `json:"ReadonlyRootfs"`
	SecurityOpt     []string                 `json:"SecurityOpt"`
	Tmpfs           map[string]string        `json:"Tmpfs"` // container path -> mount options
	CgroupParent    string                   `json:"CgroupParent"`
	// Process settings of docker run (resflags.go): /dev/shm's size in
	// bytes, more supplementary groups, namespaced sysctls, the OOM
	// score adjustment, and the --cidfile the CLI wrote the ID to.
	ShmSize         int64             `json:"ShmSize"`
	GroupAdd        []string          `json:"GroupAdd"`
	Sysctls         map[string]string `json:"Sysctls,omitempty"`
	OomScoreAdj     int               `json:"OomScoreAdj"`
	ContainerIDFile string            `json:"ContainerIDFile"`
	// Name resolution and namespaces (nsflags.go), as docker's keys:
	// --dns, --dns-option, --dns-search, --add-host ("HOST:IP"), --link
	// ("/NAME:/CONTAINER/ALIAS"), --pid, --ipc, --uts.
	DNS        []string `json:"Dns"`
	DNSOptions []string `json:"DnsOptions"`
	DNSSearch  []string `json:"DnsSearch"`
	ExtraHosts []string `json:"ExtraHosts"`
	Links      []string `json:"Links"`
	PidMode    string   `json:"PidMode"`
	IpcMode    string   `json:"IpcMode"`
	UTSMode    string   `json:"UTSMode"`
	// Init is --init: berth's tiny init runs as PID 1 (reaping zombies,
	// forwarding signals) and the command as its child; nil leaves it to
	// the settings file's init (Options.Init) at each start.
	Init *bool `json:"Init,omitempty"`
	Resources
	// Mounts are --mount entries and VolumesFrom --volumes-from
	// CONTAINER[:ro|rw] ones, as docker's API has them (mounts.go).
	Mounts      []Mount  `json:"Mounts,omitempty"`
	VolumesFrom []string `json:"VolumesFrom"`
	// MaskedPaths and ReadonlyPaths replace docker's default lists of
	// paths hidden from the container and made read-only in it (nil: the
	// defaults, an empty list: none), as docker's API has them;
	// --privileged skips both (maskedpaths.go).
	MaskedPaths   []string `json:"MaskedPaths"`
	ReadonlyPaths []string `json:"ReadonlyPaths"`
	// NamespacePaths and CRILogPath are berth's own, for the pods of
	// `berth cri` (nspaths.go, crilog.go): pinned namespace files the
	// container joins instead of making its own ("net", "ipc" or "uts" →
	// path), and a second log, in kubelet's CRI format, at a path kubelet
	// chose. Empty: none.
	NamespacePaths map[string]string `json:"BerthNamespacePaths,omitempty"`
	CRILogPath     string            `json:"BerthCRILogPath,omitempty"`
}

// Resources are the cgroup limits of a container, in docker's units.
// Zero means no limit.
type Resources struct {
	Memory     int64  `json:"Memory"`     // bytes
	MemorySwap int64  `json:"MemorySwap"` // memory+swap bytes; -1 unlimited
	NanoCPUs   int64  `json:"NanoCpus"`   // --cpus × 1e9
	CPUShares  int64  `json:"CpuShares"`
	CpusetCpus string `json:"CpusetCpus"`
	CpusetMems string `json:"CpusetMems"` // memory nodes (the CRI's cpuset_mems)
	PidsLimit  *int64 `json:"PidsLimit"`
	// Devices are --device entries: host nodes made in the container
	// and allowed with their permissions.
	Devices []DeviceMapping `json:"Devices"`
	// DeviceCgroupRules are --device-cgroup-rule entries in docker's
	// syntax ("c 1:3 mr"), added to the allowlist.
	DeviceCgroupRules []string `json:"DeviceCgroupRules"`
	// The limits of resflags.go: CFS period and quota in µs, the memory
	// soft limit, the OOM killer switch, block I/O weight and throttles,
	// and the --ulimit entries.
	CPUPeriod            int64            `json:"CpuPeriod"`
	CPUQuota             int64            `json:"CpuQuota"`
	MemoryReservation    int64            `json:"MemoryReservation"`
	OomKillDisable       *bool            `json:"OomKillDisable"`
	BlkioWeight          uint16           `json:"BlkioWeight"`
	BlkioDeviceReadBps   []ThrottleDevice `json:"BlkioDeviceReadBps"`
	BlkioDeviceWriteBps  []ThrottleDevice `json:"BlkioDeviceWriteBps"`
	BlkioDeviceReadIOps  []ThrottleDevice `json:"BlkioDeviceReadIOps"`
	BlkioDeviceWriteIOps []ThrottleDevice `json:"BlkioDeviceWriteIOps"`
	Ulimits              []*units.Ulimit  `json:"Ulimits"`
}

// DeviceMapping is one --device HOST[:CONTAINER[:PERMISSIONS]], as
// docker's API has it.
type DeviceMapping struct {
	PathOnHost        string `json:"PathOnHost"`
	PathInContainer   string `json:"PathInContainer"`
	CgroupPermissions string `json:"CgroupPermissions"` // r, w and m; "rwm" when not given
}

// PortBinding is one published port (networking comes in a later issue).
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// RestartPolicy is docker's --restart: "no", "on-failure" (with a maximum
// retry count, 0 meaning unlimited), "always", "unless-stopped".
type RestartPolicy struct {
	Name              string `json:"Name"`
	MaximumRetryCount int    `json:"MaximumRetryCount"`
}

// LogConfig is --log-driver/--log-opt: json-file, local or none.
type LogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
}

// MountPoint describes one mount, as docker inspect shows it.
type MountPoint struct {
	Type        string `json:"Type"`           // "bind", "volume", "tmpfs" or "image"
	Name        string `json:"Name,omitempty"` // a volume's
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"` // a volume's: "local"
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}
