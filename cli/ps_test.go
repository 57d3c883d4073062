package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/network"
)

// psFixture is four containers in docker's four states, at testNow.
func psFixture() []*engine.Container {
	web := newContainer("4f1c2d3e5a6b7c8d9e0f11223344556677889900aabbccddeeff001122334455", "web", engine.StatusRunning)
	web.Created = testNow.Add(-5 * time.Minute)
	web.State.StartedAt = testNow.Add(-5 * time.Minute)
	web.Path, web.Args = "sh", []string{"-c", "while :; do echo tick; sleep 1; done"}
	web.Config.Image = "busybox"
	web.Config.Labels = map[string]string{"tier": "front", "app": "demo"}
	web.HostConfig.NetworkMode = "bridge"
	web.NetworkSettings = &network.Settings{Ports: map[string][]network.PortBinding{"80/tcp": {{HostPort: "8080"}}}}

	paused := newContainer("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", "sleepy", engine.StatusPaused)
	paused.Created = testNow.Add(-2 * time.Hour)
	paused.State.StartedAt = testNow.Add(-3 * time.Second)
	paused.Path, paused.Args = "sleep", []string{"1000"}
	paused.Config.Image = "busybox:latest"
	paused.HostConfig.NetworkMode = "host"

	done := newContainer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "job", engine.StatusExited)
	done.Created = testNow.Add(-3 * 24 * time.Hour)
	done.State.StartedAt = testNow.Add(-3 * 24 * time.Hour)
	done.State.FinishedAt = testNow.Add(-2 * time.Minute)
	done.Path, done.Args = "true", nil
	done.Config.Image = "sha256:9d5226e6ce3fb6aee2822206a5ef85f38c303d2b37bfc894b419fca2c0501269"

	flaky := newContainer("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "flaky", engine.StatusRestarting)
	flaky.Created = testNow.Add(-40 * time.Second)
	flaky.State.ExitCode = 1
	flaky.State.FinishedAt = testNow.Add(-3 * time.Second)
	flaky.Path, flaky.Args = "sh", []string{"-c", "exit 1"}
	flaky.Config.Image = "registry.local:5000/team/app:1"

	fresh := newContainer("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff", "fresh", engine.StatusCreated)
	fresh.Created = testNow.Add(-500 * time.Millisecond)
	fresh.Path, fresh.Args = "echo", []string{"héllo wörld, this is long"}
	fresh.Config.Image = "busybox"
	return []*engine.Container{web, paused, done, flaky, fresh}
}

func TestPsGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"ps", []string{"ps"}},
		{"ps_all", []string{"ps", "-a"}},
		{"ps_quiet_all", []string{"ps", "-aq"}},
		{"ps_no_trunc", []string{"ps", "-a", "--no-trunc"}},
		{"ps_last_2", []string{"ps", "-n", "2"}},
		{"ps_latest", []string{"ps", "-l"}},
		{"ps_size", []string{"ps", "-s"}},
		{"ps_json", []string{"ps", "-a", "--format", "json"}},
		{"ps_template", []string{"ps", "-a", "--format", "{{.Names}}: {{.State}} {{.Label \"tier\"}}"}},
		{"ps_table_template", []string{"ps", "-a", "--format", `table {{.ID}}\t{{.Names}}\t{{.Status}}\t{{.Labels}}\t{{.Networks}}`}},
		{"ps_template_funcs", []string{"ps", "--format", `{{upper .Names}} {{json .Names}} {{join (split .Command " ") "+"}} {{truncate .ID 4}}|{{pad .State 1 1}}|`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{containers: psFixture()}
			eng.containers[0].Image = "sha256:" + imagesFixture()[0].ID
			r := runCLI(t, withImages(testSystem(eng), &fakeImages{imgs: imagesFixture()}), tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d stderr %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
}

func TestPsJSONIsOneObjectPerLine(t *testing.T) {
	eng := &fakeEngine{containers: psFixture()}
	r := runCLI(t, testSystem(eng), "ps", "-a", "--format", "json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5", len(lines))
	}
	var first map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["Names"] != "fresh" || first["State"] != "created" || first["Status"] != "Created" || first["ID"] != "00ff00ff00ff" {
		t.Errorf("first line = %v", first)
	}
}

func TestPsPassesFilters(t *testing.T) {
	eng := &fakeEngine{containers: psFixture()}
	r := runCLI(t, testSystem(eng), "ps", "-f", "status=exited", "-f", "name=web", "-f", "name=db", "-f", "label=tier=front", "-s")
	if r.code != 0 {
		t.Fatalf("code %d stderr %q", r.code, r.stderr)
	}
	want := map[string][]string{"status": {"exited"}, "name": {"web", "db"}, "label": {"tier=front"}}
	if !reflect.DeepEqual(eng.listOpts.Filters, want) || !eng.listOpts.Size {
		t.Errorf("list options = %+v", eng.listOpts)
	}
}

// TestPsFilterErrors: a filter that is not key=value is a bad flag (125);
// an unknown key or a bad value is refused as docker's daemon refuses it
// (exit 1, docker's message); a name that is no valid expression is not an
// error (it matches only exactly).
func TestPsFilterErrors(t *testing.T) {
	tests := []struct {
		filter  string
		code    int
		wantErr string
	}{
		{"status", 125, "bad format of filter (expected name=value): status"},
		{"colour=red", 1, "invalid filter 'colour'"},
		{"status=sleeping", 1, "invalid filter 'status=sleeping'"},
		{"exited=x", 1, "invalid filter 'exited=x'"},
		{"health=fine", 1, "Unrecognised filter value for health: fine"},
		{"is-task=maybe", 1, "invalid filter 'is-task=maybe'"},
		{"publish=80:80", 1, "filter for 'publish' should not contain ':': 80:80"},
		{"expose=80-70", 1, "error while looking up for expose 80-70"},
		{"name=(", 0, ""},
		{"Status=exited", 0, ""},
		{"health=none", 0, ""},
		{"publish=8000-8010/udp", 0, ""},
	}
	for _, tt := range tests {
		eng := &fakeEngine{containers: psFixture()}
		r := runCLI(t, testSystem(eng), "ps", "-f", tt.filter)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.wantErr) {
			t.Errorf("ps -f %s: code %d stderr %q; want %d %q", tt.filter, r.code, r.stderr, tt.code, tt.wantErr)
		}
	}
}

func TestPsCommandColumn(t *testing.T) {
	loop := []string{"-c", "while :; do echo tick; sleep 1; done"}
	tests := []struct {
		path  string
		args  []string
		trunc bool
		want  string
	}{
		{"sh", loop, true, `"sh -c 'while :; do …"`},
		{"sh", loop, false, `"sh -c 'while :; do echo tick; sleep 1; done'"`},
		{"echo", []string{`a"b`}, true, `"echo a\"b"`},
		{"exactly-twenty-chars", nil, true, `"exactly-twenty-chars"`},
		{"twenty-one-characters", nil, true, `"twenty-one-characte…"`},
		{"echo", []string{"héllo wörld"}, true, `"echo 'héllo wörld'"`},
	}
	for _, tt := range tests {
		c := &engine.Container{Path: tt.path, Args: tt.args}
		if got := (psRow{c: c, trunc: tt.trunc}).Command(); got != tt.want {
			t.Errorf("Command(%s %q) = %s, want %s", tt.path, tt.args, got, tt.want)
		}
	}
}
