package cli

import (
	"runtime"
	"strings"
	"testing"

	"berth/engine"
	"berth/host"
)

// TestInspectTypedTemplates: inspect -f runs on typed values, so numbers
// compare and print as numbers and lists join; JSON-only names ({{.Id}})
// still work; an unknown field is an error (exit 1), never "<no value>".
func TestInspectTypedTemplates(t *testing.T) {
	cs := psFixture()
	cs[0].State.Pid = 41234
	cs[0].Config.Cmd = []string{"sh", "-c", "while :; do echo tick; sleep 1; done"}
	cs[2].State.ExitCode = 2
	sys := withImages(testSystem(&fakeEngine{containers: cs}), &fakeImages{imgs: imagesFixture()})
	tests := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"-f", "{{if eq .State.ExitCode 2}}two{{else}}other{{end}}", "job", "web"}, 0, "two\nother\n", ""},
		{[]string{"-f", "{{gt .State.Pid 0}}", "web"}, 0, "true\n", ""},
		{[]string{"-f", `{{printf "%d" .State.Pid}}`, "web"}, 0, "41234\n", ""},
		{[]string{"-f", `{{join .Config.Cmd " "}}`, "web"}, 0, "sh -c while :; do echo tick; sleep 1; done\n", ""},
		{[]string{"-f", "{{.Id}}", "web"}, 0, cs[0].ID + "\n", ""},
		{[]string{"-f", "{{.ID}}", "web"}, 0, cs[0].ID + "\n", ""},
		{[]string{"-f", "{{.State.Running}} {{.State.Paused}}", "sleepy"}, 0, "true true\n", ""},
		{[]string{"-f", "{{.Created}}", "web"}, 0, cs[0].Created.Format("2006-01-02T15:04:05.999999999Z07:00") + "\n", ""},
		{[]string{"-f", "{{.NetworkSettings.IPAddress}}|", "job"}, 0, "|\n", ""},
		{[]string{"-f", "json", "job"}, 0, "{\"Id\":\"" + cs[2].ID, ""},
		{[]string{"-f", "{{upper .Name}}", "web"}, 0, "/WEB\n", ""},
		// As docker's: the lines are written together, a lone newline
		// when none rendered.
		{[]string{"-f", "{{.State.Foo}}", "web"}, 1, "\n", `template parsing error: template: :1:8: executing "" at <.State.Foo>: map has no entry for key "Foo"`},
		{[]string{"-f", "{{.Foo}}", "web", "job"}, 1, "\n", `map has no entry for key "Foo"`},
		{[]string{"-f", "{{.Name}}", "nosuch"}, 1, "\n", "nosuch"},
		{[]string{"-f", "{{.Name}}", "nosuch", "web"}, 1, "/web\n", "nosuch"},
		{[]string{"-f", "{{range .Config.Cmd}}{{println .}}{{end}}", "web"}, 0, "sh\n-c\nwhile :; do echo tick; sleep 1; done\n\n", ""},
		{[]string{"-f", "{{.Foo", "web"}, 64, "", "template parsing error"},
		{[]string{"-f", "{{.Os}} {{.Architecture}} {{.Created}}", "busybox"}, 0, "linux amd64 ", ""},
	}
	for _, tt := range tests {
		r := runCLI(t, sys, append([]string{"inspect"}, tt.args...)...)
		exact := tt.code != 0 || strings.HasSuffix(tt.out, "\n")
		if r.code != tt.code || !strings.HasPrefix(r.stdout, tt.out) || !strings.Contains(r.stderr, tt.inErr) || exact && r.stdout != tt.out {
			t.Errorf("inspect %q: code %d out %q err %q; want %d %q %q", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.out, tt.inErr)
		}
	}
}

// TestListTemplateErrors: in list commands an unknown placeholder is an
// error with exit 1 and no partial output; a template that does not parse
// exits 1 too (docker's list commands), 64 for version.
func TestListTemplateErrors(t *testing.T) {
	sys := testSystem(&fakeEngine{containers: psFixture()})
	if r := runCLI(t, sys, "ps", "-a", "--format", "{{.Names}} {{.Foo}}"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "can't evaluate field Foo") {
		t.Errorf("ps unknown field: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, sys, "ps", "--format", "{{.Names"); r.code != 1 || !strings.Contains(r.stderr, "template parsing error") {
		t.Errorf("ps bad template: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "version", "--format", "{{.Server"); r.code != 64 {
		t.Errorf("version bad template: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "version", "--format", "{{.Nope}}"); r.code != 1 || !strings.Contains(r.stderr, "can't evaluate field Nope") {
		t.Errorf("version unknown field: code %d err %q", r.code, r.stderr)
	}
}

// TestVersionAndInfoTemplates: docker's keys on version and info.
func TestVersionAndInfoTemplates(t *testing.T) {
	r := runCLI(t, testSystem(nil), "version", "--format", "{{.Server.Version}} {{.Client.Version}} {{.Server.APIVersion}} {{.Client.APIVersion}} {{.Server.Os}} {{.Server.MinAPIVersion}} {{(index .Server.Components 0).Name}}")
	if want := host.Version + " " + host.Version + " 1.41 1.41 linux 1.12 Engine\n"; r.code != 0 || r.stdout != want {
		t.Errorf("version template = %q (code %d err %q), want %q", r.stdout, r.code, r.stderr, want)
	}
	if r := runCLI(t, testSystem(nil), "version"); r.code != 0 || !strings.Contains(r.stdout, "Client:\n Version:           "+host.Version) || !strings.Contains(r.stdout, "API version:      1.41 (minimum version 1.12)") {
		t.Errorf("version = %q", r.stdout)
	}
	eng := &fakeEngine{info: engine.Info{
		Containers: 3, ContainersRunning: 1, ContainersPaused: 1, ContainersStopped: 1, Images: 2,
		StorageDriver: "overlay2", CgroupVersion: "2", CgroupDriver: "cgroupfs", KernelVersion: "6.18.0",
		OperatingSystem: "Debian GNU/Linux 12 (bookworm)", NCPU: 2, MemTotal: 24 << 30,
		SecurityOptions: []string{"name=seccomp,profile=builtin"},
	}}
	r = runCLI(t, testSystem(eng), "info", "--format",
		"{{.Driver}} {{.OSType}} {{.Architecture}} {{.NCPU}} {{.MemTotal}} {{.Containers}} {{.ContainersRunning}} {{.Images}} {{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}} {{json .SecurityOptions}} {{.KernelVersion}} {{.OperatingSystem}} {{if gt .NCPU 1}}multi{{end}}")
	want := "overlay2 linux " + machineArch(runtime.GOARCH) + " 2 25769803776 3 1 2 " + host.Version + " 2 cgroupfs [\"name=seccomp,profile=builtin\"] 6.18.0 Debian GNU/Linux 12 (bookworm) multi\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("info template = %q (code %d err %q), want %q", r.stdout, r.code, r.stderr, want)
	}
	if r := runCLI(t, testSystem(eng), "info", "--format", "{{.Swarm.LocalNodeState}} {{.LoggingDriver}} {{index .Plugins.Volume 0}}"); r.stdout != "inactive json-file local\n" {
		t.Errorf("info swarm/logging/plugins = %q (code %d err %q)", r.stdout, r.code, r.stderr)
	}
	r = runCLI(t, testSystem(eng), "info", "--format", "{{.DockerRootDir}}|{{.Name}}|{{len .ID}}")
	if parts := strings.Split(strings.TrimSpace(r.stdout), "|"); r.code != 0 || len(parts) != 3 || !strings.HasSuffix(parts[0], "/root") || parts[1] == "" || parts[2] != "36" {
		t.Errorf("info root/name/id = %q (code %d err %q)", r.stdout, r.code, r.stderr)
	}
	if r := runCLI(t, testSystem(eng), "info", "--format", "{{.Nope}}"); r.code != 1 || r.stdout != "" {
		t.Errorf("info unknown field: code %d out %q", r.code, r.stdout)
	}
}
