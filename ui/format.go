package ui

import (
	"fmt"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"berth/engine"
	"berth/host"
)

// humanBytes is docker's size format: 1000-based units, three significant
// digits ("1.23MB", "512kB", "0B").
func humanBytes(n uint64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%dB", n)
	case f < 10:
		return fmt.Sprintf("%.2f%s", f, units[i])
	case f < 100:
		return fmt.Sprintf("%.1f%s", f, units[i])
	}
	return fmt.Sprintf("%.0f%s", f, units[i])
}

// humanIEC is docker stats' memory format, 1024-based, with at most
// three significant digits: "512KiB", "1.5MiB", "1.95GiB".
func humanIEC(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f >= 100 {
		return fmt.Sprintf("%.0f%s", f, units[i])
	}
	return fmt.Sprintf("%.3g%s", f, units[i])
}

// humanRate is bytes per second, "-" for nothing at all.
func humanRate(perSec float64) string {
	if perSec <= 0 {
		return "0B/s"
	}
	return humanBytes(uint64(perSec)) + "/s"
}

// compactBytes is a rate for a narrow column: at most four characters,
// 1000-based, no "B" after a multiple ("0", "512B", "1.2k", "34M").
func compactBytes(perSec float64) string {
	if perSec < 1 {
		return "0"
	}
	units := []string{"B", "k", "M", "G", "T"}
	f, i := perSec, 0
	for f >= 999.5 && i < len(units)-1 {
		f /= 1000
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0fB", f)
	case f < 9.95:
		return fmt.Sprintf("%.1f%s", f, units[i])
	}
	return fmt.Sprintf("%.0f%s", f, units[i])
}

// humanDuration is docker's HumanDuration: "Less than a second",
// "5 minutes", "About an hour", "3 days".
func humanDuration(d time.Duration) string { return units.HumanDuration(d) }

// statusText is the STATUS column: the list's rule (liststatus.go),
// docker ps's text where it reads right.
func statusText(c *engine.Container, now time.Time) string { return listStatusText(c, now) }

// portsText is the PORTS column: host's rule, as `berth ps` shows it
// (what a running container published).
func portsText(c *engine.Container) string { return host.PortsText(c) }

// shortID drops the digest algorithm and keeps 12 hex digits.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// commandText is the container's command as ps lists it (host's rule);
// one whose process was never made shows its entrypoint and command.
func commandText(c *engine.Container) string {
	if c.Path == "" {
		words := append(append([]string{}, c.Config.Entrypoint...), c.Config.Cmd...)
		if len(words) == 0 {
			return ""
		}
		return host.CommandLine(words[0], words[1:])
	}
	return host.CommandLine(c.Path, c.Args)
}

// sparkline draws values as block characters scaled to max (the largest
// value when max is 0), newest on the right, padded on the left to width.
func sparkline(values []float64, width int, top float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	blocks := []rune(bars)
	if len(values) > width {
		values = values[len(values)-width:]
	}
	if top <= 0 {
		for _, v := range values {
			top = max(top, v)
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(blocks)-1))
		}
		i = min(max(i, 0), len(blocks)-1)
		b.WriteRune(blocks[i])
	}
	return b.String()
}

// history keeps the last n samples of one series.
type history []float64

func (h history) push(v float64, n int) history {
	h = append(h, v)
	if len(h) > n {
		h = append(history(nil), h[len(h)-n:]...)
	}
	return h
}
