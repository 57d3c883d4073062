package cli

import (
	"bytes"
	"strings"
	"testing"
)

// countingWriter counts the writes made to it.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(b)
}

// A table (ps, images…) reaches its writer in one write, not one per
// cell as text/tabwriter writes it.
func TestTableIsOneWrite(t *testing.T) {
	out, err := parseFormat("", "table {{.A}}\t{{.B}}")
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]any, 200)
	for i := range rows {
		rows[i] = struct{ A, B string }{strings.Repeat("a", i%7), "b"}
	}
	var w countingWriter
	if err := out.write(&w, map[string]string{"A": "A", "B": "B"}, rows); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("a table of %d rows took %d writes", len(rows), w.writes)
	}
	if lines := strings.Count(w.String(), "\n"); lines != len(rows)+1 || !strings.HasPrefix(w.String(), "A         B\n") {
		t.Errorf("table: %d lines, starting %q", lines, w.String()[:20])
	}
}
