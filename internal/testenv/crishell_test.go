package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCritestBusyboxShExecsFromPath: the /bin/sh of critest's busybox is
// not busybox-static (whose ash runs its own ls applet whatever PATH
// says) but a shell that, chrooted into the image's files, runs the ls
// it finds on PATH, and, when that ls cannot be executed, says so in the
// words critest's MaskedPaths spec compares with.
func TestCritestBusyboxShExecsFromPath(t *testing.T) {
	RequireRoot(t)
	RequireBusybox(t)
	requireCritestShell(t)
	busybox, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := critestShell()
	if err != nil {
		t.Fatal(err)
	}
	files := critestBusybox(busybox, sh)
	if files["bin/sh"].data == string(busybox) {
		t.Fatal("critest's busybox /bin/sh is busybox-static")
	}
	root := t.TempDir()
	files["path/ls"] = critestFile{0o755, "#!/bin/sh\necho ls from PATH\n"}
	for name, f := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), os.FileMode(f.mode)); err != nil {
			t.Fatal(err)
		}
	}
	run := func(path string) (string, string, error) {
		cmd := exec.Command("/bin/sh", "-c", "ls")
		cmd.Env = []string{"PATH=" + path}
		cmd.Dir = "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	if out, errOut, err := run("/path:/bin"); err != nil || out != "ls from PATH\n" {
		t.Errorf("sh -c ls: %v, stdout %q, stderr %q; want the ls on PATH run", err, out, errOut)
	}
	// As critest's mask leaves it: the image's /bin/ls there but not to be run.
	if err := os.Chmod(filepath.Join(root, "bin/ls"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run("/bin"); err == nil || errOut != "/bin/sh: ls: Permission denied\n" {
		t.Errorf("sh -c ls of an ls that cannot run: %v, stderr %q; want a failure and critest's words", err, errOut)
	}
}
