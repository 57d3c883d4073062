package runopts

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"berth/config"
	"berth/engine"

	"github.com/spf13/pflag"
)

// parseRunFlags parses a run command line (flags, IMAGE, COMMAND) the way
// the run command does and builds its CreateOptions.
func parseRunFlags(t *testing.T, cfg *config.Config, host HostFiles, args ...string) (engine.CreateOptions, []string, error) {
	t.Helper()
	flags := pflag.NewFlagSet("run", pflag.ContinueOnError)
	var f Flags
	f.Register(flags, true)
	if err := flags.Parse(args); err != nil {
		return engine.CreateOptions{}, nil, err
	}
	rest := flags.Args()
	return f.CreateOptions(flags, rest[0], rest[1:], cfg, host)
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCreateOptions(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env.list")
	writeTestFile(t, envFile, "# settings\nFROM_FILE=1\nSHARED=file\nHOST_VAR\n")
	labelFile := filepath.Join(dir, "labels")
	writeTestFile(t, labelFile, "team=core\nbare\n")
	host := HostFiles{
		LookupEnv: lookupIn(map[string]string{"HOST_VAR": "h", "HOME": "/root"}),
		Abs:       func(p string) (string, error) { return filepath.Join(dir, p), nil },
	}
	cfg := &config.Config{DefaultNetwork: "none", CgroupParent: "machine"}
	ptr := func(n int64) *int64 { return &n }
	stop := 5

	tests := []struct {
		name     string
		args     []string
		cfg      *config.Config
		want     func(o *engine.CreateOptions)
		warnings []string
		wantErr  string
	}{
		{
			name: "defaults",
			args: []string{"busybox"},
			want: func(o *engine.CreateOptions) {},
		},
		{
			name: "command and process settings",
			args: []string{"--name", "web", "-h", "box", "-w", "/tmp", "-u", "nobody:nogroup", "--entrypoint", "/bin/sh",
				"-e", "A=1", "-e", "HOME", "-e", "UNSET", "--env-file", envFile, "-l", "tier=front", "--label-file", labelFile,
				"--stop-signal", "SIGINT", "--stop-timeout", "5", "-i", "-t", "busybox", "-c", "echo hi"},
			want: func(o *engine.CreateOptions) {
				o.Name = "web"
				c := &o.Config
				c.Hostname, c.WorkingDir, c.User = "box", "/tmp", "nobody:nogroup"
				c.Entrypoint, c.Cmd = []string{"/bin/sh"}, []string{"-c", "echo hi"}
				c.Env = []string{"FROM_FILE=1", "SHARED=file", "HOST_VAR=h", "A=1", "HOME=/root"}
				c.Labels = map[string]string{"team": "core", "tier": "front"}
				c.StopSignal, c.StopTimeout = "SIGINT", &stop
				c.Tty, c.OpenStdin, c.AttachStdin, c.StdinOnce = true, true, true, true
			},
		},
		{
			name: "entrypoint cleared",
			args: []string{"--entrypoint", "", "busybox", "ls"},
			want: func(o *engine.CreateOptions) { o.Config.Entrypoint = []string{""}; o.Config.Cmd = []string{"ls"} },
		},
		{
			name: "detached",
			args: []string{"-d", "-i", "busybox"},
			want: func(o *engine.CreateOptions) {
				o.Config.OpenStdin = true
				o.Config.AttachStdout, o.Config.AttachStderr = false, false
			},
		},
		{
			name: "resources",
			args: []string{"-m", "512m", "--memory-swap", "-1", "--cpus", "1.5", "--cpu-shares", "512", "--cpuset-cpus", "0-1", "--pids-limit", "100", "busybox"},
			want: func(o *engine.CreateOptions) {
				o.HostConfig.Resources = engine.Resources{Memory: 512 << 20, MemorySwap: -1, NanoCPUs: 1_500_000_000, CPUShares: 512, CpusetCpus: "0-1", PidsLimit: ptr(100)}
			},
		},
		{
			name: "memory and swap",
			args: []string{"-m", "64m", "--memory-swap", "1g", "busybox"},
			want: func(o *engine.CreateOptions) { o.HostConfig.Memory, o.HostConfig.MemorySwap = 64<<20, 1<<30 },
		},
		{
			name: "policies, mounts and security",
			args: []string{"--restart", "on-failure:3", "--read-only", "-v", dir + ":/data:ro", "-v", "./:/work", "--tmpfs", "/run:size=64m",
				"--log-opt", "max-size=10m", "--log-opt", "max-file=3", "--cap-add", "net_admin", "--cap-drop", "ALL", "--privileged",
				"--security-opt", "no-new-privileges", "busybox"},
			want: func(o *engine.CreateOptions) {
				h := &o.HostConfig
				h.RestartPolicy = engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}
				h.ReadonlyRootfs, h.Privileged = true, true
				h.Binds = []string{dir + ":/data:ro", dir + ":/work"}
				h.Tmpfs = map[string]string{"/run": "size=64m"}
				h.LogConfig.Config = map[string]string{"max-size": "10m", "max-file": "3"}
				h.CapAdd, h.CapDrop = []string{"CAP_NET_ADMIN"}, []string{"ALL"}
				h.SecurityOpt = []string{"no-new-privileges"}
			},
		},
		{
			name: "cgroup parent",
			args: []string{"--cgroup-parent", "batch", "busybox"},
			want: func(o *engine.CreateOptions) { o.HostConfig.CgroupParent = "batch" },
		},
		{
			name: "auto remove",
			args: []string{"--rm", "busybox"},
			want: func(o *engine.CreateOptions) { o.HostConfig.AutoRemove = true },
		},
		{
			name: "host network from the settings file, ports dropped",
			args: []string{"-p", "8080:80", "busybox"},
			cfg:  &config.Config{DefaultNetwork: "host"},
			want: func(o *engine.CreateOptions) {
				o.HostConfig.NetworkMode, o.HostConfig.CgroupParent = "host", ""
				o.Config.ExposedPorts = map[string]struct{}{"80/tcp": {}}
			},
			warnings: []string{"Published ports are discarded when using host network mode"},
		},
		{
			name: "published ports on the bridge",
			args: []string{"--network", "bridge", "-p", "127.0.0.1:8080:80", "-p", "53/udp", "-P", "--expose", "9000", "busybox"},
			want: func(o *engine.CreateOptions) {
				o.HostConfig.NetworkMode, o.HostConfig.PublishAllPorts = "bridge", true
				o.HostConfig.PortBindings = map[string][]engine.PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: "8080"}}, "53/udp": {{}}}
				o.Config.ExposedPorts = map[string]struct{}{"80/tcp": {}, "53/udp": {}, "9000/tcp": {}}
			},
		},
		{
			name: "user network",
			args: []string{"--network", "my-net.1", "busybox"},
			want: func(o *engine.CreateOptions) { o.HostConfig.NetworkMode = "my-net.1" },
		},
		{
			name: "init",
			args: []string{"--init", "busybox"},
			want: func(o *engine.CreateOptions) { o.HostConfig.Init = new(true) },
		},
		{
			// The engine applies the settings file's init at each
			// start, to containers that did not say (as docker's daemon).
			name: "init left to the settings file",
			args: []string{"busybox"},
			cfg:  &config.Config{DefaultNetwork: "none", CgroupParent: "machine", Init: true},
			want: func(o *engine.CreateOptions) {},
		},
		{
			name: "init=false over the settings file",
			args: []string{"--init=false", "busybox"},
			cfg:  &config.Config{DefaultNetwork: "none", CgroupParent: "machine", Init: true},
			want: func(o *engine.CreateOptions) { o.HostConfig.Init = new(false) },
		},
		{name: "relative workdir", args: []string{"-w", "tmp", "busybox"}, wantErr: "it needs to be an absolute path"},
		{name: "bad stop signal", args: []string{"--stop-signal", "SIGNOPE", "busybox"}, wantErr: "invalid signal: SIGNOPE"},
		{name: "bad detach keys", args: []string{"--detach-keys", "alt-x", "busybox"}, wantErr: "invalid detach keys (alt-x): unknown character: 'alt-x'"},
		{name: "upper-case detach key", args: []string{"--detach-keys", "ctrl-A,a", "busybox"}, wantErr: "invalid detach keys (ctrl-A,a): unknown character: 'ctrl-A'"},
		{name: "bad log opt", args: []string{"--log-opt", "compress=true", "busybox"}, wantErr: `unknown key "compress"`},
		{name: "bad log size", args: []string{"--log-opt", "max-size=big", "busybox"}, wantErr: `max-size "big"`},
		{name: "max-file without any max-size", args: []string{"--log-opt", "max-file=3", "busybox"}, wantErr: "only be used together with max-size"},
		{name: "swap below memory", args: []string{"-m", "1g", "--memory-swap", "512m", "busybox"}, wantErr: "should be larger than memory limit"},
		{name: "swap without memory", args: []string{"--memory-swap", "1g", "busybox"}, wantErr: "always set the memory limit"},
		{name: "bad cpuset", args: []string{"--cpuset-cpus", "a-b", "busybox"}, wantErr: "invalid value a-b for cpuset cpus"},
		{name: "bad env", args: []string{"-e", "=x", "busybox"}, wantErr: "invalid environment variable"},
		{name: "missing env file", args: []string{"--env-file", "/nonexistent/env", "busybox"}, wantErr: "open /nonexistent/env"},
		{name: "bad capability", args: []string{"--cap-add", "fly", "busybox"}, wantErr: "unknown capability"},
		{name: "bad security opt", args: []string{"--security-opt", "label=disable", "busybox"}, wantErr: "only no-new-privileges and seccomp"},
		{
			name: "container network and namespaces",
			args: []string{"--network", "container:web", "--pid", "container:web", "--ipc", "shareable", "--uts", "host", "busybox"},
			want: func(o *engine.CreateOptions) {
				o.HostConfig.NetworkMode, o.HostConfig.PidMode, o.HostConfig.IpcMode, o.HostConfig.UTSMode = "container:web", "container:web", "shareable", "host"
			},
		},
		{
			name: "name resolution",
			args: []string{"--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway", "--add-host", "v6:::1", "--dns", "10.0.0.53",
				"--dns-search", "example.com", "--dns-option", "ndots:2", "--domainname", "example.org", "--mac-address", "92:d0:c6:0a:29:33",
				"--link", "web:w", "busybox"},
			want: func(o *engine.CreateOptions) {
				hc := &o.HostConfig
				hc.ExtraHosts = []string{"db:10.1.2.3", "gw:host-gateway", "v6:::1"}
				hc.DNS, hc.DNSSearch, hc.DNSOptions, hc.Links = []string{"10.0.0.53"}, []string{"example.com"}, []string{"ndots:2"}, []string{"web:w"}
				o.Config.Domainname, o.Config.MacAddress = "example.org", "92:d0:c6:0a:29:33"
			},
		},
		{name: "empty container network", args: []string{"--network", "container:", "busybox"}, wantErr: `no container named`},
		{name: "bad add-host", args: []string{"--add-host", "db:10.1.2", "busybox"}, wantErr: `invalid IP address in add-host: "10.1.2"`},
		{name: "bad dns", args: []string{"--dns", "resolver", "busybox"}, wantErr: `resolver is not an ip address`},
		{name: "bad dns search", args: []string{"--dns-search", "-bad-", "busybox"}, wantErr: `-bad- is not a valid domain`},
		{name: "bad dns option", args: []string{"--dns-option", "a b", "busybox"}, wantErr: `is not a valid DNS option`},
		{name: "bad mac", args: []string{"--mac-address", "92:d0:c6", "busybox"}, wantErr: `92:d0:c6 is not a valid mac address`},
		{name: "bad ipc", args: []string{"--ipc", "public", "busybox"}, wantErr: `--ipc: invalid IPC mode`},
		{name: "bad uts", args: []string{"--uts", "container:web", "busybox"}, wantErr: `--uts: invalid UTS mode`},
		{name: "bad network name", args: []string{"--network", "my net", "busybox"}, wantErr: `invalid --network "my net"`},
		{name: "publish on none", args: []string{"-P", "busybox"}, wantErr: "conflicting options: port publishing"},
		{name: "bad port", args: []string{"-p", "x:80", "busybox"}, cfg: &config.Config{DefaultNetwork: "host"}, wantErr: "invalid hostPort: x"},
		{
			name: "max-file over the default max-size",
			args: []string{"--log-opt", "max-file=3", "busybox"},
			cfg:  &config.Config{DefaultNetwork: "none", CgroupParent: "machine", LogOpts: config.LogOpts{MaxSize: "20m", MaxFile: "5"}},
			want: func(o *engine.CreateOptions) { o.HostConfig.LogConfig.Config = map[string]string{"max-file": "3"} },
		},
		{name: "escaping cgroup parent", args: []string{"--cgroup-parent", "../x", "busybox"}, wantErr: `must not contain ".."`},
		{name: "bad pull", args: []string{"--pull", "sometimes", "busybox"}, wantErr: `invalid pull option: 'sometimes'`},
		{name: "bad tmpfs", args: []string{"--tmpfs", "run", "busybox"}, wantErr: "must be absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			if tt.cfg != nil {
				c = tt.cfg
			}
			got, warnings, err := parseRunFlags(t, c, host, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := engine.CreateOptions{
				Config: engine.ContainerConfig{Image: "busybox", AttachStdout: true, AttachStderr: true, Labels: map[string]string{}},
				HostConfig: engine.HostConfig{NetworkMode: "none", CgroupParent: "machine", RestartPolicy: engine.RestartPolicy{Name: "no"},
					LogConfig: engine.LogConfig{Type: "json-file"}},
			}
			tt.want(&want)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("CreateOptions:\n got %s\nwant %s", gotJSON, wantJSON)
			}
			if !reflect.DeepEqual(warnings, tt.warnings) {
				t.Errorf("warnings = %q, want %q", warnings, tt.warnings)
			}
		})
	}
}
