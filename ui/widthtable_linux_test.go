package ui

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/charmbracelet/x/ansi"
)

// envWidthChild makes the test binary the child of
// TestMeasuringWidthKeepsLittleResident.
const envWidthChild = "BERTH_UI_TEST_WIDTH_CHILD"

// TestMeasuringWidthKeepsLittleResident: the renderer measures each rune
// it draws as wcwidth does (go-runewidth); the first rune above U+02FF
// (the box drawing, the ellipsis and the sparklines of every screen)
// builds its lookup table, which made 2.1 MiB resident for good when it
// covered every code point (third_party/go-runewidth covers the BMP).
// Measured in a fresh process, where nothing built the table yet, as
// the growth of the mapping of the binary's zeroed variables (where the
// table is; under the race detector, RssAnon grows by its shadow too).
func TestMeasuringWidthKeepsLittleResident(t *testing.T) {
	const text = "│ NAME … ▁▂▃▅▇ ● ↑↓ ─"
	if os.Getenv(envWidthChild) == "1" {
		before := bssKiB(t)
		w := ansi.StringWidthWc(text)
		fmt.Printf("grew %d KiB measuring %d cells\n", bssKiB(t)-before, w)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMeasuringWidthKeepsLittleResident$")
	cmd.Env = append(os.Environ(), envWidthChild+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	var grew, cells int
	for line := range strings.Lines(string(out)) {
		if _, err := fmt.Sscanf(line, "grew %d KiB measuring %d cells", &grew, &cells); err == nil {
			break
		}
	}
	if cells != ansi.StringWidthWc(text) || cells == 0 {
		t.Fatalf("child measured %d cells (output %q)", cells, out)
	}
	const most = 512
	if grew > most {
		t.Errorf("measuring %q made %d KiB more resident, want at most %d", text, grew, most)
	}
}

// zeroed is one of the binary's zeroed variables (bss), which the kernel
// maps together, anonymous, after the data segment.
var zeroed [8]byte

// bssKiB is the resident KiB of the mapping that holds the binary's
// zeroed variables, from /proc/self/smaps.
func bssKiB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addr := uint64(uintptr(unsafe.Pointer(&zeroed)))
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = l <= addr && addr < h
				continue
			}
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok && in {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return 0
}
