package runopts

import (
	"fmt"

	"berth/config"
)

// DetachKeys is the detach sequence of an attach: the --detach-keys flag
// when given, else the settings' detach-keys, else "" (docker's
// ctrl-p,ctrl-q); either is checked by ValidateDetachKeys. The CLI's
// attach, run and start and the TUI's attach all take it from here.
func DetachKeys(flag string, cfg *config.Config) (string, error) {
	if flag != "" {
		return flag, ValidateDetachKeys(flag)
	}
	if cfg == nil || cfg.DetachKeys == "" {
		return "", nil
	}
	if err := ValidateDetachKeys(cfg.DetachKeys); err != nil {
		return "", fmt.Errorf("setting %q of %s: %w", "detach-keys", settingsFile(cfg), err)
	}
	return cfg.DetachKeys, nil
}

// settingsFile names where the settings came from.
func settingsFile(cfg *config.Config) string {
	if cfg.File == "" {
		return "berth's settings"
	}
	return cfg.File
}
