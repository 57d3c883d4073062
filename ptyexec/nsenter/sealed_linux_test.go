package nsenter

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// exeHelper prints what /proc/self/exe names.
func exeHelper() int {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println(exe)
	return 0
}

func TestSealedCopy(t *testing.T) {
	requireRoot(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		scratch string
		isMemfd bool
	}{
		{"overlay", filepath.Join(t.TempDir(), "seal"), false},
		{"memfd", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := SealedCopy("/proc/self/exe", tc.scratch)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			path := ExecPath(int(f.Fd()))
			// The same program, which no one can change.
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the copy differs from %s (%d bytes, %v)", self, len(got), err)
			}
			if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				_, err = w.WriteAt([]byte("overwritten"), 0)
				w.Close()
				if err == nil {
					t.Fatal("wrote to the sealed copy")
				}
			}
			if err := os.Truncate(path, 0); err == nil {
				t.Fatal("truncated the sealed copy")
			}
			// It runs, and a process running it does not see the binary.
			cmd := exec.Command(ExecPath(3))
			cmd.ExtraFiles = []*os.File{f}
			cmd.Env = []string{helperEnv + "=exe"}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("run the copy: %v: %s", err, out)
			}
			exe := strings.TrimSpace(string(out))
			if exe == self || strings.HasPrefix(exe, "/memfd:") != tc.isMemfd {
				t.Errorf("a process running the %s copy has /proc/self/exe %q (binary %s)", tc.name, exe, self)
			}
		})
	}
}

// BenchmarkSealedCopy is what sealing costs each container start or exec.
func BenchmarkSealedCopy(b *testing.B) {
	requireRoot(b)
	for _, bc := range []struct{ name, scratch string }{
		{"overlay", filepath.Join(b.TempDir(), "seal")},
		{"memfd", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				f, err := SealedCopy("/proc/self/exe", bc.scratch)
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

// closeFdsHelper closes what it inherited but fd 4 and lists the
// descriptors it has left that a command it exec'd would get.
func closeFdsHelper() int {
	if err := CloseInheritedFds(4); err != nil {
		fmt.Println(err)
		return 1
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	var left []string
	for _, e := range entries {
		fd, _ := strconv.Atoi(e.Name())
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			left = append(left, e.Name())
		}
	}
	fmt.Println(strings.Join(left, " "))
	return 0
}

func TestCloseInheritedFds(t *testing.T) {
	var files []*os.File
	for range 4 {
		f, err := os.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.ExtraFiles = files // fds 3, 4, 5, 6
	cmd.Env = []string{helperEnv + "=close-fds"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "0 1 2 4" {
		t.Errorf("left open: %q, want 0 1 2 4", got)
	}
}

// chdirOutsideHelper, in a mount namespace of its own, chroots into
// $ROOT (with /proc bound in) holding a descriptor of $OUTSIDE, and tries
// ChdirInside through that descriptor.
func chdirOutsideHelper() int {
	root := os.Getenv("ROOT")
	outside, err := os.Open(os.Getenv("OUTSIDE"))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	steps := []func() error{
		func() error { return unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "") },
		func() error {
			return unix.Mount("/proc", filepath.Join(root, "proc"), "", unix.MS_BIND|unix.MS_REC, "")
		},
		func() error { return unix.Chroot(root) },
		func() error { return ChdirInside("/proc") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			fmt.Println(err)
			return 1
		}
	}
	err = ChdirInside(ExecPath(int(outside.Fd())))
	switch {
	case errors.Is(err, ErrCwdOutside):
		fmt.Println("refused")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println("escaped")
	}
	return 0
}

func TestChdirInsideRefusesOutside(t *testing.T) {
	requireRoot(t)
	root, outside := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = []string{helperEnv + "=chdir-outside", "ROOT=" + root, "OUTSIDE=" + outside}
	cmd.SysProcAttr = &unix.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "refused" {
		t.Fatalf("got %v: %s; want the working directory refused", err, out)
	}
}
