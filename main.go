// Command berth is a full-screen terminal container manager with its own
// container runtime. With no arguments it opens the TUI; with a verb it is
// a docker-style CLI. The same binary, re-executed, is each container's
// shim and init.
//
// This file is a switchboard only: the CLI, which opens the TUI when no
// verb is given. The re-executed roles take their process over earlier,
// while a package is initialised: a container's init in
// engine/containerinit, a container's monitor in engine (each package's
// dispatch.go). Start reading in cli/
// for commands, engine/ for the runtime, ui/ for the screens.
package main

import (
	"os"

	"berth/cli"
	_ "berth/internal/gcstart" // no collection in a short process's first moments
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
