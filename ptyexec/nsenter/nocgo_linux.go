//go:build !cgo

package nsenter

// Without cgo the constructor in nsenter.c is not built and a re-executed
// berth would run the command outside the container: refuse to build.
var _ = nsenterNeedsCgo_BuildWithCGO_ENABLED_1
