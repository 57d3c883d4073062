package cli

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"berth/config"
	"berth/engine"
	"berth/host"
)

// The values `berth version` and `berth info` print and their --format
// templates run on, in the shape and with the keys of docker's API types
// (moby's types.Version and system.Info, and docker's CLI's client part).
// They are berth's own structs rather than moby's api module: that module
// follows the newest API (fields removed and renamed since docker 20.10,
// which berth matches) and brings swarm, registry and plugin types berth
// would only fill with zero values. Only what berth knows is filled in;
// docker's other keys keep their zero values so that templates naming them
// still run.

// apiVersion is the docker API version whose shapes berth's output
// follows (docker 20.10), and minAPIVersion docker 20.10's oldest.
const (
	apiVersion    = "1.41"
	minAPIVersion = "1.12"
)

// versionInfo is `berth version`: docker's client and server parts; with
// no daemon, the "server" is the engine in this binary.
type versionInfo struct {
	Client clientVersion
	Server *serverVersion
}

// clientVersion is docker's CLI's client part of `version`.
type clientVersion struct {
	Platform          struct{ Name string } `json:",omitempty"`
	Version           string
	APIVersion        string `json:"ApiVersion"`
	DefaultAPIVersion string `json:"DefaultAPIVersion,omitempty"`
	GitCommit         string
	GoVersion         string
	Os                string
	Arch              string
	BuildTime         string `json:",omitempty"`
	Context           string
}

// serverVersion is moby's types.Version.
type serverVersion struct {
	Platform      struct{ Name string } `json:",omitempty"`
	Components    []componentVersion    `json:",omitempty"`
	Version       string
	APIVersion    string `json:"ApiVersion"`
	MinAPIVersion string `json:",omitempty"`
	GitCommit     string
	GoVersion     string
	Os            string
	Arch          string
	KernelVersion string `json:",omitempty"`
	Experimental  bool   `json:",omitempty"`
	BuildTime     string `json:",omitempty"`
}

// componentVersion is one part of the server, as moby's.
type componentVersion struct {
	Name    string
	Version string
	Details map[string]string `json:",omitempty"`
}

// currentVersion is this binary's version, as client and server.
func currentVersion() versionInfo {
	commit := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				commit = s.Value[:7]
			}
		}
	}
	kernel := kernelRelease()
	v := versionInfo{
		Client: clientVersion{
			Version: host.Version, APIVersion: apiVersion, DefaultAPIVersion: apiVersion, GitCommit: commit,
			GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH, Context: "default",
		},
		Server: &serverVersion{
			Version: host.Version, APIVersion: apiVersion, MinAPIVersion: minAPIVersion, GitCommit: commit,
			GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH, KernelVersion: kernel,
		},
	}
	v.Client.Platform.Name = "berth"
	v.Server.Platform.Name = "berth"
	v.Server.Components = []componentVersion{{Name: "Engine", Version: host.Version, Details: map[string]string{
		"ApiVersion": apiVersion, "MinAPIVersion": minAPIVersion, "GitCommit": commit, "GoVersion": runtime.Version(),
		"Os": runtime.GOOS, "Arch": runtime.GOARCH, "KernelVersion": kernel, "Experimental": "false",
	}}}
	return v
}

// kernelRelease is the running kernel's release ("6.1.0-13-amd64"), ""
// when /proc does not say.
func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// systemInfo is `berth info`: moby's system.Info keys for what berth
// knows, then berth's own settings under the names berth has always
// printed them (RunRoot, ConfigFile…).
type systemInfo struct {
	ID                 string
	Containers         int
	ContainersRunning  int
	ContainersPaused   int
	ContainersStopped  int
	Images             int
	Driver             string
	DriverStatus       [][2]string
	Plugins            pluginsInfo
	MemoryLimit        bool
	SwapLimit          bool
	CPUCfsPeriod       bool `json:"CpuCfsPeriod"`
	CPUCfsQuota        bool `json:"CpuCfsQuota"`
	CPUShares          bool
	CPUSet             bool
	PidsLimit          bool
	IPv4Forwarding     bool
	Debug              bool
	SystemTime         string
	LoggingDriver      string
	CgroupDriver       string
	CgroupVersion      string
	KernelVersion      string
	OperatingSystem    string
	OSVersion          string
	OSType             string
	Architecture       string
	IndexServerAddress string
	RegistryConfig     registryConfig
	NCPU               int
	MemTotal           int64
	DockerRootDir      string
	HTTPProxy          string `json:"HttpProxy"`
	HTTPSProxy         string `json:"HttpsProxy"`
	NoProxy            string
	Name               string
	Labels             []string
	ExperimentalBuild  bool
	ServerVersion      string
	DefaultRuntime     string
	Swarm              swarmInfo
	LiveRestoreEnabled bool
	Isolation          string
	InitBinary         string
	SecurityOptions    []string
	Warnings           []string

	// berth's own.
	RunRoot        string
	ConfigFile     string
	CgroupParent   string
	LogOpts        map[string]string
	DefaultNetwork string
}

// swarmInfo is the part of moby's swarm.Info scripts read: berth is
// never in a swarm ("inactive").
type swarmInfo struct {
	NodeID           string
	NodeAddr         string
	LocalNodeState   string
	ControlAvailable bool
	Error            string
	RemoteManagers   []string
}

// pluginsInfo is moby's PluginsInfo: the drivers berth has built in.
type pluginsInfo struct {
	Volume        []string
	Network       []string
	Authorization []string
	Log           []string
}

// registryConfig is the part of moby's registry.ServiceConfig berth has.
type registryConfig struct {
	InsecureRegistryCIDRs []string
	Mirrors               []string
}

// newSystemInfo merges the engine's report with the settings berth runs
// with; the settings win, being what this invocation resolved.
func newSystemInfo(info *engine.Info, cfg *config.Config, hostname string, now string) systemInfo {
	si := systemInfo{
		ID:                 engineID(cfg.DataRoot),
		Containers:         info.Containers,
		ContainersRunning:  info.ContainersRunning,
		ContainersPaused:   info.ContainersPaused,
		ContainersStopped:  info.ContainersStopped,
		Images:             info.Images,
		Driver:             info.StorageDriver,
		DriverStatus:       [][2]string{},
		Plugins:            pluginsInfo{Volume: []string{"local"}, Network: []string{"bridge", "host", "null"}, Log: []string{"json-file"}},
		MemoryLimit:        true,
		SwapLimit:          true,
		CPUCfsPeriod:       true,
		CPUCfsQuota:        true,
		CPUShares:          true,
		CPUSet:             true,
		PidsLimit:          true,
		IPv4Forwarding:     true,
		SystemTime:         now,
		LoggingDriver:      "json-file",
		CgroupDriver:       info.CgroupDriver,
		CgroupVersion:      info.CgroupVersion,
		KernelVersion:      info.KernelVersion,
		OperatingSystem:    info.OperatingSystem,
		OSType:             runtime.GOOS,
		Architecture:       machineArch(runtime.GOARCH),
		IndexServerAddress: "https://index.docker.io/v1/",
		RegistryConfig:     registryConfig{InsecureRegistryCIDRs: cfg.InsecureRegistries, Mirrors: cfg.RegistryMirrors},
		NCPU:               info.NCPU,
		MemTotal:           int64(info.MemTotal),
		DockerRootDir:      cfg.DataRoot,
		HTTPProxy:          os.Getenv("HTTP_PROXY"),
		HTTPSProxy:         os.Getenv("HTTPS_PROXY"),
		NoProxy:            os.Getenv("NO_PROXY"),
		Name:               hostname,
		Labels:             []string{},
		ServerVersion:      host.Version,
		DefaultRuntime:     "berth",
		Swarm:              swarmInfo{LocalNodeState: "inactive"},
		LiveRestoreEnabled: true,
		SecurityOptions:    info.SecurityOptions,
		Warnings:           []string{},
		RunRoot:            cfg.RunRoot,
		ConfigFile:         cfg.File,
		CgroupParent:       info.CgroupParent,
		LogOpts:            info.LogOpts,
		DefaultNetwork:     cfg.DefaultNetwork,
	}
	if si.Driver == "" {
		si.Driver = cfg.StorageDriver
	}
	if si.CgroupParent == "" {
		si.CgroupParent = cfg.CgroupParent
	}
	if len(si.LogOpts) == 0 {
		si.LogOpts = cfg.LogOpts.Map()
	}
	return si
}

// machineArch is uname's machine name for a Go architecture, as docker's
// Architecture ("x86_64", "aarch64").
func machineArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	case "arm":
		return "armv7l"
	}
	return goarch
}

// engineID identifies this berth installation as docker's daemon ID does
// its daemon: stable for one machine and data root, different for
// another data root. It is derived, not stored, so info writes nothing.
func engineID(dataRoot string) string {
	machine, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		// Without a machine ID the data root alone names the installation.
		machine = nil
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(string(machine)) + "\x00" + dataRoot))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
