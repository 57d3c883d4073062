package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"berth/internal/atomicfile"
	"berth/internal/lazyregexp"
)

// defaultContext is the name of this machine's own engine, as docker's
// "default" context is its DOCKER_HOST.
const defaultContext = "default"

// contextStore is the named hosts of `berth context`: one JSON file,
// contexts.json in the user's configuration directory, replaced whole
// (atomicfile) on every change.
type contextStore struct {
	path string
}

// contextFile is contexts.json.
type contextFile struct {
	// Current is the context used when neither -H, BERTH_HOST, --context
	// nor BERTH_CONTEXT names one; "" is the default.
	Current  string                 `json:"current,omitempty"`
	Contexts map[string]hostContext `json:"contexts"`
}

// hostContext is one named host.
type hostContext struct {
	Description string `json:"description,omitempty"`
	// Host is ssh://[user@]host[:port][/socket], unix://PATH or
	// tcp://ADDR:PORT (with CA, Cert and Key).
	Host string `json:"host"`
	CA   string `json:"ca,omitempty"`
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
}

// contextName is docker's rule for context names.
var contextName = lazyregexp.New(`^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$`)

// userConfigDir is berth's directory in the user's configuration
// directory ($XDG_CONFIG_HOME/berth, else ~/.config/berth), where
// keys.json is looked for too.
func userConfigDir(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("no configuration directory: set HOME or XDG_CONFIG_HOME")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "berth"), nil
}

func openContextStore(getenv func(string) string) (contextStore, error) {
	dir, err := userConfigDir(getenv)
	if err != nil {
		return contextStore{}, err
	}
	return contextStore{path: filepath.Join(dir, "contexts.json")}, nil
}

// load reads the store; a missing file is an empty store.
func (s contextStore) load() (contextFile, error) {
	f := contextFile{Contexts: map[string]hostContext{}}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read contexts: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("read contexts %s: %w", s.path, err)
	}
	if f.Contexts == nil {
		f.Contexts = map[string]hostContext{}
	}
	return f, nil
}

// save replaces the store; the file is the user's only (it may name
// certificate keys).
func (s contextStore) save(f contextFile) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("write contexts: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("write contexts: %w", err)
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write contexts %s: %w", s.path, err)
	}
	return nil
}

// lookup is the context called name; the default context has no record.
func (f contextFile) lookup(name string) (hostContext, error) {
	c, ok := f.Contexts[name]
	if !ok {
		return hostContext{}, fmt.Errorf("context %q does not exist", name)
	}
	return c, nil
}

// names are the stored contexts' names, sorted.
func (f contextFile) names() []string {
	names := make([]string, 0, len(f.Contexts))
	for n := range f.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
