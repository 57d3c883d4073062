package diskspace

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"berth/internal/atomicfile"
	"berth/internal/testenv"
)

func TestNoSpace(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{syscall.ENOSPC, true},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, true},
		{syscall.EIO, false},
		{errors.New("no space left on device"), false},
	} {
		if got := NoSpace(tc.err); got != tc.want {
			t.Errorf("NoSpace(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestNilReserveRunsOnce(t *testing.T) {
	var r *Reserve
	calls := 0
	err := r.Do(func() error { calls++; return syscall.ENOSPC })
	if !errors.Is(err, syscall.ENOSPC) || calls != 1 {
		t.Fatalf("nil reserve: err %v after %d calls, want ENOSPC after 1", err, calls)
	}
}

// On a real filesystem filled to the last block, a record write fails, and
// succeeds through the reserve, which is whole again once space returns.
func TestReserveWritesOnFullDisk(t *testing.T) {
	mnt := testenv.LoopFilesystem(t, 16<<20)
	r := NewReserve(filepath.Join(mnt, "reserve"), 1<<20)
	if err := r.Ensure(); err != nil {
		t.Fatal(err)
	}
	testenv.FillFile(t, filepath.Join(mnt, "filler"))
	if free, err := Free(mnt); err != nil || free > 64<<10 {
		t.Fatalf("after filling: %d bytes free, %v", free, err)
	}
	record := filepath.Join(mnt, "record.json")
	data := make([]byte, 20<<10)
	write := func() error { return atomicfile.WriteFile(record, data, 0o600) }
	if err := write(); !NoSpace(err) {
		t.Fatalf("write on a full disk without the reserve: %v, want ENOSPC", err)
	}
	if err := r.Do(write); err != nil {
		t.Fatalf("write through the reserve: %v", err)
	}
	if got, err := os.ReadFile(record); err != nil || len(got) != len(data) {
		t.Fatalf("record after write: %d bytes, %v", len(got), err)
	}
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := r.Ensure(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(r.path)
	if err != nil || allocated(st) < r.size {
		t.Fatalf("reserve after space returned: %v, %v", st, err)
	}
}
