package containerinit

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDecodeReport(t *testing.T) {
	tests := []struct {
		report string
		want   ExecError
	}{
		{`{"code":127,"msg":"exec: \"x\": executable file not found in $PATH"}`, ExecError{127, `exec: "x": executable file not found in $PATH`}},
		{`{"code":125,"msg":"mount rootfs: no such file or directory"}`, ExecError{125, "mount rootfs: no such file or directory"}},
		{`panic: boom`, ExecError{125, "container init: panic: boom"}},
		{`{"msg":"no code"}`, ExecError{125, `container init: {"msg":"no code"}`}},
	}
	for _, tt := range tests {
		var got *ExecError
		if err := decodeReport([]byte(tt.report)); !errors.As(err, &got) || *got != tt.want {
			t.Errorf("decodeReport(%s) = %#v, want %#v", tt.report, got, tt.want)
		}
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		ws   syscall.WaitStatus
		code int
		sig  syscall.Signal
	}{
		{0, 0, 0},
		{3 << 8, 3, 0},
		{syscall.WaitStatus(syscall.SIGKILL), 137, syscall.SIGKILL},
		{syscall.WaitStatus(syscall.SIGTERM), 143, syscall.SIGTERM},
	}
	for _, tt := range tests {
		if code, sig := exitStatus(tt.ws); code != tt.code || sig != tt.sig {
			t.Errorf("exitStatus(%#x) = %d, %v; want %d, %v", uint32(tt.ws), code, sig, tt.code, tt.sig)
		}
	}
}

func TestCloneFlags(t *testing.T) {
	base := uintptr(unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC)
	if got := cloneFlags("host"); got != base {
		t.Errorf("host: %#x", got)
	}
	for _, n := range []string{"", "none"} {
		if got := cloneFlags(n); got != base|unix.CLONE_NEWNET {
			t.Errorf("%q: %#x", n, got)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
		err  error
	}{
		{"ok", Config{Rootfs: dir, Args: []string{"sh"}, Mounts: []Mount{{Type: "bind", Source: dir, Target: "/x"}}}, nil},
		{"no rootfs", Config{Args: []string{"sh"}}, ErrInvalidConfig},
		{"no command", Config{Rootfs: dir}, ErrInvalidConfig},
		{"empty command", Config{Rootfs: dir, Args: []string{""}}, ErrInvalidConfig},
		{"relative cwd", Config{Rootfs: dir, Args: []string{"sh"}, Cwd: "tmp"}, ErrInvalidConfig},
		{"no target", Config{Rootfs: dir, Args: []string{"sh"}, Mounts: []Mount{{Type: "tmpfs", Source: "tmpfs"}}}, ErrInvalidConfig},
		{"missing bind source", Config{Rootfs: dir, Args: []string{"sh"}, Mounts: []Mount{{Type: "bind", Source: dir + "/nope", Target: "/x"}}}, ErrBindSourceMissing},
	}
	for _, tt := range tests {
		if err := validate(&tt.cfg); !errors.Is(err, tt.err) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.err)
		}
	}
}
