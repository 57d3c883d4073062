package volumes

import (
	"fmt"
	"slices"
	"strings"

	"berth/internal/lazyregexp"
)

// validName is Docker's rule for local volume names: it keeps a name one
// path component of the store, never "." or "..".
var validName = lazyregexp.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// CheckName rejects a volume name Docker's local driver rejects, with its
// message.
func CheckName(name string) error {
	if !validName().MatchString(name) {
		return fmt.Errorf("%w: %q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
			ErrInvalidName, name)
	}
	return nil
}

// validOptions are the local driver's -o keys, and which others each
// needs, as Docker's.
var validOptions = map[string][]string{
	"type":   {"device"},
	"device": {"type"},
	"o":      {"device", "type"},
}

// CheckOptions rejects -o options Docker's local driver rejects.
func CheckOptions(opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		needs, ok := validOptions[k]
		if !ok {
			return fmt.Errorf("%w: invalid option key: %q", ErrInvalidOpt, k)
		}
		for _, n := range needs {
			if _, ok := opts[n]; !ok {
				return fmt.Errorf("%w: missing required option: %q", ErrInvalidOpt, n)
			}
		}
	}
	return nil
}

// mountOf is the host mount a volume's options describe: the filesystem
// type, its source and mount(8) options; ok is false for a plain
// directory.
func mountOf(opts map[string]string) (fstype, device string, options []string, ok bool) {
	fstype, device = opts["type"], opts["device"]
	if fstype == "" && device == "" {
		return "", "", nil, false
	}
	if o := opts["o"]; o != "" {
		options = strings.Split(o, ",")
	}
	if slices.Contains(options, "bind") || slices.Contains(options, "rbind") {
		fstype = "bind"
	}
	return fstype, device, options, true
}
