package engine

// A container's monitor (the berth binary re-executed as shimArg0) takes
// its process over here, while this package is initialised, not from
// main: Go initialises a binary's packages in dependency order, and every
// package the monitor runs is this one or below it, so the packages only
// the other roles use, initialised after it (the CRI server's gRPC and
// protobuf registries, the API, the TUI, the CLI), are never initialised
// on the path of every container start. This package has no other init.
// Any binary that links it (berth, and the test binaries that re-execute
// themselves as a monitor) gets the dispatch without a hook in its main,
// as a container's init does (engine/containerinit/dispatch.go).
// TestRolesSkipPackagesTheyNeverUse (init_dispatch_test.go in the root
// package) holds it.
func init() {
	if IsShim() {
		ShimMain()
	}
}
