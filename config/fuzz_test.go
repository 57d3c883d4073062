package config

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that every settings file Parse accepts is valid and
// survives a JSON round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		``, `{}`,
		`{"data-root": "/srv/berth", "run-root": "/run/b", "storage-driver": "vfs",
			"log-opts": {"max-size": "10m", "max-file": "3"}, "cgroup-parent": "machine",
			"registry-mirrors": ["https://mirror.local"], "insecure-registries": ["registry.local:5000"],
			"max-concurrent-downloads": 4, "max-concurrent-uploads": 2, "default-network": "host",
			"bip": "10.203.0.1/24", "bridge": "berth1", "default-address-pools": [{"base": "10.204.0.0/14", "size": 24}]}`,
		`{"log-opts": {"max-size": "1.5g"}}`, `{"log-opts": {"max-file": "2"}}`, `{"cgroup-parent": "../x"}`,
		`{"bip": "10.0.0.0/24"}`, `{"live-restore": true}`, `{"data-root": 1}`, `{} {}`, `[`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted a config Validate refuses: %v", data, err)
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, which written as %s does not parse: %v", data, c, out, err)
		}
		if utf8.Valid(data) && !reflect.DeepEqual(normalise(c), normalise(back)) {
			t.Fatalf("Parse(%q) = %+v, after a round trip %+v", data, c, back)
		}
	})
}

// normalise drops the difference between nil and empty lists, which JSON's
// omitempty does not keep.
func normalise(c *Config) Config {
	n := *c
	for _, l := range []*[]string{&n.RegistryMirrors, &n.InsecureRegistries} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(n.DefaultAddressPools) == 0 {
		n.DefaultAddressPools = nil
	}
	return n
}
