package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// composeProject is one project of testdata/compose run by `berth
// compose -p NAME` in a project directory of the test's own; the
// project is brought down, volumes and all, when the test ends.
type composeProject struct {
	*composeEnv
	name string
}

// newComposeProject copies testdata/compose/FIXTURE into a project
// directory and names the project name.
func newComposeProject(t *testing.T, fixture, name string) *composeProject {
	t.Helper()
	p := &composeProject{composeEnv: newComposeEnv(t, fixture), name: name}
	t.Cleanup(func() {
		if _, errOut, err := p.run("down", "-v", "--rmi", "local", "-t", "1"); err != nil {
			t.Logf("compose -p %s down at cleanup: %v: %s", name, err, errOut)
		}
	})
	return p
}

// runEnv is `berth compose -p NAME ARGS` in the project directory,
// with env added to the environment.
func (p *composeProject) runEnv(env []string, args ...string) (string, string, error) {
	cmd := p.berth(append([]string{"compose", "-p", p.name}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(slices.Clone(cmd.Env), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// run is runEnv without more environment.
func (p *composeProject) run(args ...string) (string, string, error) {
	return p.runEnv(nil, args...)
}

// mustRun is run that fails the test on an error; it returns stdout
// and stderr (where compose reports what it did).
func (p *composeProject) mustRun(args ...string) (string, string) {
	p.t.Helper()
	out, errOut, err := p.run(args...)
	if err != nil {
		p.t.Fatalf("berth compose -p %s %s: %v\n%s%s", p.name, strings.Join(args, " "), err, out, errOut)
	}
	return out, errOut
}

// container is the name of service's container n: project-service-n.
func (p *composeProject) container(service string, n int) string {
	return p.name + "-" + service + "-" + strconv.Itoa(n)
}

// inspect is a container's field by a Go template.
func (p *composeProject) inspect(container, format string) string {
	p.t.Helper()
	return strings.TrimSpace(p.must("inspect", "--format", format, container))
}

// startedAt is when container last started.
func (p *composeProject) startedAt(container string) time.Time {
	p.t.Helper()
	return p.timeField(container, "{{.State.StartedAt}}")
}

// timeField is a time the container's inspect shows, by a template.
func (p *composeProject) timeField(container, format string) time.Time {
	p.t.Helper()
	v := p.inspect(container, format)
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		p.t.Fatalf("%s %s: %q: %v", container, format, v, err)
	}
	return at
}

// names are the project's containers, running or not, sorted.
func (p *composeProject) names() []string {
	p.t.Helper()
	out := p.must("ps", "-a", "--filter", "label=com.docker.compose.project="+p.name, "--format", "{{.Names}}")
	names := strings.Fields(out)
	slices.Sort(names)
	return names
}

// assertNames checks that the project's containers are exactly want.
func (p *composeProject) assertNames(want ...string) {
	p.t.Helper()
	slices.Sort(want)
	if got := p.names(); !slices.Equal(got, want) {
		p.t.Fatalf("containers of %s: %v, want %v", p.name, got, want)
	}
}

// waitLog waits until container's log holds want: the proof, in these
// projects, that one service reached another by its name.
func (p *composeProject) waitLog(container, want string) {
	p.t.Helper()
	p.eventually(container+" logs "+want, func() (bool, string) {
		out, err := p.berth("logs", container).CombinedOutput()
		if err != nil {
			return false, string(out) + err.Error()
		}
		return strings.Contains(string(out), want), string(out)
	})
}

// down takes the project down and checks nothing of it is left.
func (p *composeProject) down() {
	p.t.Helper()
	p.mustRun("down", "-v", "--rmi", "local", "-t", "1")
	p.assertNothingLeft(p.name)
}
