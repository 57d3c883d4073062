#!/usr/bin/env bash
# Regenerates screenshots/*.png, one per screen of the TUI.
#
#   1. TestScreenshots (ui/screenshots_linux_test.go) builds berth from this
#      checkout, starts three demo containers on temporary roots, drives the
#      TUI in a 100x30 tmux session and writes each screen as a colour
#      capture (tmux capture-pane -e) into a temporary directory.
#   2. A small Go filter rewrites each capture for freeze (see below).
#   3. freeze renders it to a PNG offline, the same size for every screen.
#
# Needs root, tmux and busybox-static (the test's own requirements) and, the
# first time, the Go module proxy to fetch freeze; freeze is built in a
# temporary directory and never enters go.mod. The test builds its own berth,
# so $BERTH (set by make) is not used. Run it through `make screenshots`.
set -euo pipefail

FREEZE=github.com/charmbracelet/freeze@v0.2.2
WAZERO=github.com/tetratelabs/wazero@v1.12.0
COLS=100 ROWS=30
FONT_SIZE=16 LINE_HEIGHT=1.2 PAD=20
FG='#d0d0d0' BG='#171717' # the terminal's default colours, a dark theme

cd "$(dirname "$0")/.."
out=screenshots

if [ "$(id -u)" != 0 ]; then
	echo "screenshots: run as root (the screens show real containers)" >&2
	exit 1
fi
for tool in tmux go; do
	if ! command -v "$tool" >/dev/null; then
		echo "screenshots: $tool missing" >&2
		exit 1
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/ansi" "$work/freeze" "$work/png" "$work/normalise" "$work/shrink"

# freeze v0.2.2 turns SVG into PNG with resvg compiled to WebAssembly, run
# by wazero v1.8.0, which dies in memmove (SIGSEGV) on current kernels and
# Go releases (charmbracelet/freeze#245). The same freeze built against
# wazero v1.12.0 works, so it is built from its module source with that one
# dependency raised, in the temporary directory.
echo "building $FREEZE (with $WAZERO)"
src=$(cd "$work" && GOFLAGS= go mod download -json "$FREEZE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$src" "$work/freeze-src"
chmod -R u+w "$work/freeze-src"
(cd "$work/freeze-src" && GOFLAGS= go get "$WAZERO" 2>/dev/null && GOFLAGS= go build -o "$work/bin/freeze" .)

# freeze's ANSI reader knows only part of SGR: it ignores the default-colour
# codes (39, 49) and reverse video (7, 27), so text after them keeps the
# previous colour; it starts a fresh style at every escape sequence, so a
# colour set by one sequence is lost by the next ("ESC[1m ESC[39m"); and it
# has no 40-47 backgrounds. The filter below tracks the full SGR state of
# each cell the way a terminal does and writes, before each run of text, one
# sequence that states it completely: reset, attributes, an explicit
# foreground (the default one spelled out, reverse video applied) and a
# background only where it is not the default. Any other escape sequence is
# dropped, and the capture is cut or padded to exactly ROWS lines.
cat >"$work/normalise/go.mod" <<'EOF'
module normalise

go 1.22
EOF
cat >"$work/normalise/main.go" <<'EOF'
// Command normalise rewrites a tmux capture-pane -e dump for freeze:
// normalise FG BG ROWS <capture >for-freeze.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// sgr is the graphic state of a cell; a colour is "" for the default or
// an SGR colour tail: "5;N" or "2;R;G;B".
type sgr struct {
	fg, bg                             string
	italic, underline, strike, reverse bool
}

// apply changes the state by one SGR parameter list.
func (s *sgr) apply(params string) {
	p := strings.Split(strings.ReplaceAll(params, ":", ";"), ";")
	num := func(i int) int {
		if i >= len(p) {
			return 0
		}
		n, _ := strconv.Atoi(p[i])
		return n
	}
	// extended reads a 38/48 colour at p[i]; it returns the colour and how
	// many parameters it used.
	extended := func(i int) (string, int) {
		switch num(i + 1) {
		case 5:
			return fmt.Sprintf("5;%d", num(i+2)), 3
		case 2:
			return fmt.Sprintf("2;%d;%d;%d", num(i+2), num(i+3), num(i+4)), 5
		}
		return "", len(p) - i
	}
	for i := 0; i < len(p); {
		n, used := num(i), 1
		switch {
		case n == 0:
			*s = sgr{}
		case n == 3:
			s.italic = true
		case n == 23:
			s.italic = false
		case n == 4:
			s.underline = true
		case n == 24:
			s.underline = false
		case n == 7:
			s.reverse = true
		case n == 27:
			s.reverse = false
		case n == 9:
			s.strike = true
		case n == 29:
			s.strike = false
		case n >= 30 && n <= 37:
			s.fg = fmt.Sprintf("5;%d", n-30)
		case n >= 90 && n <= 97:
			s.fg = fmt.Sprintf("5;%d", n-90+8)
		case n >= 40 && n <= 47:
			s.bg = fmt.Sprintf("5;%d", n-40)
		case n >= 100 && n <= 107:
			s.bg = fmt.Sprintf("5;%d", n-100+8)
		case n == 39:
			s.fg = ""
		case n == 49:
			s.bg = ""
		case n == 38:
			s.fg, used = extended(i)
		case n == 48:
			s.bg, used = extended(i)
		}
		i += used
	}
}

// sequence is one SGR sequence that sets the whole state from a reset.
func (s sgr) sequence(defaultFG, defaultBG string) string {
	fg, bg := s.fg, s.bg
	if s.reverse {
		fg, bg = bg, fg
		if fg == "" {
			fg = defaultBG
		}
		if bg == "" {
			bg = defaultFG
		}
	}
	if fg == "" {
		fg = defaultFG
	}
	var b strings.Builder
	b.WriteString("\x1b[0")
	if s.italic {
		b.WriteString(";3")
	}
	if s.underline {
		b.WriteString(";4")
	}
	if s.strike {
		b.WriteString(";9")
	}
	b.WriteString(";38;" + fg)
	if bg != "" {
		b.WriteString(";48;" + bg)
	}
	b.WriteString("m")
	return b.String()
}

// rgb turns #rrggbb into an SGR colour tail.
func rgb(hex string) string {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return fmt.Sprintf("2;%d;%d;%d", v>>16, v>>8&0xff, v&0xff)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: normalise FG BG ROWS <capture")
		os.Exit(2)
	}
	defaultFG, defaultBG := rgb(os.Args[1]), rgb(os.Args[2])
	rows, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "normalise: rows:", err)
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "normalise:", err)
		os.Exit(1)
	}
	lines := strings.Split(strings.TrimSuffix(string(in), "\n"), "\n")
	for len(lines) < rows {
		lines = append(lines, "")
	}
	w := bufio.NewWriter(os.Stdout)
	var state sgr // tmux carries the state from one line to the next
	for n, line := range lines[:rows] {
		stated := "" // freeze starts every line afresh
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == 0x1b {
				i = escape(line, i, &state)
				continue
			}
			if c < 0x20 || c == 0x7f {
				continue
			}
			if seq := state.sequence(defaultFG, defaultBG); seq != stated {
				w.WriteString(seq)
				stated = seq
			}
			w.WriteByte(c)
		}
		if n < rows-1 {
			w.WriteString("\n")
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "normalise:", err)
		os.Exit(1)
	}
}

// escape consumes the escape sequence at line[i], applying it to state if
// it is SGR, and returns the index of its last byte. Besides CSI it knows
// strings (OSC, DCS, …) ended by BEL or ESC \, and ESC, intermediates,
// final byte (charset designations and the like).
func escape(line string, i int, state *sgr) int {
	j := i + 1
	if j >= len(line) {
		return i
	}
	switch line[j] {
	case '[':
		end := j + 1
		for end < len(line) && (line[end] < 0x40 || line[end] > 0x7e) {
			end++
		}
		if end == len(line) {
			return end - 1
		}
		if line[end] == 'm' {
			state.apply(line[j+1 : end])
		}
		return end
	case ']', 'P', 'X', '^', '_':
		for k := j + 1; k < len(line); k++ {
			if line[k] == 0x07 {
				return k
			}
			if line[k] == 0x1b && k+1 < len(line) && line[k+1] == '\\' {
				return k + 1
			}
		}
		return len(line) - 1
	}
	for j < len(line)-1 && line[j] >= 0x20 && line[j] <= 0x2f {
		j++
	}
	return j
}
EOF
(cd "$work/normalise" && GOFLAGS= go build -o "$work/bin/normalise" .)

# freeze writes 32-bit RGBA PNGs of a few hundred KB; a screen has a few
# colours plus the anti-aliased edges between them, so an 8-bit palette of
# the 256 most used colours (every other pixel mapped to its nearest, no
# dithering) looks the same at a fraction of the size.
cat >"$work/shrink/go.mod" <<'EOF'
module shrink

go 1.22
EOF
cat >"$work/shrink/main.go" <<'EOF'
// Command shrink rewrites PNG files in place with an 8-bit palette:
// shrink FILE.png...
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"sort"
)

func main() {
	for _, name := range os.Args[1:] {
		if err := shrink(name); err != nil {
			fmt.Fprintf(os.Stderr, "shrink %s: %v\n", name, err)
			os.Exit(1)
		}
	}
}

func shrink(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	b := img.Bounds()
	counts := map[color.NRGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
		}
	}
	colours := make([]color.NRGBA, 0, len(counts))
	for c := range counts {
		colours = append(colours, c)
	}
	key := func(c color.NRGBA) uint32 {
		return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
	}
	sort.Slice(colours, func(i, j int) bool {
		if counts[colours[i]] != counts[colours[j]] {
			return counts[colours[i]] > counts[colours[j]]
		}
		return key(colours[i]) < key(colours[j])
	})
	palette := make(color.Palette, 0, 256)
	for _, c := range colours[:min(256, len(colours))] {
		palette = append(palette, c)
	}
	out := image.NewPaletted(b, palette)
	index := map[color.NRGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(palette.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}
EOF
(cd "$work/shrink" && GOFLAGS= go build -o "$work/bin/shrink" .)

# A pixel size that holds exactly COLS x ROWS cells: freeze lays cells out
# at font-size/1.68 wide and font-size*line-height high, below a 15 px
# title bar, inside the padding; plus half a line for the last descenders.
read -r WIDTH HEIGHT < <(awk -v c="$COLS" -v r="$ROWS" -v f="$FONT_SIZE" -v lh="$LINE_HEIGHT" -v pad="$PAD" 'BEGIN {
	printf "%d %d\n", c * f / 1.68 + 2 * pad + f, r * f * lh + 2 * pad + 15 + f / 2
}')
cat >"$work/freeze/config.json" <<EOF
{
  "window": true,
  "theme": "charm",
  "background": "$BG",
  "border": {"radius": 8, "width": 1, "color": "#515151"},
  "shadow": {"blur": 0, "x": 0, "y": 0},
  "padding": [$PAD, $PAD, $PAD, $PAD],
  "margin": [0, 0, 0, 0],
  "font": {"family": "JetBrains Mono", "size": $FONT_SIZE, "ligatures": false},
  "line_height": $LINE_HEIGHT,
  "width": $WIDTH,
  "height": $HEIGHT
}
EOF

echo "capturing every screen (go test ./ui -run TestScreenshots)"
BERTH_SCREENSHOTS="$work/ansi" go test -count=1 -timeout 5m -run '^TestScreenshots$' ./ui
shopt -s nullglob
captures=("$work"/ansi/*.ansi)
if [ ${#captures[@]} = 0 ]; then
	echo "screenshots: the test wrote no captures" >&2
	exit 1
fi

for capture in "${captures[@]}"; do
	name=$(basename "$capture" .ansi)
	"$work/bin/normalise" "$FG" "$BG" "$ROWS" <"$capture" >"$work/freeze/$name.ansi"
	"$work/bin/freeze" --config "$work/freeze/config.json" --language ansi \
		--output "$work/png/$name.png" "$work/freeze/$name.ansi" >/dev/null
done
"$work/bin/shrink" "$work"/png/*.png

mkdir -p "$out"
rm -f "$out"/*.png
install -m 0644 "$work"/png/*.png "$out"/
ls -l "$out"
