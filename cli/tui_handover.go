package cli

import (
	"berth/config"
)

// tuiCLIFlags are the global flags that make berth's CLI act on host h
// as the full-screen program does: the program hands it the actions
// still running when the user quits (`berth stop -t 7 ID`). This
// machine is named by its roots and settings file, another by its
// address (its TLS files come from BERTH_CERT_PATH, which the CLI
// inherits).
func tuiCLIFlags(c *config.Config, h tuiHost) []string {
	if h.Remote != nil {
		return []string{"--host", h.Remote.Host}
	}
	flags := []string{"--root", c.DataRoot, "--run-root", c.RunRoot}
	if c.File != "" {
		flags = append(flags, "--config", c.File)
	}
	return flags
}
