package compose

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
)

// LogPalette is Docker Compose's colours for its log prefixes, as ANSI
// SGR parameters, in the order it hands them out: cyan, yellow, green,
// magenta, blue, then the same five intense (bold).
var LogPalette = []string{"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"}

// LogColor is the colour of the i-th container (from 0) a project's logs
// show, Docker Compose's: the palette in turn, starting again after
// the tenth.
func LogColor(i int) string {
	return LogPalette[i%len(LogPalette)]
}

// Colorize is s in the ANSI colour code, reset after.
func Colorize(code, s string) string {
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// PrefixWidth is the width Docker Compose pads the names in its log
// prefixes to: the longest of names, plus one.
func PrefixWidth(names []string) int {
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	return width + 1
}

// LogPrefix is the prefix of a container's log lines, Docker Compose's:
// its name padded to width, then " | " ("web-1  | " for width 6).
func LogPrefix(name string, width int) string {
	return fmt.Sprintf("%-*s | ", width, name)
}

// ExpectedNames are the names within project p (as NameInProject gives
// them) of the containers services will have, in Containers' order:
// each service's scale, or scale's override for it. Attached up sizes
// its prefixes to them before the containers exist.
func ExpectedNames(p *types.Project, services []string, scale map[string]int) []string {
	var names []string
	for _, name := range slices.Sorted(slices.Values(services)) {
		s, ok := p.Services[name]
		if !ok {
			continue
		}
		n, ok := scale[name]
		if !ok {
			n = s.GetScale()
		}
		for i := range n {
			c := &engine.Container{Name: ContainerName(p.Name, s, i+1)}
			c.Config.Labels = map[string]string{LabelService: s.Name, LabelNumber: strconv.Itoa(i + 1)}
			names = append(names, NameInProject(p.Name, c))
		}
	}
	return names
}
