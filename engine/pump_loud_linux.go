package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// A pipe that the runtime polls wakes its poller at every write into it,
// not only when it was empty (the kernel does so for any pipe ever
// polled): a loud container writing 4 KiB at a time woke its monitor
// some 20,000 times a second, for reads of a few KiB each, and each woken
// read made a write of its own into the log. So the pump of a loud
// stream takes its pipe out of the poller and reads it every loudPause,
// all that came meanwhile at once; the container keeps writing into the
// pipe's 1 MiB (outputPipeSize) while the pump rests. A pause that brings
// nothing puts the pipe back into the poller, where a quiet stream waits
// at no cost.

// loudPause is how long the pump of a loud stream rests between reads:
// its lines reach the log (and attached clients) at most this much later.
const loudPause = time.Millisecond

// errLoud and errQuiet end a pump's way of waiting: its stream turned
// loud, or quiet again.
var (
	errLoud  = errors.New("the stream is loud")
	errQuiet = errors.New("the stream is quiet")
)

// readPipe is readEach for a container's output pipe, read by the pump
// alone: it closes f when it returns (f.Close after that reports
// os.ErrClosed and does nothing).
func readPipe(f *os.File, fn func([]byte)) error {
	name := f.Name()
	for {
		err := readPolled(f, fn, true)
		if !errors.Is(err, errLoud) {
			_ = f.Close()
			return err
		}
		fd, err := unpoll(f)
		if err != nil {
			return err
		}
		if err = readPaced(fd, fn); !errors.Is(err, errQuiet) {
			_ = unix.Close(fd)
			return err
		}
		// A non-blocking descriptor: os.NewFile hands it to the poller.
		f = os.NewFile(uintptr(fd), name)
	}
}

// unpoll takes f's pipe out of the runtime's poller: it returns a
// duplicate of f's descriptor (non-blocking, as f's) and closes f, which
// removes f's from the poller.
func unpoll(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return -1, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(raw uintptr) {
		fd, derr = unix.FcntlInt(raw, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		_ = f.Close()
		return -1, os.ErrClosed // the file was closed under the pump
	}
	if cerr := f.Close(); derr != nil || cerr != nil {
		if fd >= 0 {
			_ = unix.Close(fd)
		}
		return -1, fmt.Errorf("take %s out of the poller: %w", f.Name(), errors.Join(derr, cerr))
	}
	return fd, nil
}

// readPaced reads the non-blocking fd every loudPause, each time until a
// read comes short of its buffer, handing fn each read's bytes. It
// returns errQuiet when a pause brought nothing, io.EOF at the end, or
// the read's error.
func readPaced(fd int, fn func([]byte)) error {
	buf := pumpBuffers.Get().(*[]byte)
	defer pumpBuffers.Put(buf)
	for {
		time.Sleep(loudPause)
		for first := true; ; first = false {
			n, err := unix.Read(fd, *buf)
			if n > 0 {
				fn((*buf)[:n])
			}
			switch {
			case err == unix.EAGAIN && first:
				return errQuiet
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
			case err != nil:
				return err
			case n == 0:
				return io.EOF
			}
			if n < len(*buf) {
				break
			}
		}
	}
}
