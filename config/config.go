// Package config reads berth's settings file, /etc/berth/config.json: the
// daemon.json of berth. It owns the file's keys, their validation and their
// defaults, and the precedence of the three places a setting can come from:
// a command-line flag, an environment variable (BERTH_ROOT, BERTH_RUN_ROOT,
// BERTH_CONFIG), the file, then the defaults below.
//
// Start with Resolve, which the CLI and the TUI call once at startup; Parse
// and Config.Validate are the pieces it is made of. This package and main are
// the only places that know /var/lib/berth and /run/berth.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"berth/internal/lazyregexp"
)

// Defaults, used when neither a flag, the environment nor the file says.
const (
	DefaultFile                   = "/etc/berth/config.json"
	DefaultDataRoot               = "/var/lib/berth"
	DefaultRunRoot                = "/run/berth"
	DefaultCgroupRoot             = "/sys/fs/cgroup" // where cgroupfs is mounted; not a file key
	DefaultNetwork                = "bridge"
	DefaultMaxConcurrentDownloads = 3
	DefaultMaxConcurrentUploads   = 5
	// A container's log rotates at 20 MB and keeps 5 files, as docker's
	// "local" log driver does, so that no log fills the disk by itself.
	DefaultLogMaxSize = "20m"
	DefaultLogMaxFile = "5"
)

// Environment variables that override the file.
const (
	EnvRoot    = "BERTH_ROOT"
	EnvRunRoot = "BERTH_RUN_ROOT"
	EnvConfig  = "BERTH_CONFIG"
)

// Storage drivers the storage-driver key accepts. Empty means overlay2 where
// the data root can host it and vfs elsewhere.
const (
	DriverOverlay2 = "overlay2"
	DriverVFS      = "vfs"
)

// Config is berth's effective settings. JSON keys are the file's keys.
type Config struct {
	DataRoot      string  `json:"data-root,omitempty"`
	RunRoot       string  `json:"run-root,omitempty"`
	StorageDriver string  `json:"storage-driver,omitempty"` // "", overlay2 or vfs
	LogOpts       LogOpts `json:"log-opts"`
	// CgroupParent is the cgroup every container's cgroup is made under;
	// empty lets the engine pick ("berth").
	CgroupParent           string   `json:"cgroup-parent,omitempty"`
	RegistryMirrors        []string `json:"registry-mirrors,omitempty"`
	InsecureRegistries     []string `json:"insecure-registries,omitempty"`
	MaxConcurrentDownloads int      `json:"max-concurrent-downloads,omitempty"`
	MaxConcurrentUploads   int      `json:"max-concurrent-uploads,omitempty"`
	// DefaultNetwork is the network of a container run without
	// --network: "bridge", "host", "none" or a user network's name.
	DefaultNetwork string `json:"default-network,omitempty"`
	// Bip is the default bridge's address and subnet, as docker's
	// ("10.203.0.1/24"); empty is 10.203.0.1/24 for the default data
	// root, and a free /24 the network package picks for any other.
	Bip string `json:"bip,omitempty"`
	// Bridge names the default bridge's Linux interface; empty is berth0
	// for the default data root, berth-<hash of its path> for any other.
	Bridge string `json:"bridge,omitempty"`
	// DefaultAddressPools is where `network create` without --subnet
	// takes /24 subnets from: one pool of size 24 so far.
	DefaultAddressPools []AddressPool `json:"default-address-pools,omitempty"`
	// Init runs berth's tiny init as PID 1 of every container run
	// without --init or --init=false (as docker's "init").
	Init bool `json:"init,omitempty"`
	// ContainersPerMonitor is how many containers one monitor process
	// (the shim) watches at most; 0 is the engine's default (64), 1
	// gives each container a monitor of its own, as conmon does.
	ContainersPerMonitor int `json:"containers-per-monitor,omitempty"`
	// DetachKeys is the sequence that detaches from a container, in
	// docker's --detach-keys syntax ("ctrl-x,x"), for attach, run and
	// start without --detach-keys and for the TUI's attach (as docker's
	// detachKeys in its client's config.json); empty is ctrl-p,ctrl-q.
	// ptyexec owns the syntax: runopts.DetachKeys checks it where it is
	// used.
	DetachKeys string `json:"detach-keys,omitempty"`

	// File is the settings file that was read, "" when there was none.
	File string `json:"-"`
}

// LogOpts are the default json-file log options, in docker's syntax:
// max-size "10m", max-file "3". Resolve fills what the file leaves empty
// with DefaultLogMaxSize and DefaultLogMaxFile; a container's --log-opt
// overrides them key by key.
type LogOpts struct {
	MaxSize string `json:"max-size,omitempty"`
	MaxFile string `json:"max-file,omitempty"`
}

// AddressPool is one entry of default-address-pools, as docker's.
type AddressPool struct {
	Base string `json:"base"` // "10.204.0.0/14"
	Size int    `json:"size"` // prefix length of each subnet: 24
}

// BridgeSubnet returns the default bridge's subnet and gateway from Bip
// ("10.203.0.1/24" → "10.203.0.0/24", "10.203.0.1"); empty when unset.
func (c *Config) BridgeSubnet() (subnet, gateway string) {
	p, err := netip.ParsePrefix(c.Bip)
	if err != nil {
		return "", ""
	}
	return p.Masked().String(), p.Addr().String()
}

// IsDefaultDataRoot says whether the data root is the host's default one,
// /var/lib/berth, which keeps the default bridge (berth0), subnet and
// nftables table (berth); every other root gets its own (see
// network.RootNames).
func (c *Config) IsDefaultDataRoot() bool { return filepath.Clean(c.DataRoot) == DefaultDataRoot }

// SubnetPool is the base of the first address pool, "" when unset.
func (c *Config) SubnetPool() string {
	if len(c.DefaultAddressPools) == 0 {
		return ""
	}
	return c.DefaultAddressPools[0].Base
}

// Map returns the options set, keyed as --log-opt keys them.
func (o LogOpts) Map() map[string]string {
	m := map[string]string{}
	if o.MaxSize != "" {
		m["max-size"] = o.MaxSize
	}
	if o.MaxFile != "" {
		m["max-file"] = o.MaxFile
	}
	return m
}

// CredentialsFile is where `berth login` keeps registry logins: under the
// data root, readable by root only.
func (c *Config) CredentialsFile() string { return filepath.Join(c.DataRoot, "credentials.json") }

// Overrides are the settings given on the command line; "" means not given.
type Overrides struct {
	ConfigFile string // --config
	DataRoot   string // --root
	RunRoot    string // --run-root
}

// Resolve computes the effective settings: flag over environment over file
// over defaults. getenv is os.Getenv in production. The file is
// o.ConfigFile, else $BERTH_CONFIG, else DefaultFile; only the default may be
// missing.
func Resolve(o Overrides, getenv func(string) string) (*Config, error) {
	return resolveWithDefault(o, getenv, DefaultFile)
}

// resolveWithDefault is Resolve with the default file's path passed in.
func resolveWithDefault(o Overrides, getenv func(string) string, defaultFile string) (*Config, error) {
	path, explicit := defaultFile, false
	if p := first(o.ConfigFile, getenv(EnvConfig)); p != "" {
		path, explicit = p, true
	}
	c, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		c, err = &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	c.DataRoot = first(o.DataRoot, getenv(EnvRoot), c.DataRoot, DefaultDataRoot)
	c.RunRoot = first(o.RunRoot, getenv(EnvRunRoot), c.RunRoot, DefaultRunRoot)
	c.DefaultNetwork = first(c.DefaultNetwork, DefaultNetwork)
	c.LogOpts.MaxSize = first(c.LogOpts.MaxSize, DefaultLogMaxSize)
	c.LogOpts.MaxFile = first(c.LogOpts.MaxFile, DefaultLogMaxFile)
	if c.MaxConcurrentDownloads == 0 {
		c.MaxConcurrentDownloads = DefaultMaxConcurrentDownloads
	}
	if c.MaxConcurrentUploads == 0 {
		c.MaxConcurrentUploads = DefaultMaxConcurrentUploads
	}
	for _, d := range []struct{ name, dir string }{{"data root", c.DataRoot}, {"run root", c.RunRoot}} {
		if !filepath.IsAbs(d.dir) {
			return nil, fmt.Errorf("%s %q: %w: must be an absolute path", d.name, d.dir, ErrInvalidValue)
		}
	}
	return c, nil
}

// Load reads and validates one settings file. A missing file is an error
// that wraps fs.ErrNotExist.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.File = path
	return c, nil
}

// Parse decodes and validates settings. An empty input is an empty Config.
func Parse(r io.Reader) (*Config, error) {
	var c Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil && err != io.EOF {
		return nil, decodeError(err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// decodeError names the key a decoding error is about.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Errorf("key %q: %w: want %s, got %s", typeErr.Field, ErrInvalidValue, typeErr.Type, typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("%w %s", ErrUnknownKey, name)
	}
	return err
}

// Validate checks every value; the error names the key.
func (c *Config) Validate() error {
	for _, d := range []struct{ key, dir string }{{"data-root", c.DataRoot}, {"run-root", c.RunRoot}} {
		if d.dir != "" && !filepath.IsAbs(d.dir) {
			return fmt.Errorf("key %q: %w: %q is not an absolute path", d.key, ErrInvalidValue, d.dir)
		}
	}
	switch c.StorageDriver {
	case "", DriverOverlay2, DriverVFS:
	default:
		return fmt.Errorf("key %q: %w: %q (use %s or %s)", "storage-driver", ErrInvalidValue, c.StorageDriver, DriverOverlay2, DriverVFS)
	}
	if err := ValidateLogOpts(c.LogOpts.Map()); err != nil {
		return fmt.Errorf("key %q: %w", "log-opts", err)
	}
	if c.CgroupParent != "" && strings.Contains(c.CgroupParent, "..") {
		return fmt.Errorf("key %q: %w: %q must not contain \"..\"", "cgroup-parent", ErrInvalidValue, c.CgroupParent)
	}
	for _, m := range []struct {
		key string
		n   int
	}{{"max-concurrent-downloads", c.MaxConcurrentDownloads}, {"max-concurrent-uploads", c.MaxConcurrentUploads}, {"containers-per-monitor", c.ContainersPerMonitor}} {
		if m.n < 0 {
			return fmt.Errorf("key %q: %w: %d is negative", m.key, ErrInvalidValue, m.n)
		}
	}
	for _, r := range []struct {
		key  string
		list []string
	}{{"registry-mirrors", c.RegistryMirrors}, {"insecure-registries", c.InsecureRegistries}} {
		for _, v := range r.list {
			if v == "" || strings.ContainsAny(v, " \t\n") {
				return fmt.Errorf("key %q: %w: %q", r.key, ErrInvalidValue, v)
			}
		}
	}
	if c.DefaultNetwork != "" && !validNetworkName().MatchString(c.DefaultNetwork) {
		return fmt.Errorf("key %q: %w: %q is not a network name", "default-network", ErrInvalidValue, c.DefaultNetwork)
	}
	if c.Bip != "" {
		p, err := netip.ParsePrefix(c.Bip)
		if err != nil || !p.Addr().Is4() || p.Bits() > 30 || p.Addr() == p.Masked().Addr() {
			return fmt.Errorf("key %q: %w: %q (want the bridge's IPv4 address and prefix length, e.g. 10.203.0.1/24)", "bip", ErrInvalidValue, c.Bip)
		}
	}
	if c.Bridge != "" && (len(c.Bridge) > 15 || strings.ContainsAny(c.Bridge, "/: \t\n")) {
		return fmt.Errorf("key %q: %w: %q is not a Linux interface name (at most 15 bytes)", "bridge", ErrInvalidValue, c.Bridge)
	}
	if len(c.DefaultAddressPools) > 1 {
		return fmt.Errorf("key %q: %w: berth takes one pool so far", "default-address-pools", ErrInvalidValue)
	}
	for _, pool := range c.DefaultAddressPools {
		p, err := netip.ParsePrefix(pool.Base)
		if err != nil || !p.Addr().Is4() || p.Bits() > 24 || p != p.Masked() {
			return fmt.Errorf("key %q: %w: base %q (want an IPv4 subnet of /24 or larger, e.g. 10.204.0.0/14)", "default-address-pools", ErrInvalidValue, pool.Base)
		}
		if pool.Size != 24 {
			return fmt.Errorf("key %q: %w: size %d (berth's pools hand out /24 subnets: use 24)", "default-address-pools", ErrInvalidValue, pool.Size)
		}
	}
	return nil
}

// validNetworkName is docker's rule for network names.
var validNetworkName = lazyregexp.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ValidateLogOpts checks json-file log options as docker does: only max-size
// (a size such as 10m, at least 1 byte) and max-file (a count of at least 1,
// above 1 only together with max-size).
func ValidateLogOpts(opts map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		v := opts[k]
		switch k {
		case "max-size":
			n, err := units.RAMInBytes(v)
			if err != nil {
				return fmt.Errorf("max-size %q: %w: %w", v, ErrInvalidValue, err)
			}
			if n <= 0 {
				return fmt.Errorf("max-size %q: %w: must be at least 1 byte", v, ErrInvalidValue)
			}
		case "max-file":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("max-file %q: %w: must be a whole number of at least 1", v, ErrInvalidValue)
			}
			if n > 1 && opts["max-size"] == "" {
				return fmt.Errorf("max-file %q: %w: max-file can only be used together with max-size", v, ErrInvalidValue)
			}
		default:
			return fmt.Errorf("%w %q: the json-file log driver takes max-size and max-file", ErrUnknownKey, k)
		}
	}
	return nil
}

// first returns the first non-empty value.
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
