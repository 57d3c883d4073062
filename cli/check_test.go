package cli

import (
	"strings"
	"testing"

	"berth/engine"
)

// system check prints each damage, fails when any is found and not
// repaired (exit 1, as every failed command but run and create; podman,
// whose every failure is 125, exits 125), and after --repair fails only
// when damage is left.
func TestSystemCheck(t *testing.T) {
	damage := func() []engine.Damage {
		return []engine.Damage{
			{Kind: engine.DamageContainer, ID: "c0ffee", Problem: "container record cannot be read: unexpected end of JSON input"},
			{Kind: "image", ID: "badimage", Problem: "config: content has digest sha256:1234"},
		}
	}
	tests := []struct {
		name     string
		args     []string
		damage   []engine.Damage
		keep     string
		code     int
		stdout   []string
		stderr   string
		noStdout string
	}{
		{name: "clean", args: []string{"system", "check"}, code: 0},
		{name: "damage found", args: []string{"system", "check"}, damage: damage(), code: 1,
			stdout: []string{"Damaged container c0ffee: container record cannot be read", "Damaged image badimage: config: content has digest"},
			stderr: "damage detected in local storage", noStdout: "Repaired"},
		{name: "repaired", args: []string{"system", "check", "--repair"}, damage: damage(), code: 0,
			stdout: []string{"Damaged image badimage", "Repaired damaged container c0ffee: removed", "Repaired damaged image badimage: removed"}},
		{name: "damage left", args: []string{"system", "check", "-r"}, damage: damage(), keep: "c0ffee", code: 1,
			stdout: []string{"Left damaged container c0ffee: kept by the test", "Repaired damaged image badimage"},
			stderr: "damage in local storage still present after repair attempt"},
		{name: "force without repair", args: []string{"system", "check", "--force"}, code: 125,
			stderr: "--force needs --repair"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEngine{damage: tc.damage, keepDamage: tc.keep}
			res := runCLI(t, testSystem(f), tc.args...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", res.code, tc.code, res.stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("stdout %q lacks %q", res.stdout, want)
				}
			}
			if tc.noStdout != "" && strings.Contains(res.stdout, tc.noStdout) {
				t.Errorf("stdout %q has %q", res.stdout, tc.noStdout)
			}
			if !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", res.stderr, tc.stderr)
			}
		})
	}
}
