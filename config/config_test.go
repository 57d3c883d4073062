package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    Config
		wantErr string // substring; "" means success
	}{
		{name: "empty input", input: "", want: Config{}},
		{name: "empty object", input: "{}", want: Config{}},
		{
			name: "every key",
			input: `{"data-root": "/srv/berth", "run-root": "/run/b", "storage-driver": "vfs",
				"log-opts": {"max-size": "10m", "max-file": "3"}, "cgroup-parent": "machine",
				"registry-mirrors": ["https://mirror.local"], "insecure-registries": ["registry.local:5000"],
				"max-concurrent-downloads": 4, "max-concurrent-uploads": 2, "default-network": "host"}`,
			want: Config{
				DataRoot: "/srv/berth", RunRoot: "/run/b", StorageDriver: "vfs",
				LogOpts:      LogOpts{MaxSize: "10m", MaxFile: "3"},
				CgroupParent: "machine", RegistryMirrors: []string{"https://mirror.local"},
				InsecureRegistries: []string{"registry.local:5000"}, MaxConcurrentDownloads: 4,
				MaxConcurrentUploads: 2, DefaultNetwork: "host",
			},
		},
		{name: "overlay2", input: `{"storage-driver": "overlay2"}`, want: Config{StorageDriver: "overlay2"}},
		{name: "unknown key", input: `{"live-restore": true}`, wantErr: `unknown key "live-restore"`},
		{name: "unknown log opt", input: `{"log-opts": {"compress": "true"}}`, wantErr: `unknown key "compress"`},
		{name: "bad driver", input: `{"storage-driver": "btrfs"}`, wantErr: `key "storage-driver": invalid value: "btrfs"`},
		{name: "relative data root", input: `{"data-root": "berth"}`, wantErr: `key "data-root": invalid value`},
		{name: "relative run root", input: `{"run-root": "run"}`, wantErr: `key "run-root"`},
		{name: "wrong type", input: `{"max-concurrent-downloads": "3"}`, wantErr: `key "max-concurrent-downloads": invalid value: want int, got string`},
		{name: "nested wrong type", input: `{"log-opts": {"max-file": 3}}`, wantErr: `key "log-opts.max-file"`},
		{name: "negative downloads", input: `{"max-concurrent-uploads": -1}`, wantErr: `key "max-concurrent-uploads": invalid value: -1 is negative`},
		{name: "bad max-size", input: `{"log-opts": {"max-size": "10q"}}`, wantErr: `key "log-opts": max-size "10q": invalid value`},
		{name: "zero max-size", input: `{"log-opts": {"max-size": "0"}}`, wantErr: `at least 1 byte`},
		{name: "bad max-file", input: `{"log-opts": {"max-size": "1m", "max-file": "x"}}`, wantErr: `max-file "x": invalid value`},
		{name: "max-file without max-size", input: `{"log-opts": {"max-file": "3"}}`, wantErr: `only be used together with max-size`},
		{name: "bridge network", input: `{"default-network": "bridge"}`, want: Config{DefaultNetwork: "bridge"}},
		{name: "user network", input: `{"default-network": "mynet"}`, want: Config{DefaultNetwork: "mynet"}},
		{name: "bad network name", input: `{"default-network": "container:web"}`, wantErr: `key "default-network": invalid value: "container:web" is not a network name`},
		{name: "bip", input: `{"bip": "10.203.0.1/24", "bridge": "berth1"}`, want: Config{Bip: "10.203.0.1/24", Bridge: "berth1"}},
		{name: "bip is a subnet", input: `{"bip": "10.203.0.0/24"}`, wantErr: `key "bip": invalid value`},
		{name: "bip not v4", input: `{"bip": "fd00::1/64"}`, wantErr: `key "bip"`},
		{name: "bip without length", input: `{"bip": "10.203.0.1"}`, wantErr: `key "bip"`},
		{name: "long bridge name", input: `{"bridge": "a-very-long-bridge-name"}`, wantErr: `key "bridge"`},
		{name: "address pool", input: `{"default-address-pools": [{"base": "10.204.0.0/14", "size": 24}]}`, want: Config{DefaultAddressPools: []AddressPool{{Base: "10.204.0.0/14", Size: 24}}}},
		{name: "address pool size", input: `{"default-address-pools": [{"base": "10.204.0.0/14", "size": 26}]}`, wantErr: `key "default-address-pools": invalid value: size 26`},
		{name: "address pool base", input: `{"default-address-pools": [{"base": "10.204.0.1/14", "size": 24}]}`, wantErr: `base "10.204.0.1/14"`},
		{name: "two address pools", input: `{"default-address-pools": [{"base": "10.204.0.0/14", "size": 24}, {"base": "10.208.0.0/14", "size": 24}]}`, wantErr: `one pool`},
		{name: "unknown pool key", input: `{"default-address-pools": [{"base": "10.204.0.0/14", "size": 24, "x": 1}]}`, wantErr: `unknown key "x"`},
		{name: "empty mirror", input: `{"registry-mirrors": [""]}`, wantErr: `key "registry-mirrors"`},
		{name: "cgroup parent escaping", input: `{"cgroup-parent": "../x"}`, wantErr: `key "cgroup-parent"`},
		{name: "not an object", input: `[]`, wantErr: `cannot unmarshal array`},
		{name: "syntax error", input: `{"data-root": }`, wantErr: `invalid character`},
		{name: "trailing data", input: `{} {}`, wantErr: `trailing data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%s) error = %v, want one containing %q", tt.input, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.input, err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse(%s) = %+v, want %+v", tt.input, *got, tt.want)
			}
		})
	}
}

func TestParseErrorsAreSentinels(t *testing.T) {
	_, err := Parse(strings.NewReader(`{"nope": 1}`))
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key error %v is not ErrUnknownKey", err)
	}
	_, err = Parse(strings.NewReader(`{"storage-driver": "zfs"}`))
	if !errors.Is(err, ErrInvalidValue) {
		t.Errorf("bad value error %v is not ErrInvalidValue", err)
	}
}

func TestResolvePrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.json")
	writeFile(t, file, `{"data-root": "/file/root", "run-root": "/file/run", "log-opts": {"max-size": "1m"}}`)
	envFile := filepath.Join(dir, "env.json")
	writeFile(t, envFile, `{"data-root": "/envfile/root"}`)
	missing := filepath.Join(dir, "missing.json")

	tests := []struct {
		name        string
		overrides   Overrides
		env         map[string]string
		wantRoot    string
		wantRunRoot string
		wantFile    string
		wantErr     string
	}{
		{name: "defaults when the default file is absent", overrides: Overrides{}, wantRoot: DefaultDataRoot, wantRunRoot: DefaultRunRoot},
		{name: "file over defaults", overrides: Overrides{ConfigFile: file}, wantRoot: "/file/root", wantRunRoot: "/file/run", wantFile: file},
		{name: "env over file", overrides: Overrides{ConfigFile: file}, env: map[string]string{EnvRoot: "/env/root", EnvRunRoot: "/env/run"}, wantRoot: "/env/root", wantRunRoot: "/env/run", wantFile: file},
		{name: "flag over env", overrides: Overrides{ConfigFile: file, DataRoot: "/flag/root", RunRoot: "/flag/run"}, env: map[string]string{EnvRoot: "/env/root", EnvRunRoot: "/env/run"}, wantRoot: "/flag/root", wantRunRoot: "/flag/run", wantFile: file},
		{name: "BERTH_CONFIG names the file", env: map[string]string{EnvConfig: envFile}, wantRoot: "/envfile/root", wantRunRoot: DefaultRunRoot, wantFile: envFile},
		{name: "--config over BERTH_CONFIG", overrides: Overrides{ConfigFile: file}, env: map[string]string{EnvConfig: envFile}, wantRoot: "/file/root", wantRunRoot: "/file/run", wantFile: file},
		{name: "missing --config file", overrides: Overrides{ConfigFile: missing}, wantErr: "no such file"},
		{name: "missing BERTH_CONFIG file", env: map[string]string{EnvConfig: missing}, wantErr: "no such file"},
		{name: "relative --root", overrides: Overrides{DataRoot: "rel"}, wantErr: `data root "rel": invalid value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			o := tt.overrides
			// The default file may exist on a developer's machine: tests that
			// want "no file" point at an absent default instead.
			got, err := resolveWithDefault(o, getenv, filepath.Join(dir, "absent-default.json"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got.DataRoot != tt.wantRoot || got.RunRoot != tt.wantRunRoot || got.File != tt.wantFile {
				t.Errorf("Resolve = root %q run %q file %q, want %q %q %q", got.DataRoot, got.RunRoot, got.File, tt.wantRoot, tt.wantRunRoot, tt.wantFile)
			}
			if got.DefaultNetwork != DefaultNetwork || got.MaxConcurrentDownloads != DefaultMaxConcurrentDownloads || got.MaxConcurrentUploads != DefaultMaxConcurrentUploads {
				t.Errorf("defaults not applied: %+v", got)
			}
		})
	}
}

func TestResolveLogDefaults(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file string
		want LogOpts
	}{
		{``, LogOpts{MaxSize: DefaultLogMaxSize, MaxFile: DefaultLogMaxFile}},
		{`{"log-opts": {"max-size": "1m"}}`, LogOpts{MaxSize: "1m", MaxFile: DefaultLogMaxFile}},
		{`{"log-opts": {"max-size": "1m", "max-file": "2"}}`, LogOpts{MaxSize: "1m", MaxFile: "2"}},
	}
	for i, tt := range tests {
		file := filepath.Join(dir, fmt.Sprintf("config%d.json", i))
		writeFile(t, file, tt.file)
		got, err := resolveWithDefault(Overrides{ConfigFile: file}, func(string) string { return "" }, file)
		if err != nil {
			t.Fatal(err)
		}
		if got.LogOpts != tt.want {
			t.Errorf("file %q: log opts %+v, want %+v", tt.file, got.LogOpts, tt.want)
		}
	}
}

func TestLoadMissingWrapsNotExist(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.json"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, file, `{"storage-driver": "aufs"}`)
	_, err := Load(file)
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "storage-driver") {
		t.Fatalf("Load error %v does not name file and key", err)
	}
}

func TestBridgeSettings(t *testing.T) {
	c := &Config{Bip: "10.203.0.1/24", DefaultAddressPools: []AddressPool{{Base: "10.204.0.0/14", Size: 24}}}
	if subnet, gw := c.BridgeSubnet(); subnet != "10.203.0.0/24" || gw != "10.203.0.1" {
		t.Errorf("BridgeSubnet = %q, %q", subnet, gw)
	}
	if p := c.SubnetPool(); p != "10.204.0.0/14" {
		t.Errorf("SubnetPool = %q", p)
	}
	if subnet, gw := (&Config{}).BridgeSubnet(); subnet != "" || gw != "" || (&Config{}).SubnetPool() != "" {
		t.Errorf("empty config: %q %q", subnet, gw)
	}
}

func TestLogOptsMap(t *testing.T) {
	if got := (LogOpts{}).Map(); len(got) != 0 {
		t.Errorf("empty LogOpts.Map() = %v", got)
	}
	want := map[string]string{"max-size": "1m", "max-file": "2"}
	if got := (LogOpts{MaxSize: "1m", MaxFile: "2"}).Map(); !reflect.DeepEqual(got, want) {
		t.Errorf("Map() = %v, want %v", got, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIsDefaultDataRoot(t *testing.T) {
	tests := map[string]bool{
		"/var/lib/berth":          true,
		"/var/lib/berth/":         true,
		"/var/lib/berth/../berth": true,
		"/var/lib/berth2":         false,
		"/srv/berth":              false,
	}
	for root, want := range tests {
		if got := (&Config{DataRoot: root}).IsDefaultDataRoot(); got != want {
			t.Errorf("IsDefaultDataRoot(%q) = %v", root, got)
		}
	}
}
