package ui

// grepFilter keeps the lines of a log that match and n lines of
// context around each, as grep -C n, with a separator line ("--")
// between groups that are not next to each other. It sees the lines in
// order, one stream's batches after another, so it can filter a whole
// log file as it is read and then the lines that follow. Without
// context it keeps the matching lines only, as plain grep, no "--".
type grepFilter struct {
	m       *logMatcher
	context int
	before  []logLine // the last lines not kept, up to context of them
	after   int       // lines still to keep after the last match
	gap     bool      // a line was let go since the last one kept
	kept    bool      // a line was kept
}

func newGrepFilter(m *logMatcher, context int) *grepFilter {
	return &grepFilter{m: m, context: context}
}

// feed filters lines, appending what it keeps to out.
func (g *grepFilter) feed(lines []logLine, out []logLine) []logLine {
	for _, l := range lines {
		switch {
		case g.m.match(l.plainText()):
			if g.gap && g.kept && g.context > 0 {
				out = append(out, logLine{sep: true, time: l.time})
			}
			out = append(out, g.before...)
			out = append(out, l)
			g.before, g.after, g.gap, g.kept = g.before[:0], g.context, false, true
		case g.after > 0:
			out = append(out, l)
			g.after--
		case g.context == 0:
			g.gap = true
		default:
			if len(g.before) == g.context {
				g.before = append(g.before[:0], g.before[1:]...)
				g.gap = true
			}
			g.before = append(g.before, l)
		}
	}
	return out
}
