package containerinit

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	bin, other := filepath.Join(dir, "bin"), filepath.Join(dir, "other")
	for _, d := range []string{bin, other, filepath.Join(bin, "adir")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string, mode os.FileMode) {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(bin, "plain"), 0o644)
	write(filepath.Join(other, "plain"), 0o755)
	write(filepath.Join(bin, "tool"), 0o700)
	path := bin + ":" + other

	tests := []struct {
		file string
		want string
		code int
		msg  string
	}{
		{file: "tool", want: filepath.Join(bin, "tool")},
		{file: "plain", want: filepath.Join(other, "plain")},
		{file: "adir", code: ExitNotFound, msg: `exec: "adir": executable file not found in $PATH`},
		{file: "nope", code: ExitNotFound, msg: `exec: "nope": executable file not found in $PATH`},
		{file: filepath.Join(bin, "tool"), want: filepath.Join(bin, "tool")},
		{file: filepath.Join(bin, "plain"), code: ExitNotExecutable, msg: `exec: "` + filepath.Join(bin, "plain") + `": permission denied`},
		{file: filepath.Join(bin, "adir"), code: ExitNotExecutable, msg: `exec: "` + filepath.Join(bin, "adir") + `": is a directory`},
		{file: "/nope", code: ExitNotFound, msg: `exec: "/nope": stat /nope: no such file or directory`},
	}
	for _, tt := range tests {
		got, err := lookPath(tt.file, path)
		if tt.code == 0 {
			if err != nil || got != tt.want {
				t.Errorf("lookPath(%s) = %s, %v; want %s", tt.file, got, err, tt.want)
			}
			continue
		}
		var execErr *ExecError
		if !errors.As(err, &execErr) || execErr.Code != tt.code || execErr.Msg != tt.msg {
			t.Errorf("lookPath(%s): err = %#v, want %d %q", tt.file, err, tt.code, tt.msg)
		}
	}
}

func TestExecFailure(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{syscall.ENOENT, ExitNotFound},
		{syscall.EACCES, ExitNotExecutable},
		{syscall.EPERM, ExitNotExecutable},
		{syscall.ENOEXEC, ExitNotExecutable},
		{syscall.EISDIR, ExitNotExecutable},
		{syscall.E2BIG, ExitSetupFailed},
	}
	for _, tt := range tests {
		if got := execFailure("x", tt.err); got.Code != tt.code {
			t.Errorf("execFailure(%v) = %d, want %d", tt.err, got.Code, tt.code)
		}
	}
}
