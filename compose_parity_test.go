package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/internal/testenv"
)

// parityLabels are the labels a project's containers must carry alike
// whichever tool made them. The config-hash and version labels are each
// tool's own (docker-compose 1.29 hashes another configuration format),
// and the project label is each project's name.
var parityLabels = []string{
	"com.docker.compose.service",
	"com.docker.compose.container-number",
	"com.docker.compose.oneoff",
	workingDirLabel,
	configFilesLabel,
}

const (
	workingDirLabel  = "com.docker.compose.project.working_dir"
	configFilesLabel = "com.docker.compose.project.config_files"
)

// absoluteFiles is a config_files label with each file made absolute
// against the working directory: docker-compose 1.29 records the files
// as it found them (compose.yaml), Docker Compose v2 and berth their
// absolute paths; both name the same files, and berth reads either.
func absoluteFiles(dir, files string) string {
	var out []string
	for f := range strings.SplitSeq(files, ",") {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		out = append(out, f)
	}
	return strings.Join(out, ",")
}

// TestComposeParity runs the same testdata/compose files through
// docker-compose 1.29 against berth's API and through `berth compose`
// on the same roots: the containers are the same services and numbers
// with the same labels, their services reach each other by name, and a
// project started by one is listed, stopped and brought down by the
// other. docker-compose 1.29 names containers project_service_N where
// berth (as Docker Compose v2) names them project-service-N: that
// difference is the tools', not berth's, and the test allows it.
func TestComposeParity(t *testing.T) {
	a := newAPIEnv(t)
	dc := testenv.Tool(t, "docker-compose")
	cases := []struct {
		fixture string
		up      []string
		// reachedBy is the service whose container 1 logs reached once
		// it reached another service by name.
		reachedBy, reached string
	}{
		{"webapp", nil, "worker", "migrated from db ready"},
		{"extends", nil, "worker", "worker got: hello from base via web"},
		{"scale", []string{"--scale", "worker=2"}, "worker", "got: web for workers"},
		{"health", nil, "app", "app got: healthy db"},
		{"volumes", nil, "reader", "started"},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			b := *a.berthEnv // the subtest's own t for must and Fatalf
			b.t = t
			dir := filepath.Join(t.TempDir(), "proj")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "compose", tc.fixture))); err != nil {
				t.Fatal(err)
			}
			env := &composeEnv{berthEnv: &b, t: t, dir: dir}
			ours := &composeProject{composeEnv: env, name: "b" + tc.fixture}
			theirs := &composeProject{composeEnv: env, name: "dc" + tc.fixture}
			docker := func(project string, args ...string) (string, error) {
				cmd := exec.Command(dc, append([]string{"-p", project}, args...)...)
				cmd.Dir = dir
				cmd.Env = a.clientEnv()
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			mustDocker := func(project string, args ...string) string {
				t.Helper()
				out, err := docker(project, args...)
				if err != nil {
					t.Fatalf("docker-compose -p %s %s: %v\n%s", project, strings.Join(args, " "), err, out)
				}
				return out
			}
			t.Cleanup(func() {
				_, _ = docker(theirs.name, "down", "-v", "-t", "1")
				_, _, _ = ours.run("down", "-v", "-t", "1")
			})

			mustDocker(theirs.name, append([]string{"up", "-d"}, tc.up...)...)
			ours.mustRun(append([]string{"up", "-d"}, tc.up...)...)
			theirLabels, ourLabels := containerLabelsByKey(theirs), containerLabelsByKey(ours)
			if !slices.Equal(slices.Sorted(maps.Keys(theirLabels)), slices.Sorted(maps.Keys(ourLabels))) {
				t.Fatalf("containers by service/number: docker-compose %v, berth compose %v", slices.Sorted(maps.Keys(theirLabels)), slices.Sorted(maps.Keys(ourLabels)))
			}
			for key, their := range theirLabels {
				our := ourLabels[key]
				for _, l := range parityLabels {
					if l == configFilesLabel {
						their[l] = absoluteFiles(their[workingDirLabel], their[l])
					}
					if their[l] != our[l] {
						t.Errorf("%s: %s is %q from docker-compose, %q from berth compose", key, l, their[l], our[l])
					}
				}
				for l, v := range their {
					if !strings.HasPrefix(l, "com.docker.compose.") && our[l] != v {
						t.Errorf("%s: the service's label %s is %q from docker-compose, %q from berth compose", key, l, v, our[l])
					}
				}
				if their["com.docker.compose.project"] != theirs.name || our["com.docker.compose.project"] != ours.name {
					t.Errorf("%s: project labels %q and %q", key, their["com.docker.compose.project"], our["com.docker.compose.project"])
				}
			}
			for _, kind := range []string{"network", "volume"} {
				if their, our := projectResources(theirs, kind), projectResources(ours, kind); !slices.Equal(their, our) {
					t.Errorf("%ss by key and label: docker-compose %v, berth compose %v", kind, their, our)
				}
			}
			theirContainer, ourContainer := theirs.name+"_"+tc.reachedBy+"_1", ours.container(tc.reachedBy, 1)
			theirs.waitLog(theirContainer, tc.reached)
			ours.waitLog(ourContainer, tc.reached)

			// berth compose lists (ps, ls), stops and brings down
			// docker-compose's project.
			if ps, _ := theirs.mustRun("ps"); !strings.Contains(ps, theirContainer) {
				t.Fatalf("berth compose -p %s ps lacks %s:\n%s", theirs.name, theirContainer, ps)
			}
			if ls, _ := theirs.mustRun("ls"); !strings.Contains(ls, theirs.name+" ") || !strings.Contains(ls, "running(") {
				t.Fatalf("berth compose ls lacks %s running:\n%s", theirs.name, ls)
			}
			theirs.mustRun("stop", "-t", "1")
			theirs.assertNoneRunning()
			theirs.mustRun("down", "-v", "-t", "1")
			theirs.assertNothingLeft(theirs.name)

			// docker-compose lists, stops and brings down berth compose's.
			if ps := mustDocker(ours.name, "ps"); !strings.Contains(ps, ourContainer) {
				t.Fatalf("docker-compose -p %s ps lacks %s:\n%s", ours.name, ourContainer, ps)
			}
			mustDocker(ours.name, "stop", "-t", "1")
			ours.assertNoneRunning()
			mustDocker(ours.name, "down", "-v", "-t", "1")
			ours.assertNothingLeft(ours.name)
		})
	}
}

// containerLabelsByKey are the labels of project p's containers by
// service/number.
func containerLabelsByKey(p *composeProject) map[string]map[string]string {
	p.t.Helper()
	names := p.names()
	if len(names) == 0 {
		p.t.Fatalf("project %s has no containers", p.name)
	}
	out := p.must(append([]string{"inspect", "--format", "{{json .Config.Labels}}"}, names...)...)
	byKey := map[string]map[string]string{}
	for line := range strings.Lines(out) {
		var labels map[string]string
		if err := json.Unmarshal([]byte(line), &labels); err != nil {
			p.t.Fatalf("labels of %s: %v: %q", p.name, err, line)
		}
		byKey[labels["com.docker.compose.service"]+"/"+labels["com.docker.compose.container-number"]] = labels
	}
	return byKey
}

// projectResources are project p's networks or volumes (kind), each as
// its name without the project's prefix (PROJECT_KEY, both tools' name)
// and its com.docker.compose.network or .volume label: "default=default".
func projectResources(p *composeProject, kind string) []string {
	p.t.Helper()
	names := strings.Fields(p.must(kind, "ls", "--filter", "label=com.docker.compose.project="+p.name, "--format", "{{.Name}}"))
	if len(names) == 0 {
		return nil
	}
	format := fmt.Sprintf(`{{.Name}}={{index .Labels "com.docker.compose.%s"}}`, kind)
	out := p.must(append([]string{kind, "inspect", "--format", format}, names...)...)
	var list []string
	for _, line := range strings.Fields(out) {
		list = append(list, strings.TrimPrefix(line, p.name+"_"))
	}
	slices.Sort(list)
	return list
}

// assertNoneRunning checks that none of the project's containers runs.
func (p *composeProject) assertNoneRunning() {
	p.t.Helper()
	if out := p.must("ps", "-q", "--filter", "label=com.docker.compose.project="+p.name); strings.TrimSpace(out) != "" {
		p.t.Fatalf("containers of %s still run after stop: %s", p.name, out)
	}
}
