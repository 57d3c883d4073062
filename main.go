// Command berth is a full-screen terminal container manager with its own
// container runtime. With no arguments it opens the TUI; with a verb it is
// a docker-style CLI. The same binary, re-executed, is each container's
// shim and init.
//
// This file is a switchboard only: the shim's re-exec entry point first
// (a container's init takes its process over earlier, while the package
// engine/containerinit is initialised: see its dispatch.go), then the CLI (which opens the TUI when no verb is given). Start reading in cli/
// for commands, engine/ for the runtime, ui/ for the screens.
package main

import (
	"os"

	"berth/cli"
	"berth/engine"
	_ "berth/internal/gcstart" // no collection in a short process's first moments
)

func main() {
	if engine.IsShim() {
		engine.ShimMain()
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
