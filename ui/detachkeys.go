package ui

import (
	"fmt"
	"strings"

	"berth/ptyexec"
)

// detachKeys is the sequence that ends the program's attach and leaves
// the container running: berth's detach-keys setting (docker's
// --detach-keys syntax, as `berth attach` takes it), ctrl-p,ctrl-q by
// default. The program reads the keys itself (attach.go) and names them
// in the attach's hint and its pane's title.
type detachKeys struct {
	spec string // docker's syntax: "ctrl-p,ctrl-q"
	seq  []byte // what the terminal sends for it
}

// parseDetachKeys reads a detach sequence in docker's syntax (ptyexec's
// rule); "" is docker's default.
func parseDetachKeys(spec string) (detachKeys, error) {
	if spec == "" {
		spec = ptyexec.DefaultDetachKeys
	}
	seq, err := ptyexec.ParseDetachKeys(spec)
	if err != nil {
		return detachKeys{}, fmt.Errorf("detach keys: %w", err)
	}
	return detachKeys{spec: spec, seq: seq}, nil
}

// orDefault is d, or docker's default when d is the zero value.
func (d detachKeys) orDefault() detachKeys {
	if d.seq != nil {
		return d
	}
	def, _ := parseDetachKeys("") // the default always parses
	return def
}

// help is the keys as the program names them: "ctrl-p ctrl-q".
func (d detachKeys) help() string {
	return strings.ReplaceAll(d.orDefault().spec, ",", " ")
}

// WithDetachKeys sets the sequence that ends an attach (docker's
// --detach-keys syntax; "" is ctrl-p,ctrl-q). Give Options.DetachKeys
// the same, for the hints the program draws.
func WithDetachKeys(spec string) EngineOption {
	return func(b *EngineBackend) {
		if d, err := parseDetachKeys(spec); err == nil {
			b.detach = d
		}
	}
}
