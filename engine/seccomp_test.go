package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecurityOptions(t *testing.T) {
	tests := []struct {
		opts    []string
		seccomp string
		nnp     bool
		wantErr string
	}{
		{opts: nil},
		{opts: []string{"no-new-privileges"}, nnp: true},
		{opts: []string{"no-new-privileges:true", "seccomp=unconfined"}, seccomp: "unconfined", nnp: true},
		{opts: []string{"no-new-privileges=false"}},
		{opts: []string{"seccomp:/p/x.json"}, seccomp: "/p/x.json"},
		{opts: []string{"seccomp=/p/a:b.json"}, seccomp: "/p/a:b.json"},
		{opts: []string{"seccomp=a.json", "seccomp=unconfined"}, seccomp: "unconfined"},
		{opts: []string{"seccomp"}, wantErr: "only no-new-privileges and seccomp"},
		{opts: []string{"apparmor=unconfined"}, wantErr: "only no-new-privileges and seccomp"},
		{opts: []string{"no-new-privileges:maybe"}, wantErr: "only no-new-privileges and seccomp"},
	}
	for _, tt := range tests {
		err := checkHostConfig(&HostConfig{SecurityOpt: tt.opts})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("checkHostConfig(%q) = %v, want %q", tt.opts, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("checkHostConfig(%q) = %v", tt.opts, err)
		}
		if got := seccompOption(tt.opts); got != tt.seccomp {
			t.Errorf("seccompOption(%q) = %q, want %q", tt.opts, got, tt.seccomp)
		}
		if got := noNewPrivileges(tt.opts); got != tt.nnp {
			t.Errorf("noNewPrivileges(%q) = %v, want %v", tt.opts, got, tt.nnp)
		}
	}
}

func TestLoadSeccompProfile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]\n}\n"), 0o644)
	os.WriteFile(bad, []byte(`{"defaultAction": "SCMP_ACT_SOMETIMES"}`), 0o644)
	tests := []struct {
		opt, want, wantErr string
	}{
		{opt: "seccomp=unconfined"},
		{opt: "seccomp=builtin"},
		{opt: "seccomp=" + good, want: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`},
		{opt: `seccomp={"defaultAction": "SCMP_ACT_ALLOW"}`, want: `{"defaultAction":"SCMP_ACT_ALLOW"}`},
		{opt: "seccomp=" + bad, wantErr: "seccomp profile " + bad + `: seccomp profile: unknown defaultAction "SCMP_ACT_SOMETIMES"`},
		{opt: "seccomp=" + filepath.Join(dir, "missing.json"), wantErr: "opening seccomp profile (" + filepath.Join(dir, "missing.json") + ") failed"},
	}
	for _, tt := range tests {
		got, err := loadSeccompProfile([]string{tt.opt})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("loadSeccompProfile(%q) error = %v, want %q", tt.opt, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("loadSeccompProfile(%q) = %s, %v; want %s", tt.opt, got, err, tt.want)
		}
	}
}
