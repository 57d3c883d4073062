package compose

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// loadTestdata loads the project in testdata/load/DIR with o, the
// environment env only.
func loadTestdata(t *testing.T, dir string, o LoadOptions, env ...string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", "load", dir))
	if err != nil {
		t.Fatal(err)
	}
	o.ProjectDir = abs
	for i, f := range o.Files {
		o.Files[i] = filepath.Join(abs, f)
	}
	o.Env = append([]string{}, env...)
	return Load(context.Background(), o)
}

// mustLoadTestdata is loadTestdata that fails the test on an error.
func mustLoadTestdata(t *testing.T, dir string, o LoadOptions, env ...string) *types.Project {
	t.Helper()
	p, err := loadTestdata(t, dir, o, env...)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return p
}

// envOf is service s's environment as KEY=VALUE, sorted.
func envOf(p *types.Project, s string) []string {
	return environment(p.Services[s].Environment)
}

// TestLoadInterpolation: ${X:-default}, ${X-default}, ${X:?error}, $$,
// with .env under the environment and the environment winning.
func TestLoadInterpolation(t *testing.T) {
	p := mustLoadTestdata(t, "interp", LoadOptions{}, "FROM_SHELL=from the shell", "TAG=1.36")
	if got := p.Services["web"].Image; got != "busybox:1.36" {
		t.Errorf("image %q, want busybox:1.36", got)
	}
	want := []string{
		"DEFAULTED=the default",
		"EMPTY_DEFAULT=used when empty",
		"EMPTY_KEPT=",
		"ESCAPED=$HOME",
		"FROM_DOTENV=from .env",
		"FROM_SHELL=from the shell",
		"REQUIRED=present",
	}
	if got := envOf(p, "web"); !slices.Equal(got, want) {
		t.Errorf("environment\n got %q\nwant %q", got, want)
	}

	p = mustLoadTestdata(t, "interp", LoadOptions{})
	if got := p.Services["web"].Image; got != "busybox:latest" {
		t.Errorf("image without TAG %q, want busybox:latest", got)
	}

	// --env-file replaces .env: REQUIRED is then missing.
	_, err := loadTestdata(t, "interp", LoadOptions{EnvFiles: []string{filepath.Join("testdata", "load", "envfile", "common.env")}})
	if err == nil || !strings.Contains(err.Error(), "services.web.environment.REQUIRED") || !strings.Contains(err.Error(), "REQUIRED must be set") {
		t.Errorf("load with another env file: %v, want REQUIRED missing", err)
	}
	if err != nil && !strings.Contains(err.Error(), "compose.yaml:10:") {
		t.Errorf("load with another env file: %v, want compose.yaml:10", err)
	}
}

// TestLoadMergesFiles: compose.override.yaml is merged by default; -f
// files are merged in order (scalars and maps overridden, ports added).
func TestLoadMergesFiles(t *testing.T) {
	p := mustLoadTestdata(t, "multi", LoadOptions{})
	if got := envOf(p, "web"); !slices.Equal(got, []string{"A=base", "B=override"}) {
		t.Errorf("with the override file: %q", got)
	}
	if len(p.ComposeFiles) != 2 || filepath.Base(p.ComposeFiles[1]) != "compose.override.yaml" {
		t.Errorf("compose files %q", p.ComposeFiles)
	}

	p = mustLoadTestdata(t, "multi", LoadOptions{Files: []string{"compose.yaml", "prod.yaml"}})
	web := p.Services["web"]
	if got := envOf(p, "web"); !slices.Equal(got, []string{"A=prod", "B=base"}) {
		t.Errorf("with -f prod.yaml: %q (the override file is not read when -f is given)", got)
	}
	if !slices.Equal([]string(web.Command), []string{"prod"}) {
		t.Errorf("command %q", web.Command)
	}
	var published []string
	for _, port := range web.Ports {
		published = append(published, port.Published)
	}
	slices.Sort(published)
	if !slices.Equal(published, []string{"8080", "9090"}) {
		t.Errorf("ports published %q, want both files'", published)
	}
	if got := p.ServiceNames(); !slices.Equal(got, []string{"cache", "db", "web"}) {
		t.Errorf("services %q", got)
	}
	if len(p.ComposeFiles) != 2 || filepath.Base(p.ComposeFiles[1]) != "prod.yaml" {
		t.Errorf("compose files %q", p.ComposeFiles)
	}
}

// TestLoadExtends: extends from another file and from the same one,
// the extending service's keys winning.
func TestLoadExtends(t *testing.T) {
	p := mustLoadTestdata(t, "extends", LoadOptions{})
	web := p.Services["web"]
	if web.Image != "busybox:latest" || web.Labels["from"] != "base" {
		t.Errorf("web did not get base's image and labels: %q %v", web.Image, web.Labels)
	}
	if got := envOf(p, "web"); !slices.Equal(got, []string{"KEPT=yes", "LEVEL=web"}) {
		t.Errorf("web environment %q", got)
	}
	worker := p.Services["worker"]
	if worker.WorkingDir != "/srv" || !slices.Equal([]string(worker.Command), []string{"work"}) {
		t.Errorf("worker: working_dir %q command %q", worker.WorkingDir, worker.Command)
	}
}

// TestLoadProfiles: a service with profiles runs only when one of them
// is enabled; one without always does.
func TestLoadProfiles(t *testing.T) {
	cases := []struct {
		profiles []string
		want     []string
	}{
		{nil, []string{"web"}},
		{[]string{"tools"}, []string{"tools", "web"}},
		{[]string{"debug"}, []string{"debug", "tools", "web"}},
		{[]string{"*"}, []string{"debug", "tools", "web"}},
	}
	for _, tc := range cases {
		p := mustLoadTestdata(t, "profiles", LoadOptions{Profiles: tc.profiles})
		if got := p.ServiceNames(); !slices.Equal(got, tc.want) {
			t.Errorf("profiles %q: services %q, want %q", tc.profiles, got, tc.want)
		}
	}
	p := mustLoadTestdata(t, "profiles", LoadOptions{}, "COMPOSE_PROFILES=tools")
	if got := p.ServiceNames(); !slices.Equal(got, []string{"tools", "web"}) {
		t.Errorf("COMPOSE_PROFILES=tools: services %q", got)
	}
}

// TestLoadEnvFile: env_file is read into the environment, environment:
// wins over it, and an optional file that is missing is skipped.
func TestLoadEnvFile(t *testing.T) {
	p := mustLoadTestdata(t, "envfile", LoadOptions{})
	want := []string{"FROM_FILE=one", "OVERRIDDEN=by environment", "QUOTED=with spaces"}
	if got := envOf(p, "web"); !slices.Equal(got, want) {
		t.Errorf("environment\n got %q\nwant %q", got, want)
	}
}

// TestLoadProjectName: -p, then COMPOSE_PROJECT_NAME, then name:, then
// the directory's name normalised (lower case, only [a-z0-9_-]).
func TestLoadProjectName(t *testing.T) {
	cases := []struct {
		dir, flag string
		env       []string
		want      string
	}{
		{"named", "", nil, "from-file"},
		{"named", "", []string{"COMPOSE_PROJECT_NAME=from-env"}, "from-env"},
		{"named", "from-flag", []string{"COMPOSE_PROJECT_NAME=from-env"}, "from-flag"},
		{"profiles", "", nil, "profiles"},
		{"My Project.Dir", "", nil, "myprojectdir"},
	}
	for _, tc := range cases {
		p := mustLoadTestdata(t, tc.dir, LoadOptions{ProjectName: tc.flag}, tc.env...)
		if p.Name != tc.want {
			t.Errorf("%s -p %q %q: name %q, want %q", tc.dir, tc.flag, tc.env, p.Name, tc.want)
		}
	}
}
