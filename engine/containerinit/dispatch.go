package containerinit

import "os"

// A container's init, and the tiny init that --init keeps as PID 1 for
// the container's life, take their process over here, while this package
// is initialised, instead of from main. Go initialises a binary's packages
// in dependency order, and this package needs only os, x/sys/unix and
// nsenter, so it runs before the packages the berth binary links for its
// other roles (the registry client, compose's JSON schemas, gRPC, the
// TUI): their initialisation, about ten times the init's own start-up and
// two megabytes of heap, is never paid on the path of every container
// start or by a long-lived tiny init. Any binary that links this package
// (berth, and the test binaries that re-execute themselves as a
// container's init) gets the dispatch without a hook in its main.
// TestRolesSkipPackagesTheyNeverUse (init_dispatch_test.go in the root
// package) holds the order.
func init() {
	if isInit() {
		Main()
	}
}

// isInit reports whether this process is a container's init, re-executed
// by Start, or the tiny init that --init runs as PID 1 (TinyInitArg0).
func isInit() bool {
	return len(os.Args) > 0 && (os.Args[0] == Arg0 || os.Args[0] == TinyInitArg0)
}
