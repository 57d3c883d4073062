// Command berth is a full-screen terminal container manager with its own
// container runtime. With no arguments it opens the TUI; with a verb it is
// a docker-style CLI. The same binary, re-executed, is each container's
// shim and init.
//
// This file is a switchboard only: re-exec entry points first, then the
// CLI (which opens the TUI when no verb is given). Start reading in cli/
// for commands, engine/ for the runtime, ui/ for the screens.
package main

import (
	"os"

	"berth/cli"
	"berth/engine"
	"berth/engine/containerinit"
)

func main() {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	if engine.IsShim() {
		engine.ShimMain()
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
