package exepages

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Trim removes this process's mappings of the read-only segments of its
// own executable (code, read-only data) with MADV_DONTNEED, which for a
// private file mapping drops only page table entries: nothing is lost,
// and the next touch of a page maps it again from the page cache. A
// mapping with a page of its own (the dynamic loader's relocations,
// made read-only after: RELRO) and the writable data are never touched.
func Trim() error {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &st); err != nil {
		return fmt.Errorf("trim the binary's pages: stat /proc/self/exe: %w", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return fmt.Errorf("trim the binary's pages: %w", err)
	}
	for _, r := range fileOnlyRanges(smaps, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino) {
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, r.start, r.end-r.start, unix.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("trim the binary's pages at %#x-%#x: madvise: %w", r.start, r.end, errno)
		}
	}
	return nil
}

// addrRange is a mapping's [start, end).
type addrRange struct{ start, end uintptr }

// fileOnlyRanges are, in the text of /proc/PID/smaps, the private
// mappings without write permission of the file dev major:minor, inode
// ino, that hold no anonymous (copied) page: only the file's own pages,
// which the page cache gives back as they were.
func fileOnlyRanges(smaps []byte, major, minor uint32, ino uint64) []addrRange {
	dev := []byte(fmt.Sprintf("%02x:%02x", major, minor))
	inode := []byte(strconv.FormatUint(ino, 10))
	var out []addrRange
	var cur addrRange
	ours := false
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 0 {
			continue
		}
		if key, ok := bytes.CutSuffix(f[0], []byte{':'}); ok {
			// A field of the mapping above: its copied pages.
			if ours && string(key) == "Anonymous" {
				if len(f) >= 2 && string(f[1]) == "0" {
					out = append(out, cur)
				}
				ours = false
			}
			continue
		}
		// A mapping: address perms offset dev inode [path].
		ours = false
		if len(f) < 5 || !bytes.Equal(f[3], dev) || !bytes.Equal(f[4], inode) {
			continue
		}
		if perms := f[1]; len(perms) != 4 || perms[1] != '-' || perms[3] != 'p' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		cur, ours = addrRange{uintptr(start), uintptr(end)}, true
	}
	return out
}

// A Trimmer calls Trim once its process has been quiet for Quiet after
// the last call to Soon: after a burst of work that ran code it will
// not run again soon. A failed trim loses nothing (the pages stay
// mapped); Warn, when set, is told of it. With FreeHeap it first gives
// the heap's free pages back too (debug.FreeOSMemory, a collection):
// for a process that is mostly idle after the burst, as a monitor is,
// the runtime would keep them for a while.
type Trimmer struct {
	Quiet    time.Duration
	FreeHeap bool
	Warn     func(error)

	mu    sync.Mutex
	timer *time.Timer
}

// Soon (re)starts the wait for quiet.
func (t *Trimmer) Soon() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer == nil {
		t.timer = time.AfterFunc(t.Quiet, func() {
			if t.FreeHeap {
				debug.FreeOSMemory()
			}
			if err := Trim(); err != nil && t.Warn != nil {
				t.Warn(err)
			}
		})
		return
	}
	t.timer.Reset(t.Quiet)
}
