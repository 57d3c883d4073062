package compose

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func runTestProject() *types.Project {
	always := "always"
	var s types.ServiceConfig
	s.Name = "app"
	s.Image = "busybox:latest"
	s.ContainerName = "fixed"
	s.Command = types.ShellCommand{"serve"}
	s.Entrypoint = types.ShellCommand{"/init"}
	s.Restart = always
	s.Environment = types.MappingWithEquals{"A": &always}
	s.Labels = types.Labels{"team": "web"}
	s.Ports = []types.ServicePortConfig{{Target: 80, Published: "8080"}}
	s.CapAdd = []string{"NET_ADMIN"}
	s.Networks = map[string]*types.ServiceNetworkConfig{
		"default": nil,
		"back":    {Aliases: []string{"api"}},
	}
	return &types.Project{
		Name:         "proj",
		WorkingDir:   "/src",
		ComposeFiles: []string{"/src/compose.yaml"},
		Networks: types.Networks{
			"default": {Name: "proj_default"},
			"back":    {Name: "proj_back"},
		},
		Services: types.Services{"app": s},
	}
}

// TestOneoffService is run's overrides of a service's container.
func TestOneoffService(t *testing.T) {
	p := runTestProject()
	b := "b"
	tests := []struct {
		name  string
		o     RunOptions
		check func(t *testing.T, s types.ServiceConfig)
	}{
		{"defaults", RunOptions{}, func(t *testing.T, s types.ServiceConfig) {
			if s.Restart != "" || len(s.Ports) != 0 || !reflect.DeepEqual([]string(s.Command), []string{"serve"}) {
				t.Errorf("restart %q, ports %v, command %v: want none, none, the service's", s.Restart, s.Ports, s.Command)
			}
		}},
		{"command", RunOptions{Command: []string{"sh"}}, func(t *testing.T, s types.ServiceConfig) {
			if !reflect.DeepEqual([]string(s.Command), []string{"sh"}) || !reflect.DeepEqual([]string(s.Entrypoint), []string{"/init"}) {
				t.Errorf("command %v entrypoint %v", s.Command, s.Entrypoint)
			}
		}},
		{"entrypoint drops the command", RunOptions{Entrypoint: []string{"env"}}, func(t *testing.T, s types.ServiceConfig) {
			if len(s.Command) != 0 || !reflect.DeepEqual([]string(s.Entrypoint), []string{"env"}) {
				t.Errorf("command %v entrypoint %v", s.Command, s.Entrypoint)
			}
		}},
		{"service ports", RunOptions{ServicePorts: true}, func(t *testing.T, s types.ServiceConfig) {
			if len(s.Ports) != 1 {
				t.Errorf("ports %v, want the service's", s.Ports)
			}
		}},
		{"publish", RunOptions{Publish: []types.ServicePortConfig{{Target: 9}}}, func(t *testing.T, s types.ServiceConfig) {
			if len(s.Ports) != 1 || s.Ports[0].Target != 9 {
				t.Errorf("ports %v, want only --publish's", s.Ports)
			}
		}},
		{"env and labels", RunOptions{Env: []string{"B=b"}, Labels: map[string]string{"team": "ops"}}, func(t *testing.T, s types.ServiceConfig) {
			if *s.Environment["A"] != "always" || *s.Environment["B"] != b || s.Labels["team"] != "ops" || len(s.Labels[LabelSlug]) != 64 {
				t.Errorf("environment %v labels %v", s.Environment, s.Labels)
			}
		}},
		{"cap-drop removes the added", RunOptions{CapDrop: []string{"NET_ADMIN"}}, func(t *testing.T, s types.ServiceConfig) {
			if len(s.CapAdd) != 0 || !slices.Equal(s.CapDrop, []string{"NET_ADMIN"}) {
				t.Errorf("cap_add %v cap_drop %v", s.CapAdd, s.CapDrop)
			}
		}},
		{"user and workdir", RunOptions{User: "nobody", WorkingDir: "/tmp", Tty: true, Interactive: true}, func(t *testing.T, s types.ServiceConfig) {
			if s.User != "nobody" || s.WorkingDir != "/tmp" || !s.Tty || !s.StdinOpen {
				t.Errorf("user %q workdir %q tty %t stdin %t", s.User, s.WorkingDir, s.Tty, s.StdinOpen)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := oneoffService(p.Services["app"], tt.o)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
	if p.Services["app"].Restart != "always" || len(p.Services["app"].Labels) != 1 {
		t.Errorf("oneoffService changed the project's service: %+v", p.Services["app"])
	}
}

// TestOneoffSpec is the one-off container's labels, name, aliases and
// streams.
func TestOneoffSpec(t *testing.T) {
	p := runTestProject()
	for _, useAliases := range []bool{false, true} {
		o := RunOptions{AutoRemove: true, Interactive: true, UseAliases: useAliases}
		s, err := oneoffService(p.Services["app"], o)
		if err != nil {
			t.Fatal(err)
		}
		s.ContainerName = OneoffName(p.Name, s.Name, slugID(s))
		spec, err := createOptions(p, s, 1, "hash")
		if err != nil {
			t.Fatal(err)
		}
		oneoffSpec(&spec, s, o)
		cc, hc := spec.opts.Config, spec.opts.HostConfig
		if !regexp.MustCompile(`^proj-app-run-[0-9a-f]{12}$`).MatchString(spec.opts.Name) {
			t.Errorf("name %q", spec.opts.Name)
		}
		if _, ok := cc.Labels[LabelNumber]; ok || cc.Labels[LabelOneoff] != "True" || cc.Labels[LabelService] != "app" || cc.Labels[LabelProject] != "proj" {
			t.Errorf("labels %v", cc.Labels)
		}
		if !hc.AutoRemove || hc.RestartPolicy.Name != "no" || len(hc.PortBindings) != 0 {
			t.Errorf("auto-remove %t restart %v ports %v", hc.AutoRemove, hc.RestartPolicy, hc.PortBindings)
		}
		if !cc.AttachStdin || !cc.AttachStdout || !cc.OpenStdin || !cc.StdinOnce {
			t.Errorf("streams: %+v", cc)
		}
		all := append(slices.Clone(spec.opts.NetworkAliases), spec.more[0].options.Aliases...)
		want := []string{spec.opts.Name, spec.opts.Name}
		if useAliases {
			want = []string{spec.opts.Name, "app", spec.opts.Name, "app", "api"}
		}
		slices.Sort(all)
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Errorf("use-aliases %t: aliases %v, want %v", useAliases, all, want)
		}
	}
}

func TestIsLatest(t *testing.T) {
	for ref, want := range map[string]bool{
		"busybox": true, "busybox:latest": true, "reg:5000/x/y": true,
		"busybox:1.36": false, "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000": false,
		"Not A Ref": false,
	} {
		if got := isLatest(ref); got != want {
			t.Errorf("isLatest(%q) = %t, want %t", ref, got, want)
		}
	}
}
