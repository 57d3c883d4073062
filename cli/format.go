package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
	"unicode/utf8"

	units "github.com/docker/go-units"

	"berth/internal/templates"
)

// This file is docker's --format machinery: "table" (the default columns),
// "table TEMPLATE" (columns with a header row), "json" (one JSON object per
// line), or any Go template over a row's placeholders ({{.ID}}, {{.Names}}…)
// with docker's template functions (package internal/templates).

// marshalRow is a row's JSON, as docker prints it: keys sorted, "<none>"
// not escaped.
func marshalRow(fields map[string]string) ([]byte, error) { return marshalJSON(fields) }

// marshalJSON is json.Marshal without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// output is a parsed --format.
type output struct {
	tmpl  *template.Template
	table bool // tab-aligned columns with a header row
}

// parseFormat parses a --format value; "" and "table" mean defaultTable
// (a "table …" format), "json" means {{json .}}. A template that does not
// parse ends berth with exit code 1, as docker's list commands
// (formatError: inspect, version and events use 64).
func parseFormat(format, defaultTable string) (*output, error) {
	switch strings.TrimSpace(format) {
	case "", "table":
		format = defaultTable
	case "json":
		format = "{{json .}}"
	}
	o := &output{}
	if rest, ok := strings.CutPrefix(format, "table"); ok {
		o.table, format = true, strings.Trim(rest, " ")
	}
	format = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format)
	tmpl, err := templates.Parse(format)
	if err != nil {
		return nil, formatError(exitFailure, err)
	}
	o.tmpl = tmpl
	return o, nil
}

// formatError is a --format template that does not parse, ending berth
// with code.
func formatError(code int, err error) error {
	return &statusError{err: fmt.Errorf("template parsing error: %w", err), code: code}
}

// write renders rows, each followed by a newline. A table gets a header row
// rendered from headers (placeholder name → column title) and columns
// aligned as docker aligns them. Nothing is written when a row fails (an
// unknown field, a function's error): docker's output is all or nothing.
func (o *output) write(w io.Writer, headers map[string]string, rows []any) error {
	var body bytes.Buffer
	if o.table {
		if head, err := templates.Header(o.tmpl); err == nil {
			var line bytes.Buffer
			if err := head.Execute(&line, headers); err == nil {
				body.Write(line.Bytes())
				body.WriteByte('\n')
			}
		}
	}
	for _, row := range rows {
		if err := o.tmpl.Execute(&body, row); err != nil {
			return err
		}
		body.WriteByte('\n')
	}
	if !o.table {
		_, err := w.Write(body.Bytes())
		return err
	}
	// tabwriter writes each cell on its own: gather the table, then write
	// it at once (a ps of 500 containers made 7,000 writes).
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 10, 1, 3, ' ', 0)
	if _, err := tw.Write(body.Bytes()); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(table.Bytes())
	return err
}

// humanSize is docker's size column: decimal units, 3 significant digits
// ("4.26MB", "0B").
func humanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// bytesSize is docker's memory column: binary units ("1.5GiB", "512KiB").
func bytesSize(n uint64) string { return units.BytesSize(float64(n)) }

// ago is docker's "5 minutes ago".
func ago(now, t time.Time) string { return units.HumanDuration(now.Sub(t)) + " ago" }

// truncateID is the 12-character form of an ID, without "sha256:".
func truncateID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ellipsis shortens s to at most n characters, the last one "…", as
// docker's COMMAND column.
func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return truncateRunes(s, n-1) + "…"
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
