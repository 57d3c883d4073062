package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// commandBuilders is every top-level command by its name. A command line
// builds only the command it names: the whole tree (every command with
// its flags, run's and create's near a hundred each) costs more than a
// short command's own work (`berth exec`, `berth ps`), and is built
// only for the help, a mistyped command, or no command at all off a
// terminal (the help again). On a terminal no command opens the
// full-screen program, which needs none of them (tuiName): built, they
// would stay live all the while it runs (about 0.4 MB of heap).
func (a *app) commandBuilders() map[string]func() *cobra.Command {
	return map[string]func() *cobra.Command{
		"run":       a.runCommand,
		"create":    a.createCommand,
		"start":     a.startCommand,
		"attach":    a.attachCommand,
		"exec":      a.execCommand,
		"stop":      a.stopCommand,
		"restart":   a.restartCommand,
		"kill":      a.killCommand,
		"pause":     a.pauseCommand,
		"unpause":   a.unpauseCommand,
		"wait":      a.waitCommand,
		"rm":        a.rmCommand,
		"rename":    a.renameCommand,
		"ps":        a.psCommand,
		"logs":      a.logsCommand,
		"inspect":   func() *cobra.Command { return a.inspectCommand("") },
		"top":       a.topCommand,
		"stats":     a.statsCommand,
		"images":    a.imagesCommand,
		"import":    a.importCommand,
		"tag":       a.tagCommand,
		"rmi":       a.rmiCommand,
		"info":      a.infoCommand,
		"version":   a.versionCommand,
		"history":   a.historyCommand,
		"save":      a.saveCommand,
		"load":      a.loadCommand,
		"pull":      a.pullCommand,
		"push":      a.pushCommand,
		"login":     a.loginCommand,
		"logout":    a.logoutCommand,
		"build":     a.buildCommand,
		"events":    a.eventsCommand,
		"port":      a.portCommand,
		"network":   a.networkCommand,
		"container": a.containerCommand,
		"image":     a.imageCommand,
		"system":    a.systemCommand,
		"volume":    a.volumeCommand,
		"cp":        a.cpCommand,
		"diff":      a.diffCommand,
		"commit":    a.commitCommand,
		"export":    a.exportCommand,
		"update":    a.updateCommand,
		"context":   a.contextCommand,
		"compose":   a.composeCommand,
		"cri":       a.criCommand,
	}
}

// tuiName is the root's name for the full-screen program: no command,
// on a terminal. It builds the root and no subcommand.
const tuiName = "\x00tui"

// opensTUI says args name no command and no flag but the global ones
// that take a value: on a terminal, they open the full-screen program.
func opensTUI(args []string) bool {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case globalTakesValue(a):
			i++
		case !isGlobalFlagWithValue(a):
			return false
		}
	}
	return true
}

// commandName is the top-level command args name, after the global
// flags; "" when they name none the builders know (no command, help,
// --version, a flag the root does not have, a mistyped command).
func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case !strings.HasPrefix(a, "-"):
			return a
		case globalTakesValue(a):
			i++
		case !isGlobalFlagWithValue(a):
			return "" // -h, --version, or one cobra will refuse: the whole tree answers
		}
	}
	return ""
}

// isGlobalFlagWithValue is a global flag given as "--flag=VALUE".
func isGlobalFlagWithValue(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	return ok && globalTakesValue(name)
}
