package api

import (
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"golang.org/x/sys/unix"

	"berth/host"
)

// systemRoutes are _ping, version, info, system df and events.
func (s *Server) systemRoutes() []route {
	return []route{
		{"GET /_ping", s.ping},
		{"HEAD /_ping", s.ping},
		{"GET /version", s.version},
		{"GET /info", s.info},
		{"GET /system/df", s.systemDiskUsage},
		{"GET /events", s.events},
	}
}

// ping is how a client learns the API version before its first request.
func (s *Server) ping(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Ostype", runtime.GOOS)
	w.Header().Set("Builder-Version", "1")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write([]byte("OK"))
	return err
}

// version is the server's version and the API versions it answers.
func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	commit, built := buildInfo()
	kernel := kernelRelease()
	return writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:   system.PlatformInfo{Name: "berth"},
		Version:    host.Version,
		APIVersion: MaxVersion, MinAPIVersion: MinVersion,
		GitCommit: commit, BuildTime: built, KernelVersion: kernel,
		Os: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		Components: []system.ComponentVersion{{Name: "Engine", Version: host.Version, Details: map[string]string{
			"ApiVersion": MaxVersion, "MinAPIVersion": MinVersion, "GitCommit": commit, "GoVersion": runtime.Version(),
			"Os": runtime.GOOS, "Arch": runtime.GOARCH, "KernelVersion": kernel, "BuildTime": built, "Experimental": "false",
		}}},
	})
}

// buildInfo is the commit berth was built from (12 characters, with
// "-dirty" for a modified tree) and its time, as the Go toolchain
// stamped them; "" when it did not (go test, go run).
func buildInfo() (commit, built string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	dirty := false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			commit = kv.Value[:min(12, len(kv.Value))]
		case "vcs.time":
			built = kv.Value
		case "vcs.modified":
			dirty = kv.Value == "true"
		}
	}
	if dirty && commit != "" {
		commit += "-dirty"
	}
	return commit, built
}

// kernelRelease is uname -r.
func kernelRelease() string {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return ""
	}
	return unix.ByteSliceToString(uts.Release[:])
}

// machine is uname -m, docker's Architecture ("x86_64").
func machine() string {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return runtime.GOARCH
	}
	return unix.ByteSliceToString(uts.Machine[:])
}

// info is `docker info`: the host's counts and settings as berth knows
// them, and docker's defaults for what berth has no notion of (swarm,
// plugins, runtimes).
func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	in, err := s.host.Info(r.Context())
	if err != nil {
		return err
	}
	name, err := os.Hostname()
	if err != nil {
		return err
	}
	cgroupV2 := in.CgroupVersion == "2"
	out := system.Info{
		ID:         "berth:" + in.DataRoot,
		Containers: in.Containers, ContainersRunning: in.ContainersRunning, ContainersPaused: in.ContainersPaused,
		ContainersStopped: in.ContainersStopped, Images: in.Images,
		Driver: in.StorageDriver, DriverStatus: [][2]string{},
		Plugins: system.PluginsInfo{
			Volume: []string{"local"}, Network: []string{"bridge", "host", "none"}, Log: []string{"json-file", "local", "none"},
		},
		MemoryLimit: true, SwapLimit: true, CPUCfsPeriod: true, CPUCfsQuota: true, CPUShares: true, CPUSet: true,
		PidsLimit: true, OomKillDisable: !cgroupV2, IPv4Forwarding: ipv4Forwarding(),
		NFd: openFiles(), NGoroutines: runtime.NumGoroutine(), SystemTime: time.Now().Format(time.RFC3339Nano),
		LoggingDriver: "json-file", CgroupDriver: in.CgroupDriver, CgroupVersion: in.CgroupVersion,
		KernelVersion: in.KernelVersion, OperatingSystem: in.OperatingSystem, OSVersion: osVersion(),
		OSType: runtime.GOOS, Architecture: machine(), IndexServerAddress: "https://index.docker.io/v1/",
		RegistryConfig: &registry.ServiceConfig{
			// berth, as dockerd, speaks plain HTTP to a registry on a loopback address.
			InsecureRegistryCIDRs: []netip.Prefix{netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("127.0.0.0/8")},
			IndexConfigs: map[string]*registry.IndexInfo{
				"docker.io": {Name: "docker.io", Mirrors: []string{}, Secure: true, Official: true},
			},
			Mirrors: []string{},
		},
		NCPU: in.NCPU, MemTotal: int64(in.MemTotal), DockerRootDir: in.DataRoot,
		HTTPProxy: os.Getenv("HTTP_PROXY"), HTTPSProxy: os.Getenv("HTTPS_PROXY"), NoProxy: os.Getenv("NO_PROXY"),
		Name: name, Labels: []string{}, ServerVersion: host.Version,
		Runtimes:           map[string]system.RuntimeWithStatus{"berth": {Runtime: system.Runtime{Path: "berth"}}},
		DefaultRuntime:     "berth",
		Swarm:              swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
		LiveRestoreEnabled: true, // containers outlive the service: there is no daemon to restart
		SecurityOptions:    in.SecurityOptions,
		CDISpecDirs:        []string{},
		Warnings:           []string{},
	}
	if versionBefore(r.Context(), legacyBridgeNfVersion) {
		return writeJSON(w, http.StatusOK, legacyInfo{Info: out,
			BridgeNfIptables:  sysctlOn("/proc/sys/net/bridge/bridge-nf-call-iptables"),
			BridgeNfIP6tables: sysctlOn("/proc/sys/net/bridge/bridge-nf-call-ip6tables"),
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// legacyBridgeNfVersion is the first API version whose info no longer
// says whether bridged traffic goes through iptables; docker 20.10 warns
// when it does not.
const legacyBridgeNfVersion = "1.50"

// legacyInfo is the info answer with the fields older clients read.
type legacyInfo struct {
	system.Info
	BridgeNfIptables  bool
	BridgeNfIP6tables bool `json:"BridgeNfIp6tables"`
}

// sysctlOn reads whether a /proc/sys switch is on (a missing one is off).
func sysctlOn(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// ipv4Forwarding reads whether the host forwards IPv4, which a bridge's
// published ports need.
func ipv4Forwarding() bool { return sysctlOn("/proc/sys/net/ipv4/ip_forward") }

// openFiles is the service's open descriptors, docker's NFd.
func openFiles() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(entries)
}

// osVersion is os-release's VERSION_ID.
func osVersion() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VERSION_ID="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
