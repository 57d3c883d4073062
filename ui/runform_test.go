package ui

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"berth/config"
	"berth/engine"
	"berth/host/runopts"
)

// TestRunOptions: the run form takes what `berth run` takes, through the
// same parser, and refuses what it refuses with its message.
func TestRunOptions(t *testing.T) {
	host := runopts.HostFiles{
		LookupEnv: func(k string) (string, bool) { v, ok := map[string]string{"HOME": "/root"}[k]; return v, ok },
		Abs:       func(p string) (string, error) { return "/work/" + p, nil },
	}
	pids, unlimited := int64(50), int64(-1)
	tests := []struct {
		name string
		spec runSpec
		want func(o *engine.CreateOptions)
		err  string
	}{
		{name: "image only", spec: runSpec{Image: "busybox"}, want: func(o *engine.CreateOptions) {}},
		{
			name: "everything",
			spec: runSpec{Image: "busybox", Name: "w", Command: `sh -c "echo hi; sleep 9"`, Env: `A=1 'B=two words' HOME`,
				Memory: "1GiB", CPUs: "1.5", Pids: "50", Restart: "on-failure:3", Ports: "8000-8001:80-81 [::1]:8080:80 53:53/sctp"},
			want: func(o *engine.CreateOptions) {
				o.Name = "w"
				o.Config.Cmd = []string{"sh", "-c", "echo hi; sleep 9"}
				o.Config.Env = []string{"A=1", "B=two words", "HOME=/root"}
				h := &o.HostConfig
				h.Memory, h.NanoCPUs, h.PidsLimit = 1<<30, 1_500_000_000, &pids
				h.RestartPolicy = engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}
				h.PortBindings = map[string][]engine.PortBinding{
					"80/tcp":  {{HostPort: "8000"}, {HostIP: "::1", HostPort: "8080"}},
					"81/tcp":  {{HostPort: "8001"}},
					"53/sctp": {{HostPort: "53"}},
				}
				o.Config.ExposedPorts = map[string]struct{}{"80/tcp": {}, "81/tcp": {}, "53/sctp": {}}
			},
		},
		{
			name: "unlimited pids and more flags",
			spec: runSpec{Image: "busybox", Pids: "-1", Options: `-v ./data:/data --read-only -l "team=core ops" --rm`},
			want: func(o *engine.CreateOptions) {
				o.HostConfig.PidsLimit = &unlimited
				o.HostConfig.Binds = []string{"/work/data:/data"}
				o.HostConfig.ReadonlyRootfs, o.HostConfig.AutoRemove = true, true
				o.Config.Labels = map[string]string{"team": "core ops"}
			},
		},
		{name: "no image", spec: runSpec{}, err: "image name cannot be empty"},
		{name: "bad memory", spec: runSpec{Image: "b", Memory: "lots"}, err: `invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'`},
		{name: "bad cpus", spec: runSpec{Image: "b", CPUs: "-1"}, err: `invalid argument "-1" for "--cpus" flag: invalid value -1: the number of CPUs cannot be negative`},
		{name: "bad restart", spec: runSpec{Image: "b", Restart: "sometimes"}, err: `invalid restart policy "sometimes": unknown policy "sometimes"; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`},
		{name: "bad restart count", spec: runSpec{Image: "b", Restart: "always:3"}, err: `invalid restart policy "always:3": maximum retry count can only be used with 'on-failure'`},
		{name: "bad port", spec: runSpec{Image: "b", Ports: "99999:80"}, err: "invalid hostPort: 99999"},
		{name: "bad proto", spec: runSpec{Image: "b", Ports: "80/icmp"}, err: "invalid proto: icmp"},
		{name: "uneven ranges", spec: runSpec{Image: "b", Ports: "8000-8002:80-81"}, err: "invalid ranges specified for container and host Ports: 80-81 and 8000-8002"},
		{name: "bad env", spec: runSpec{Image: "b", Env: "=x"}, err: "invalid environment variable: =x"},
		{name: "bad option", spec: runSpec{Image: "b", Options: "--no-such-flag"}, err: "unknown flag: --no-such-flag"},
		{name: "word among the options", spec: runSpec{Image: "b", Options: "busybox"}, err: `unexpected argument "busybox"`},
		{name: "conflicting options", spec: runSpec{Image: "b", Restart: "always", Options: "--rm"}, err: "conflicting options: cannot specify both --restart and --rm"},
		{name: "open quote", spec: runSpec{Image: "b", Command: `sh -c "echo`}, err: "command: unterminated quote"},
	}
	settings := &config.Config{DefaultNetwork: "bridge", CgroupParent: "berth"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, _, err := runOptions(tt.spec, settings, host)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := engine.CreateOptions{
				Config: engine.ContainerConfig{Image: tt.spec.Image, Labels: map[string]string{}},
				HostConfig: engine.HostConfig{NetworkMode: "bridge", CgroupParent: "berth", RestartPolicy: engine.RestartPolicy{Name: "no"},
					LogConfig: engine.LogConfig{Type: "json-file"}},
			}
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("options:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestRunOptionsSameAsCLI: for each command line, the form's options
// equal what runopts makes of the CLI's argv (`berth run -d FLAGS IMAGE
// CMD`), and its error is the CLI's.
func TestRunOptionsSameAsCLI(t *testing.T) {
	host := runopts.HostFiles{LookupEnv: func(string) (string, bool) { return "", false }}
	settings := &config.Config{DefaultNetwork: "bridge"}
	for _, tt := range []struct {
		spec runSpec
		argv []string
	}{
		{runSpec{Image: "busybox", Memory: "1GiB", Ports: "8000-8001:80-81"}, []string{"--memory", "1GiB", "-p", "8000-8001:80-81"}},
		{runSpec{Image: "busybox", Restart: "on-failure:3", Ports: "[::1]:8080:80 53:53/sctp"}, []string{"--restart", "on-failure:3", "-p", "[::1]:8080:80", "-p", "53:53/sctp"}},
		{runSpec{Image: "busybox", Memory: "12q"}, []string{"-m", "12q"}},
		{runSpec{Image: "busybox", Ports: "1:2:3:4:5/xyz"}, []string{"-p", "1:2:3:4:5/xyz"}},
		{runSpec{Image: "busybox", Restart: "on-failure:-1"}, []string{"--restart", "on-failure:-1"}},
	} {
		_, got, _, gotErr := runOptions(tt.spec, settings, host)
		_, want, _, wantErr := runopts.Parse(append([]string{"-d"}, tt.argv...), tt.spec.Image, nil, settings, host)
		if !reflect.DeepEqual(got, want) || errText(gotErr) != errText(wantErr) {
			t.Errorf("%+v: form %+v, %v\nCLI %+v, %v", tt.spec, got, gotErr, want, wantErr)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var d *runopts.DaemonError
	if errors.As(err, &d) {
		return "daemon: " + err.Error()
	}
	return err.Error()
}

// TestRunFormPullPolicy: the form runs with berth run's --pull, missing
// unless the options say otherwise.
func TestRunFormPullPolicy(t *testing.T) {
	for options, want := range map[string]string{"": "missing", "--pull never": "never", "--pull=always": "always"} {
		run, _, _, err := runOptions(runSpec{Image: "busybox", Options: options}, nil, runopts.HostFiles{})
		if err != nil || run.Pull != want {
			t.Errorf("options %q: pull %v, %v; want %s", options, run, err, want)
		}
	}
}

// TestRunFormScreen: typed into the form, berth run's syntax runs, and a
// value berth run refuses keeps the form open with berth run's message.
func TestRunFormScreen(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "n")
	m = typeText(t, m, "busybox")
	m = press(t, m, "tab", "tab", "tab", "tab")
	m = typeText(t, m, "12q")
	m = press(t, m, "enter")
	if m.state != stateRunForm || !strings.Contains(screen(m), `invalid argument "12q" for "-m, --memory" flag`) {
		t.Fatalf("bad memory was not refused with berth run's message:\n%s", screen(m))
	}
	for range len("12q") {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "1GiB")
	m = press(t, m, "tab", "tab", "tab")
	m = typeText(t, m, "on-failure:3")
	m = press(t, m, "tab")
	m = typeText(t, m, "8000-8001:80-81 [::1]:8080:80 53:53/sctp")
	m = press(t, m, "enter")
	if m.state != stateContainers {
		t.Fatalf("after run the screen is %s:\n%s", m.state, screen(m))
	}
	want := `run  busybox [] pull=missing`
	if got := b.callLog(); len(got) != 1 || got[0] != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.ran[0].HostConfig
	if h.Memory != 1<<30 || h.RestartPolicy != (engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}) ||
		len(h.PortBindings["81/tcp"]) != 1 || h.PortBindings["80/tcp"][1].HostIP != "::1" || len(h.PortBindings["53/sctp"]) != 1 {
		t.Errorf("ran with %+v", h)
	}
}
