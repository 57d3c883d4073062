package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
)

// TestNamespacePathsJoin: a container joins network, UTS and IPC
// namespaces held only by bind-mounted namespace files (as berth cri's
// pods hold them), keeps the hostname set there, and its output goes to
// its CRI log too.
func TestNamespacePathsJoin(t *testing.T) {
	e := newTestEngine(t)
	dir := t.TempDir()
	kinds := []string{"net", "uts", "ipc"}
	paths := map[string]string{}
	for _, k := range kinds {
		paths[k] = filepath.Join(dir, k)
		if err := os.WriteFile(paths[k], nil, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	err := osthread.Discarded(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC); err != nil {
			return err
		}
		if err := unix.Sethostname([]byte("pinned")); err != nil {
			return err
		}
		for _, k := range kinds {
			if err := unix.Mount("/proc/thread-self/ns/"+k, paths[k], "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind %s: %w", k, err)
			}
			t.Cleanup(func() { _ = unix.Unmount(paths[k], unix.MNT_DETACH) }) // a namespace file; nothing else is mounted there
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "logs", "c", "0.log")
	c := create(t, e, CreateOptions{
		Config:     ContainerConfig{Cmd: []string{"sh", "-c", "hostname; for n in net uts ipc; do readlink /proc/self/ns/$n; done"}},
		HostConfig: HostConfig{NetworkMode: "none", NamespacePaths: paths, CRILogPath: logPath},
	})
	var out, errOut bytes.Buffer
	res, err := e.Run(context.Background(), c.ID, AttachOptions{Stdout: &out, Stderr: &errOut})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v %d: %s", err, res.ExitCode, errOut.String())
	}
	want := "pinned\n"
	for _, k := range kinds {
		fi, err := os.Stat(paths[k])
		if err != nil {
			t.Fatal(err)
		}
		want += fmt.Sprintf("%s:[%d]\n", k, fi.Sys().(*syscall.Stat_t).Ino)
	}
	if out.String() != want {
		t.Errorf("inside:\n%s\nwant:\n%s", out.String(), want)
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logged), " stdout F "); n != 4 || !strings.Contains(string(logged), " stdout F pinned\n") {
		t.Errorf("CRI log:\n%s", logged)
	}
}
