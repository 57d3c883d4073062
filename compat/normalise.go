package compat

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Normaliser rewrites what one side printed for one case so that only
// what cannot be equal between two engines is hidden: IDs, generated
// names, times, durations, sizes, addresses and the side's own directories.
// IDs and names become numbered placeholders in the order they first
// appear, so output that shows the same container twice must still show
// it the same way twice. Use one Normaliser per side and case.
type Normaliser struct {
	// Literals maps a side's own strings (its data root, the case's
	// working directory) to the placeholder that stands for them on both
	// sides. Longer strings are replaced first.
	Literals map[string]string
	// Names are the generated container names (adjective_noun) the side
	// gave in this case; each becomes <nameN>.
	Names []string
	// Masks are the case's own patterns (a "mask:" line): each match
	// becomes <masked>.
	Masks []*regexp.Regexp

	ids   map[string]string // 12-hex prefix to <idN>
	names map[string]string // generated name to <nameN>
}

var (
	// RFC 3339 (events, inspect, logs -t) and Go's time.String
	// ("2026-12-06 22:49:50 +0000 UTC", ps {{.CreatedAt}}).
	timeRe = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}| [+-]\d{4}( [A-Z]{3,4})?)?( m=[+-][0-9.]+)?`)
	// Unix seconds and nanoseconds of this era (events' time, timeNano).
	unixTimeRe = regexp.MustCompile(`\b1[6-9]\d{8}(\d{9})?\b`)
	// go-units' HumanDuration: "Up 3 seconds", "Exited (0) About a minute ago".
	durationRe = regexp.MustCompile(`\b(Less than a second|About an? (minute|hour)|\d+ (second|minute|hour|day|week|month|year)s?)\b`)
	// go-units' HumanSize and BytesSize: "0B", "4.3MB", "12.5 kB", "1MiB".
	sizeRe = regexp.MustCompile(`\b\d+(\.\d+)?\s?([kKMGT]i?)?B\b`)
	macRe  = regexp.MustCompile(`\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b`)
	ipv4Re = regexp.MustCompile(`\b(\d{1,3}\.){3}\d{1,3}\b`)
	// Full (64) and short (12) hex IDs of containers, images, execs,
	// layers and digests.
	idRe = regexp.MustCompile(`\b([0-9a-f]{64}|[0-9a-f]{12})\b`)
	// Table padding depends on the width of what was normalised.
	padRe = regexp.MustCompile(` {2,}`)
)

// fixedAddrs are addresses that can and must be equal on both sides.
var fixedAddrs = map[string]bool{"127.0.0.1": true, "0.0.0.0": true}

// Normalise returns out with the rules above applied, line by line, and
// with trailing blanks of each line removed.
func (n *Normaliser) Normalise(out string) string {
	out = n.replaceLiterals(out)
	for _, m := range n.Masks {
		out = m.ReplaceAllString(out, "<masked>")
	}
	out = n.replaceNames(out)
	out = timeRe.ReplaceAllString(out, "<time>")
	out = idRe.ReplaceAllStringFunc(out, n.id)
	out = unixTimeRe.ReplaceAllString(out, "<unixtime>")
	out = durationRe.ReplaceAllString(out, "<duration>")
	out = sizeRe.ReplaceAllString(out, "<size>")
	out = macRe.ReplaceAllString(out, "<mac>")
	out = ipv4Re.ReplaceAllStringFunc(out, func(a string) string {
		if fixedAddrs[a] {
			return a
		}
		return "<ip>"
	})
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(padRe.ReplaceAllString(l, "  "), " \t\r")
	}
	return strings.Join(lines, "\n")
}

func (n *Normaliser) replaceLiterals(out string) string {
	keys := make([]string, 0, len(n.Literals))
	for k := range n.Literals {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		out = strings.ReplaceAll(out, k, n.Literals[k])
	}
	return out
}

func (n *Normaliser) replaceNames(out string) string {
	if len(n.Names) == 0 {
		return out
	}
	if n.names == nil {
		n.names = map[string]string{}
	}
	quoted := make([]string, len(n.Names))
	for i, name := range n.Names {
		quoted[i] = regexp.QuoteMeta(name)
	}
	re := regexp.MustCompile(`\b(` + strings.Join(quoted, "|") + `)\b`)
	return re.ReplaceAllStringFunc(out, func(s string) string {
		p, ok := n.names[s]
		if !ok {
			p = fmt.Sprintf("<name%d>", len(n.names)+1)
			n.names[s] = p
		}
		return p
	})
}

// id numbers an ID by its first 12 digits, so the short and the full form
// of one ID get the same placeholder.
func (n *Normaliser) id(s string) string {
	if n.ids == nil {
		n.ids = map[string]string{}
	}
	p, ok := n.ids[s[:12]]
	if !ok {
		p = fmt.Sprintf("<id%d>", len(n.ids)+1)
		n.ids[s[:12]] = p
	}
	return p
}
