package exepages

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// smapsOf is a /proc/PID/smaps text: mappings (header lines) each with
// the Anonymous field given.
func smapsOf(mappings ...[2]string) []byte {
	var b strings.Builder
	for _, m := range mappings {
		b.WriteString(m[0] + "\nSize:                 12 kB\nRss:                  12 kB\nAnonymous:            " + m[1] + " kB\nVmFlags: rd mr mw me\n")
	}
	return []byte(b.String())
}

func TestFileOnlyRanges(t *testing.T) {
	const exe = " fe:00 9995085                            /usr/local/bin/berth"
	tests := []struct {
		name  string
		smaps []byte
		want  []addrRange
	}{
		{"code and read-only data", smapsOf(
			[2]string{"00400000-00403000 r--p 00000000" + exe, "0"},
			[2]string{"00403000-011d5000 r-xp 00003000" + exe, "0"},
		), []addrRange{{0x400000, 0x403000}, {0x403000, 0x11d5000}}},
		{"relocated then made read-only (RELRO)", smapsOf(
			[2]string{"021ce000-021cf000 r--p 01dcd000" + exe, "4"},
		), nil},
		{"writable data", smapsOf(
			[2]string{"021cf000-022d1000 rw-p 01dce000" + exe, "0"},
		), nil},
		{"shared mapping", smapsOf(
			[2]string{"7f0000000000-7f0000001000 r--s 00000000" + exe, "0"},
		), nil},
		{"another file", smapsOf(
			[2]string{"7fc65c265000-7fc65c3bb000 r-xp 00026000 fe:00 326269 /usr/lib/x86_64-linux-gnu/libc.so.6", "0"},
			[2]string{"00403000-011d5000 r-xp 00003000 fe:01 9995085 /other/disk/berth", "0"},
		), nil},
		{"anonymous memory", smapsOf(
			[2]string{"183a8f800000-183a90800000 rw-p 00000000 00:00 0 ", "9884"},
		), nil},
		{"no fields (truncated)", []byte("00400000-00403000 r--p 00000000" + exe + "\n"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fileOnlyRanges(tt.smaps, 0xfe, 0, 9995085)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestTrim trims the test binary's own pages: the mappings it finds are
// its code and read-only data, their resident pages go down, and the
// process runs on (this test goes on running code of the binary).
func TestTrim(t *testing.T) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &st); err != nil {
		t.Fatal(err)
	}
	before := readSmaps(t)
	ranges := fileOnlyRanges(before, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	if len(ranges) == 0 {
		t.Fatal("no read-only mapping of the test binary found in /proc/self/smaps")
	}
	if err := Trim(); err != nil {
		t.Fatal(err)
	}
	after := readSmaps(t)
	rssBefore, rssAfter := rssOf(t, before, ranges), rssOf(t, after, ranges)
	t.Logf("the binary's read-only pages resident: %d kB before, %d kB after", rssBefore, rssAfter)
	if rssAfter >= rssBefore {
		t.Errorf("trim left %d kB of the binary's read-only pages resident, %d kB before", rssAfter, rssBefore)
	}
}

func readSmaps(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rssOf sums the Rss fields of the mappings starting at ranges' starts.
func rssOf(t *testing.T, smaps []byte, ranges []addrRange) int {
	t.Helper()
	starts := map[string]bool{}
	for _, r := range ranges {
		starts[strconv.FormatUint(uint64(r.start), 16)] = true
	}
	total, in := 0, false
	for line := range strings.Lines(string(smaps)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if !strings.HasSuffix(f[0], ":") {
			lo, _, _ := strings.Cut(f[0], "-")
			in = starts[strings.TrimLeft(lo, "0")]
			continue
		}
		if in && f[0] == "Rss:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("Rss field %q: %v", line, err)
			}
			total += n
		}
	}
	return total
}
