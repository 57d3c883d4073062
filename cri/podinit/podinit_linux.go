// Package podinit is the process berth cri starts to hold a pod's shared
// PID namespace (see the cri package's pidns_linux.go): berth
// re-executed as Arg0, the first process of a new PID namespace, that
// only reaps the orphans the pod's containers leave, as a pause
// container does, until the server kills it.
//
// It takes its process over while this package is initialised, not from
// main: the package needs only os, signal and x/sys/unix, so Go
// initialises it before the packages berth links for its other roles
// (gRPC, the registry client, compose's schemas), whose start-up a
// holder living as long as its pod would otherwise keep. Any binary that
// links the cri package gets the dispatch.
package podinit

import (
	"os"
	"os/signal"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// Arg0 is the holder's argv[0], which the dispatch looks for and ps in
// the pod's containers shows.
const Arg0 = "berth-pod-init"

func init() {
	if len(os.Args) > 0 && os.Args[0] == Arg0 {
		run()
	}
}

// run reaps every child the namespace hands the holder until it is
// killed; it never returns.
func run() {
	// Nothing in the pod may read or trace its PID 1's memory.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) // best effort: the holder holds no secret
	_ = unix.Close(3)                                // the sealed binary it runs from
	// A signal from the pod (kill 1) ends nothing: only the server's
	// SIGKILL does.
	signal.Ignore()
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, unix.SIGCHLD)
	// What start-up allocated is garbage now: give it back, as the
	// holder lives as long as its pod.
	debug.FreeOSMemory()
	for range sigs {
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
	os.Exit(0)
}
