package ui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

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
// Measured in a fresh process, where nothing built the table yet.
func TestMeasuringWidthKeepsLittleResident(t *testing.T) {
	const text = "│ NAME … ▁▂▃▅▇ ● ↑↓ ─"
	if os.Getenv(envWidthChild) == "1" {
		before := rssKiB(os.Getpid(), "RssAnon:")
		w := ansi.StringWidthWc(text)
		fmt.Printf("grew %d KiB measuring %d cells\n", rssKiB(os.Getpid(), "RssAnon:")-before, w)
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
