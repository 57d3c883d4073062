package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t testing.TB, version, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", version, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeyedValue(t *testing.T) {
	tests := []struct {
		version, file, key string
		want               uint64
		found              bool
	}{
		{"v1", "memory.stat", "total_inactive_file", 30007296, true},
		{"v1", "memory.stat", "inactive_file", 30007296, true},
		{"v1", "memory.stat", "hierarchical_memory_limit", 536870912, true},
		{"v1", "memory.stat", "total_unevictable", 0, true},
		{"v1", "memory.stat", "total", 0, false},
		{"v1", "memory.oom_control", "oom_kill", 2, true},
		{"v2", "memory.stat", "inactive_file", 31457280, true},
		{"v2", "memory.stat", "thp_collapse_alloc", 0, true},
		{"v2", "memory.stat", "nosuch", 0, false},
		{"v2", "cpu.stat", "usage_usec", 123456, true},
		{"v2", "memory.events", "oom_kill", 1, true},
		{"v2", "memory.events", "oom", 1, true},
		{"v2", "memory.events", "max", 12, true},
	}
	for _, tt := range tests {
		got, found := keyedValue(fixture(t, tt.version, tt.file), tt.key)
		if got != tt.want || found != tt.found {
			t.Errorf("%s/%s %s = %d, %v; want %d, %v", tt.version, tt.file, tt.key, got, found, tt.want, tt.found)
		}
	}
}

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"max\n", 0},
		{"9223372036854771712\n", 0},
		{"9223372036854710272\n", 0}, // 64 KiB pages
		{"67108864\n", 67108864},
		{"100", 100},
		{"", 0},
	}
	for _, tt := range tests {
		if got := parseLimit([]byte(tt.in)); got != tt.want {
			t.Errorf("parseLimit(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseBlkioV1(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		read, write uint64
	}{
		{"fixture, two devices", fixture(t, "v1", "blkio.throttle.io_service_bytes_recursive"), 4096 + 1000, 20971520 + 24},
		{"nothing accounted", []byte("Total 0\n"), 0, 0},
		{"empty", nil, 0, 0},
		{"no trailing newline", []byte("8:0 Read 5\n8:0 Write 7"), 5, 7},
	}
	for _, tt := range tests {
		r, w := parseBlkioV1(tt.in)
		if r != tt.read || w != tt.write {
			t.Errorf("%s: parseBlkioV1 = %d, %d; want %d, %d", tt.name, r, w, tt.read, tt.write)
		}
	}
}

func TestParseIOStatV2(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		read, write uint64
	}{
		{"fixture, two devices", fixture(t, "v2", "io.stat"), 1048576 + 4096, 2097152},
		{"empty", nil, 0, 0},
		{"no trailing newline", []byte("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6"), 1, 2},
	}
	for _, tt := range tests {
		r, w := parseIOStatV2(tt.in)
		if r != tt.read || w != tt.write {
			t.Errorf("%s: parseIOStatV2 = %d, %d; want %d, %d", tt.name, r, w, tt.read, tt.write)
		}
	}
}

func TestWorkingSet(t *testing.T) {
	tests := []struct{ usage, inactive, want uint64 }{
		{100, 30, 70}, {100, 100, 100}, {100, 200, 100}, {0, 0, 0},
	}
	for _, tt := range tests {
		if got := workingSet(tt.usage, tt.inactive); got != tt.want {
			t.Errorf("workingSet(%d, %d) = %d, want %d", tt.usage, tt.inactive, got, tt.want)
		}
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"146918903\n", 146918903, true}, {"  7", 7, true}, {"max", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseUint([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseUint(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParsePartitions(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"major minor  #blocks  name\n\n 254        0  268435456 vda\n", "254:0"},
		{"major minor  #blocks  name\n\n   8        0  500107608 sda\n   8        1     524288 sda1\n 253        0    8388608 zram0\n", "8:0 8:1 253:0"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(parsePartitions([]byte(tt.in)), " "); got != tt.want {
			t.Errorf("parsePartitions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
