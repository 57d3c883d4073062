package compose

import (
	"context"
	"reflect"
	"testing"
	"time"

	units "github.com/docker/go-units"

	"berth/engine"
)

// specOf loads a project whose service web is image busybox:latest plus
// the lines of service (indented under web) and the top-level lines of
// top, and converts web's container number 1.
func specOf(t *testing.T, service, top string) (containerSpec, string) {
	t.Helper()
	dir := writeProject(t, map[string]string{
		"compose.yaml": "name: p\nservices:\n  web:\n    image: busybox:latest\n" + service + top,
	})
	p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{"SECRET_TOKEN=s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := createOptions(p, p.Services["web"], 1, "hash")
	if err != nil {
		t.Fatal(err)
	}
	return spec, dir
}

// TestCreateOptionsKeys: each service key of the compose specification
// berth runs becomes the engine's option docker's would.
func TestCreateOptionsKeys(t *testing.T) {
	yes := true
	pids := int64(50)
	cases := []struct {
		name         string
		service, top string
		got          func(s containerSpec, dir string) any
		want         func(dir string) any
	}{
		{"command", "    command: echo hi there\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Cmd },
			func(string) any { return []string{"echo", "hi", "there"} }},
		{"command list", "    command: [\"sh\", \"-c\", \"echo $$HOME\"]\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Cmd },
			func(string) any { return []string{"sh", "-c", "echo $HOME"} }},
		{"entrypoint", "    entrypoint: [\"/bin/sh\", \"-c\"]\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Entrypoint },
			func(string) any { return []string{"/bin/sh", "-c"} }},
		{"environment", "    environment:\n      - B=2\n      - A=1\n      - UNSET\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Env },
			func(string) any { return []string{"A=1", "B=2"} }},
		{"ports", "    ports:\n      - \"127.0.0.1:8080:80\"\n      - \"9000:9000/udp\"\n      - 7000\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.PortBindings },
			func(string) any {
				return map[string][]engine.PortBinding{
					"80/tcp":   {{HostIP: "127.0.0.1", HostPort: "8080"}},
					"9000/udp": {{HostPort: "9000"}},
					"7000/tcp": {{}},
				}
			}},
		{"expose", "    expose: [\"3000\", \"4000/udp\"]\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.ExposedPorts },
			func(string) any { return map[string]struct{}{"3000/tcp": {}, "4000/udp": {}} }},
		{"named volume", "    volumes:\n      - data:/data:ro\n", "volumes:\n  data: {}\n",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Mounts },
			func(string) any {
				return []engine.Mount{{Type: "volume", Source: "p_data", Target: "/data", ReadOnly: true}}
			}},
		{"anonymous volume", "    volumes:\n      - /cache\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Mounts },
			func(string) any { return []engine.Mount{{Type: "volume", Target: "/cache"}} }},
		{"bind", "    volumes:\n      - ./site:/www:ro\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Binds },
			func(dir string) any { return []string{dir + "/site:/www:ro"} }},
		{"bind that must exist", "    volumes:\n      - type: bind\n        source: ./site\n        target: /www\n        bind:\n          create_host_path: false\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Mounts },
			func(dir string) any { return []engine.Mount{{Type: "bind", Source: dir + "/site", Target: "/www"}} }},
		{"tmpfs volume", "    volumes:\n      - type: tmpfs\n        target: /scratch\n        tmpfs:\n          size: 1048576\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Tmpfs },
			func(string) any { return map[string]string{"/scratch": "size=1048576"} }},
		{"tmpfs", "    tmpfs:\n      - /run\n      - /tmp:size=64k\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Tmpfs },
			func(string) any { return map[string]string{"/run": "", "/tmp": "size=64k"} }},
		{"default network", "", "",
			func(s containerSpec, _ string) any {
				return []any{s.opts.HostConfig.NetworkMode, s.opts.NetworkAliases, len(s.more)}
			},
			func(string) any { return []any{"p_default", []string{"web"}, 0} }},
		{"networks with aliases", "    networks:\n      front:\n        aliases: [www]\n        priority: 10\n      back:\n        aliases: [api]\n", "networks:\n  front: {}\n  back:\n    name: the-back\n",
			func(s containerSpec, _ string) any {
				return []any{s.opts.HostConfig.NetworkMode, s.opts.NetworkAliases, s.more}
			},
			func(string) any {
				return []any{"p_front", []string{"web", "www"}, []networkJoin{{"the-back", engine.ConnectOptions{Aliases: []string{"web", "api"}}}}}
			}},
		{"network_mode", "    network_mode: host\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.NetworkMode },
			func(string) any { return "host" }},
		{"restart", "    restart: on-failure:3\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.RestartPolicy },
			func(string) any { return engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3} }},
		{"restart by default", "", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.RestartPolicy },
			func(string) any { return engine.RestartPolicy{Name: "no"} }},
		{"deploy restart_policy", "    deploy:\n      restart_policy:\n        condition: on-failure\n        max_attempts: 2\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.RestartPolicy },
			func(string) any { return engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2} }},
		{"healthcheck", "    healthcheck:\n      test: [\"CMD-SHELL\", \"true\"]\n      interval: 2s\n      timeout: 1s\n      retries: 4\n      start_period: 3s\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Healthcheck },
			func(string) any {
				return &engine.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: 2 * time.Second, Timeout: time.Second, StartPeriod: 3 * time.Second, Retries: 4}
			}},
		{"healthcheck string", "    healthcheck:\n      test: wget -q localhost\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Healthcheck.Test },
			func(string) any { return []string{"CMD-SHELL", "wget -q localhost"} }},
		{"healthcheck disabled", "    healthcheck:\n      disable: true\n", "",
			func(s containerSpec, _ string) any { return s.opts.Config.Healthcheck },
			func(string) any { return &engine.HealthConfig{Test: []string{"NONE"}} }},
		{"user and working_dir", "    user: \"1000:1000\"\n    working_dir: /srv\n", "",
			func(s containerSpec, _ string) any { return []string{s.opts.Config.User, s.opts.Config.WorkingDir} },
			func(string) any { return []string{"1000:1000", "/srv"} }},
		{"labels beside compose's", "    labels:\n      com.example.tier: front\n", "",
			func(s containerSpec, _ string) any {
				l := s.opts.Config.Labels
				return []string{l["com.example.tier"], l[LabelProject], l[LabelService], l[LabelNumber], l[LabelConfigHash], l[LabelOneoff]}
			},
			func(string) any { return []string{"front", "p", "web", "1", "hash", "False"} }},
		{"init", "    init: true\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Init },
			func(string) any { return &yes }},
		{"stop_signal and stop_grace_period", "    stop_signal: SIGUSR1\n    stop_grace_period: 1m30s\n", "",
			func(s containerSpec, _ string) any {
				return []any{s.opts.Config.StopSignal, *s.opts.Config.StopTimeout}
			},
			func(string) any { return []any{"SIGUSR1", 90} }},
		{"ulimits", "    ulimits:\n      nproc: 65535\n      nofile:\n        soft: 1024\n        hard: 2048\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Ulimits },
			func(string) any {
				return []*units.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}}
			}},
		{"sysctls", "    sysctls:\n      net.core.somaxconn: 1024\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Sysctls },
			func(string) any { return map[string]string{"net.core.somaxconn": "1024"} }},
		{"sysctls list", "    sysctls:\n      - net.ipv4.ip_forward=1\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Sysctls },
			func(string) any { return map[string]string{"net.ipv4.ip_forward": "1"} }},
		{"cap_add and cap_drop", "    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n", "",
			func(s containerSpec, _ string) any {
				return [][]string{s.opts.HostConfig.CapAdd, s.opts.HostConfig.CapDrop}
			},
			func(string) any { return [][]string{{"NET_ADMIN"}, {"ALL"}} }},
		{"privileged and read_only", "    privileged: true\n    read_only: true\n", "",
			func(s containerSpec, _ string) any {
				return []bool{s.opts.HostConfig.Privileged, s.opts.HostConfig.ReadonlyRootfs}
			},
			func(string) any { return []bool{true, true} }},
		{"devices", "    devices:\n      - /dev/null:/dev/mynull:r\n      - /dev/zero\n", "",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Devices },
			func(string) any {
				return []engine.DeviceMapping{
					{PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "r"},
					{PathOnHost: "/dev/zero", PathInContainer: "/dev/zero", CgroupPermissions: "rwm"},
				}
			}},
		{"deploy.resources limits", "    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n          memory: 64M\n          pids: 50\n        reservations:\n          memory: 32M\n", "",
			func(s containerSpec, _ string) any {
				r := s.opts.HostConfig.Resources
				return []any{r.NanoCPUs, r.Memory, *r.PidsLimit, r.MemoryReservation}
			},
			func(string) any { return []any{int64(5e8), int64(64 << 20), pids, int64(32 << 20)} }},
		{"container keys beside deploy", "    mem_limit: 128m\n    cpus: 1.5\n    pids_limit: 50\n", "",
			func(s containerSpec, _ string) any {
				r := s.opts.HostConfig.Resources
				return []any{r.NanoCPUs, r.Memory, *r.PidsLimit}
			},
			func(string) any { return []any{int64(15e8), int64(128 << 20), pids} }},
		{"secret and config files", "    secrets:\n      - token\n      - source: cert\n        target: /etc/ssl/cert.pem\n    configs:\n      - app\n",
			"secrets:\n  token:\n    environment: SECRET_TOKEN\n  cert:\n    file: ./cert.pem\nconfigs:\n  app:\n    file: ./app.conf\n",
			func(s containerSpec, _ string) any { return s.opts.HostConfig.Binds },
			func(dir string) any {
				return []string{dir + "/cert.pem:/etc/ssl/cert.pem:ro", dir + "/app.conf:/app:ro"}
			}},
		{"stop_grace_period rounds to seconds", "    stop_grace_period: 1500ms\n", "",
			func(s containerSpec, _ string) any { return *s.opts.Config.StopTimeout },
			func(string) any { return 2 }},
		{"container_name", "    container_name: the-web\n", "",
			func(s containerSpec, _ string) any { return s.opts.Name },
			func(string) any { return "the-web" }},
		{"hostname, extra_hosts, dns", "    hostname: h\n    extra_hosts: [\"db.local:10.0.0.2\"]\n    dns: [1.1.1.1]\n", "",
			func(s containerSpec, _ string) any {
				return []any{s.opts.Config.Hostname, s.opts.HostConfig.ExtraHosts, s.opts.HostConfig.DNS}
			},
			func(string) any { return []any{"h", []string{"db.local:10.0.0.2"}, []string{"1.1.1.1"}} }},
		{"name", "", "",
			func(s containerSpec, _ string) any {
				return []any{s.opts.Name, s.opts.Config.Image, s.opts.Config.StopTimeout}
			},
			func(string) any { return []any{"p-web-1", "busybox:latest", (*int)(nil)} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, dir := specOf(t, tc.service, tc.top)
			got, want := tc.got(spec, dir), tc.want(dir)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %#v\nwant %#v", got, want)
			}
		})
	}
}
