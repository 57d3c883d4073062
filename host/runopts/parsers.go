package runopts

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"berth/engine"
	"berth/ptyexec"
)

// This file holds docker's parsers for the values of run/create flags, each a
// pure function of its input so that table tests pin docker's behaviour.

// MemoryValue is a -m/--memory style flag: docker's RAMInBytes units (b, k,
// m, g, t, p; "KiB", "MB" and "1.5g" accepted). AllowUnlimited also takes
// "-1", as --memory-swap does.
type MemoryValue struct {
	Bytes          int64
	AllowUnlimited bool
}

func (m *MemoryValue) Set(s string) error {
	if m.AllowUnlimited && s == "-1" {
		m.Bytes = -1
		return nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil {
		return err
	}
	if n < 0 { // units overflows past 8 EiB; docker would store the wrapped value
		return fmt.Errorf("invalid size: '%s': too large", s)
	}
	m.Bytes = n
	return nil
}

func (m *MemoryValue) String() string {
	if m.Bytes == 0 {
		return ""
	}
	return strconv.FormatInt(m.Bytes, 10)
}

func (m *MemoryValue) Type() string { return "bytes" }

// NanoCPUsValue is --cpus: a decimal number of CPUs, stored as billionths.
type NanoCPUsValue struct{ Nano int64 }

func (c *NanoCPUsValue) Set(s string) error {
	n, err := parseNanoCPUs(s)
	if err != nil {
		return err
	}
	c.Nano = n
	return nil
}

func (c *NanoCPUsValue) String() string {
	if c.Nano == 0 {
		return ""
	}
	return new(big.Rat).SetFrac64(c.Nano, 1e9).FloatString(3)
}

func (c *NanoCPUsValue) Type() string { return "decimal" }

// parseNanoCPUs is docker's opts.NanoCPUs.Set.
func parseNanoCPUs(s string) (int64, error) {
	cpu, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("failed to parse %v as a rational number", s)
	}
	nano := cpu.Mul(cpu, big.NewRat(1e9, 1))
	if !nano.IsInt() {
		return 0, errors.New("value is too precise")
	}
	if nano.Sign() < 0 {
		return 0, fmt.Errorf("invalid value %s: the number of CPUs cannot be negative", s)
	}
	if !nano.Num().IsInt64() { // docker would store the wrapped value
		return 0, fmt.Errorf("invalid value %s: too many CPUs", s)
	}
	return nano.Num().Int64(), nil
}

// ParseRestartPolicy is docker's --restart: no, always, unless-stopped,
// on-failure[:max-retries].
func ParseRestartPolicy(s string) (engine.RestartPolicy, error) {
	if s == "" {
		return engine.RestartPolicy{Name: "no"}, nil
	}
	name, count, hasCount := strings.Cut(s, ":")
	if hasCount && name == "" {
		return engine.RestartPolicy{}, errors.New("invalid restart policy format: no policy provided before colon")
	}
	p := engine.RestartPolicy{Name: name}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil {
			return engine.RestartPolicy{}, errors.New("invalid restart policy format: maximum retry count must be an integer")
		}
		p.MaximumRetryCount = n
	}
	switch name {
	case "no", "always", "unless-stopped":
		if hasCount {
			return engine.RestartPolicy{}, fmt.Errorf("invalid restart policy %q: maximum retry count can only be used with 'on-failure'", s)
		}
	case "on-failure":
		if p.MaximumRetryCount < 0 {
			return engine.RestartPolicy{}, fmt.Errorf("invalid restart policy %q: maximum retry count cannot be negative", s)
		}
	default:
		return engine.RestartPolicy{}, fmt.Errorf("invalid restart policy %q: unknown policy %q; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", s, name)
	}
	return p, nil
}

// ParseEnv is docker's -e: KEY=VALUE as given; a bare KEY takes its value
// from berth's environment, and is left out when berth has none.
func ParseEnv(values []string, LookupEnv func(string) (string, bool)) ([]string, error) {
	var env []string
	for _, v := range values {
		key, _, hasValue := strings.Cut(v, "=")
		if key == "" {
			return nil, fmt.Errorf("invalid environment variable: %s", v)
		}
		if hasValue {
			env = append(env, v)
		} else if val, ok := LookupEnv(key); ok {
			env = append(env, key+"="+val)
		}
	}
	return env, nil
}

// parseKeyValueFile reads docker's --env-file and --label-file format: one
// KEY=VALUE per line, the value taken verbatim; blank lines and lines
// starting with # are skipped; leading white space is trimmed; a key with
// white space in it is an error. A bare KEY is looked up with lookup (nil
// drops it).
func parseKeyValueFile(name string, data []byte, lookup func(string) (string, bool)) ([]string, error) {
	var lines []string
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; scanner.Scan(); n++ {
		raw := scanner.Bytes()
		if !utf8.Valid(raw) {
			return nil, fmt.Errorf("%s contains invalid utf8 bytes at line %d", name, n)
		}
		if n == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
		}
		line := strings.TrimLeftFunc(string(raw), unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		if strings.ContainsAny(key, " \t\n\v\f\r") {
			return nil, fmt.Errorf("%s line %d: variable '%s' contains whitespaces", name, n, key)
		}
		if key == "" {
			return nil, fmt.Errorf("%s line %d: no variable name on line '%s'", name, n, line)
		}
		if hasValue {
			lines = append(lines, key+"="+value)
		} else if lookup != nil {
			if v, ok := lookup(key); ok {
				lines = append(lines, key+"="+v)
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return lines, nil
}

// ReadKeyValueFiles reads each file with parseKeyValueFile, in order.
func ReadKeyValueFiles(files []string, lookup func(string) (string, bool)) ([]string, error) {
	var all []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f, err)
		}
		lines, err := parseKeyValueFile(f, data, lookup)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	return all, nil
}

// ParseLabels turns "key=value" and bare "key" (empty value) into a map.
func ParseLabels(values []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, v := range values {
		key, value, _ := strings.Cut(v, "=")
		if key == "" {
			return nil, fmt.Errorf("invalid label %q: empty name", v)
		}
		labels[key] = value
	}
	return labels, nil
}

// parseLogOpts turns --log-opt key=value pairs into a map; config checks the
// keys and values.
func parseLogOpts(values []string) (map[string]string, error) {
	opts := map[string]string{}
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("invalid log opt %q: use key=value", v)
		}
		opts[key] = value
	}
	return opts, nil
}

// validateBindMode accepts -v's modes, comma-separated, at most one of
// each kind: ro or rw, a propagation, docker's SELinux z/Z and
// consistency (which mean nothing here), and nocopy for volumes.
func validateBindMode(mode string) error {
	seen := map[string]bool{}
	for _, opt := range strings.Split(mode, ",") {
		var kind string
		switch opt {
		case "ro", "rw":
			kind = "access"
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			kind = "propagation"
		case "z", "Z":
			kind = "label"
		case "nocopy":
			kind = "copy"
		case "consistent", "cached", "delegated":
			kind = "consistency"
		default:
			return fmt.Errorf("invalid mode: %s", mode)
		}
		if seen[kind] {
			return fmt.Errorf("invalid mode: %s", mode)
		}
		seen[kind] = true
	}
	return nil
}

// parseTmpfs is --tmpfs PATH[:OPTIONS] (mount(8) options such as
// rw,size=64m,mode=1777), added to m.
func parseTmpfs(m map[string]string, spec string) error {
	path, opts, _ := strings.Cut(spec, ":")
	if !filepath.IsAbs(path) {
		return fmt.Errorf("invalid tmpfs %q: the mount path must be absolute", spec)
	}
	if filepath.Clean(path) == "/" {
		return fmt.Errorf("invalid tmpfs %q: destination can't be '/'", spec)
	}
	m[filepath.Clean(path)] = opts
	return nil
}

// ParseSignal accepts a signal as docker does: a number, or a name with or
// without SIG, in any case ("HUP", "sighup", "SIGHUP", "1").
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, fmt.Errorf("invalid signal: %s", s)
	}
	return sig, nil
}

// capabilities are Linux capability names, as --cap-add and --cap-drop take
// them (with or without CAP_, any case; ALL means every one).
var capabilities = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// parseCapabilities normalises capability names to "CAP_NAME" (or "ALL").
func parseCapabilities(names []string) ([]string, error) {
	var caps []string
	for _, n := range names {
		upper := strings.ToUpper(strings.TrimSpace(n))
		if upper == "ALL" {
			caps = append(caps, "ALL")
			continue
		}
		short := strings.TrimPrefix(upper, "CAP_")
		if !slices.Contains(capabilities, short) {
			return nil, fmt.Errorf("unknown capability: %q", n)
		}
		caps = append(caps, "CAP_"+short)
	}
	return caps, nil
}

// parseSecurityOpts accepts no-new-privileges (also :true, =true, :false),
// returned in the engine's form ("no-new-privileges" when on), and
// seccomp=unconfined|builtin|PROFILE.json (also seccomp:…), passed on as
// given: the engine reads the profile.
func parseSecurityOpts(opts []string) ([]string, error) {
	var out []string
	for _, o := range opts {
		key, value, hasValue := strings.Cut(o, ":")
		if !hasValue {
			key, value, hasValue = strings.Cut(o, "=")
		}
		if k, v, ok := strings.Cut(o, "="); ok && k == "seccomp" {
			key, value, hasValue = k, v, ok
		}
		if key == "seccomp" {
			if value == "" {
				return nil, fmt.Errorf("invalid --security-opt %q: seccomp needs a value: unconfined, builtin or a profile file", o)
			}
			out = append(out, o)
			continue
		}
		if key != "no-new-privileges" {
			return nil, fmt.Errorf("invalid --security-opt %q: berth supports only no-new-privileges and seccomp so far", o)
		}
		on := true
		if hasValue {
			b, err := strconv.ParseBool(value)
			if err != nil {
				return nil, fmt.Errorf("invalid --security-opt %q: %q is not a boolean", o, value)
			}
			on = b
		}
		if on {
			out = append(out, "no-new-privileges")
		}
	}
	return out, nil
}

// ValidateDetachKeys checks docker's --detach-keys syntax; the rule is
// ptyexec's, which reads the keys when attaching.
func ValidateDetachKeys(s string) error {
	_, err := ptyexec.ParseDetachKeys(s)
	return err
}

// ValidateCPUSet checks a cpuset list such as "0-3,5".
func ValidateCPUSet(s string) error {
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return fmt.Errorf("invalid value %s for cpuset cpus", s)
		}
	}
	return nil
}
