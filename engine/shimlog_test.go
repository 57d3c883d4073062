package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setImmutable sets or clears chattr's +i on path.
func setImmutable(t *testing.T, path string, on bool) error {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	if on {
		flags |= fsImmutableFL
	} else {
		flags &^= fsImmutableFL
	}
	return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags))
}

// A --rm the shim cannot carry out (a file in the container's directory
// is immutable) is logged in the shim's log, and inspect shows it.
func TestShimLogsFailedAutoRemove(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{AutoRemove: true}})
	pinned := filepath.Join(e.store.dir(c.ID), "pinned")
	if err := os.WriteFile(pinned, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := setImmutable(t, pinned, true); err != nil {
		t.Skipf("this filesystem has no immutable files: %v", err)
	}
	t.Cleanup(func() {
		if err := setImmutable(t, pinned, false); err != nil && !os.IsNotExist(err) {
			t.Errorf("cleanup: chattr -i %s: %v", pinned, err)
		}
	})
	if _, err := e.Inspect(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	var got *Container
	waitFor(t, "the shim's log of the failed --rm", func() bool {
		got, _ = e.Inspect(ctx, c.ID)
		return got != nil && got.ShimLog != nil
	})
	logPath := filepath.Join(e.store.dir(c.ID), "shim.log")
	if got.ShimLog.Path != logPath {
		t.Errorf("BerthShimLog.Path = %q, want %q", got.ShimLog.Path, logPath)
	}
	msg := got.ShimLog.LastError.Message
	if !strings.Contains(msg, "--rm") || !strings.Contains(msg, "operation not permitted") || got.ShimLog.LastError.Time.IsZero() {
		t.Errorf("last error = %+v, want the failed --rm with its time", got.ShimLog.LastError)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Z --rm: remove "+c.DisplayName()) {
		t.Errorf("shim.log =\n%s\nwant a timestamped line of the failed --rm", data)
	}
	// The container is left stopped, for rm to finish once it can; Wait
	// returns once its shim has let go of it.
	if _, err := e.Wait(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := setImmutable(t, pinned, false); err != nil {
		t.Fatal(err)
	}
	if err := e.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
		t.Fatalf("rm after the failed --rm: %v", err)
	}
}

// fsImmutableFL is linux/fs.h's FS_IMMUTABLE_FL (chattr +i).
const fsImmutableFL = 0x00000010
