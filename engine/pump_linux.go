package engine

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// pumpBuffers are the read buffers of the containers' output pumps. A
// buffer is taken only once a stream has data and given back when it
// has none: a monitor watches many containers, and an idle one holds no
// buffer (two of 128 KiB each would outweigh the rest of its cost).
var pumpBuffers = sync.Pool{New: func() any { b := make([]byte, pumpBufferSize); return &b }}

// pumpBufferSize is the most a pump reads at once.
const pumpBufferSize = 128 << 10

// outputPipeSize is the capacity of a container's stdout and stderr
// pipes: a loud container fills 1 MiB before it waits for the monitor,
// where the kernel's default 64 KiB made it wait, and wake the monitor,
// sixteen times as often. A pipe takes its pages only as data fills it;
// the monitor still reads 128 KiB at a time, so a loud stream costs it
// no more memory than before.
const outputPipeSize = 1 << 20

// growOutputPipe sets the capacity of a container's output pipe to
// outputPipeSize, as far as the host allows (fs.pipe-max-size): a pipe
// left at the default size still works, only slower.
func growOutputPipe(w *os.File) {
	_, _ = unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, outputPipeSize)
}

// readEach reads f until its end, handing each read's bytes to fn. It
// returns io.EOF at the end, or the read's error (EIO when a PTY's last
// slave closes). A file the runtime cannot poll is read blocking, its
// buffer held while it waits.
func readEach(f *os.File, fn func([]byte)) error {
	return readPolled(f, fn, false)
}

// readPolled is readEach, waiting for data in the runtime's poller; when
// untilLoud, it returns errLoud once two reads found data less than
// loudPause apart (after handing the second to fn).
func readPolled(f *os.File, fn func([]byte), untilLoud bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	// A buffer is kept while the stream keeps data coming, and given
	// back when a read would wait.
	var buf *[]byte
	defer func() {
		if buf != nil {
			pumpBuffers.Put(buf)
		}
	}()
	var last time.Time // of the last read that found data
	for {
		var (
			n    int
			rerr error
		)
		err := rc.Read(func(fd uintptr) bool {
			if buf == nil {
				buf = pumpBuffers.Get().(*[]byte)
			}
			n, rerr = unix.Read(int(fd), *buf)
			if rerr == unix.EAGAIN {
				pumpBuffers.Put(buf)
				buf = nil
				return false // wait until readable
			}
			return true
		})
		if n > 0 {
			fn((*buf)[:n])
			if untilLoud {
				now := time.Now()
				if now.Sub(last) < loudPause {
					return errLoud
				}
				last = now
			}
		}
		switch {
		case err != nil:
			return os.ErrClosed // the file was closed under the pump
		case rerr == unix.EINTR:
		case rerr != nil:
			return rerr
		case n == 0:
			return io.EOF
		}
	}
}
