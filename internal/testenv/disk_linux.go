package testenv

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// DiskTempDir returns a new temporary directory on a disk-backed
// filesystem, removed when t ends: a test that reads block I/O accounting
// (io.stat, blkio) needs writes that reach a block device, which a tmpfs
// /tmp (Debian 13, Fedora, Arch) never sends. It tries $TMPDIR (or /tmp),
// then /var/tmp, then the test's working directory; when none is on a
// disk it skips, or under CI=true fails.
func DiskTempDir(t testing.TB) string {
	t.Helper()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	base, err := pickDiskDir([]string{os.TempDir(), "/var/tmp", cwd}, fsType)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v, and CI=true forbids skipping", err)
		}
		t.Skip(err)
	}
	dir, err := os.MkdirTemp(base, "berth-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// fsType is the statfs f_type of the filesystem holding dir.
func fsType(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Type), nil
}

// inMemory says whether a filesystem type keeps its files in memory.
func inMemory(fstype int64) bool {
	return fstype == unix.TMPFS_MAGIC || fstype == unix.RAMFS_MAGIC
}

// pickDiskDir returns the first of candidates that exists and is not on a
// filesystem in memory.
func pickDiskDir(candidates []string, fsType func(string) (int64, error)) (string, error) {
	var errs []error
	for _, c := range candidates {
		typ, err := fsType(c)
		switch {
		case err != nil:
			errs = append(errs, err)
		case inMemory(typ):
			errs = append(errs, fmt.Errorf("%s is in memory (filesystem type %#x)", c, typ))
		default:
			return c, nil
		}
	}
	return "", fmt.Errorf("no disk-backed directory for a test that needs block I/O: %w", errors.Join(errs...))
}
