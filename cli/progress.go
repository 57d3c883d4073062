package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	units "github.com/docker/go-units"

	"berth/images"
)

// progressPrinter prints the image store's progress reports as docker
// does: on a terminal one line per layer, redrawn in place with a bar; on
// anything else one line each time a layer's action changes. It is safe
// for the concurrent calls a pull makes.
type progressPrinter struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	order    []string          // layer IDs, in the order first seen
	action   map[string]string // last action per ID
}

func newProgressPrinter(w io.Writer, terminal bool) *progressPrinter {
	return &progressPrinter{w: w, terminal: terminal, action: map[string]string{}}
}

func (p *progressPrinter) update(pr images.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	idx := slices.Index(p.order, pr.ID)
	if !p.terminal {
		if idx >= 0 && p.action[pr.ID] == pr.Action {
			return
		}
		if idx < 0 {
			p.order = append(p.order, pr.ID)
		}
		p.action[pr.ID] = pr.Action
		fmt.Fprintf(p.w, "%s: %s\n", pr.ID, pr.Action)
		return
	}
	line := progressLine(pr)
	if idx < 0 {
		p.order = append(p.order, pr.ID)
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	up := len(p.order) - idx
	fmt.Fprintf(p.w, "\033[%dA\r\033[2K%s\r\033[%dB", up, line, up)
}

// progressLine is docker's "a3ed95caeb02: Downloading [==>   ]  1.2MB/4.3MB".
func progressLine(pr images.Progress) string {
	line := pr.ID + ": " + pr.Action
	if pr.Total <= 0 || pr.Current <= 0 || pr.Current >= pr.Total {
		return line
	}
	const width = 50
	bars := int(float64(width) * float64(pr.Current) / float64(pr.Total))
	bar := "[" + strings.Repeat("=", bars) + ">" + strings.Repeat(" ", width-bars-1) + "]"
	return fmt.Sprintf("%s %s %8v/%v", line, bar, units.HumanSize(float64(pr.Current)), units.HumanSize(float64(pr.Total)))
}
