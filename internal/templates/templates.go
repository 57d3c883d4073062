// Package templates is docker's --format language in one place: Go
// templates with docker's functions (json, join, split, title, upper,
// lower, pad, truncate, and text/template's own println, printf, eq…),
// the header functions a "table" format renders its title row with, and
// the inspect rule of running a template on a typed value first and on the
// value's JSON second.
//
// Templates run on typed values (Go structs with docker's field names), so
// comparisons and printf see numbers and lists as they are; a field that
// does not exist is an error, never "<no value>". The CLI (cli/format.go)
// adds docker's "table" and "json" directives on top; the TUI can use the
// same functions.
package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// funcs are the functions docker offers in every --format template.
var funcs = template.FuncMap{
	"json":     JSON,
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    title,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      pad,
	"truncate": truncate,
}

// headerFuncs replace funcs when a table's title row is rendered: the
// title stays as written whatever the column's functions would do to a
// value (as docker's; pad is kept, so that titles align with the values).
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v, _ string) string { return v },
	"join":     func(v, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// Parse parses format with docker's functions. The template is named ""
// as docker's, so that errors read as docker's do
// (`template: :1:2: executing "" at <.Foo>: …`).
func Parse(format string) (*template.Template, error) {
	return template.New("").Funcs(funcs).Parse(format)
}

// Header returns a copy of tmpl that renders a table's title row: with
// the header functions, over a map of placeholder name to column title.
func Header(tmpl *template.Template) (*template.Template, error) {
	h, err := tmpl.Clone()
	if err != nil {
		return nil, err
	}
	return h.Funcs(headerFuncs), nil
}

// JSON is the json function: v encoded on one line, HTML characters
// ("<none>") left as they are.
func JSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// title upper-cases the first letter of every word, as strings.Title does
// (which docker uses): a word starts after anything but a letter, a digit
// or an underscore.
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prev := ' '
	for _, r := range s {
		if !isWordRune(prev) {
			r = unicode.ToTitle(r)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// pad surrounds a non-empty s with before and after spaces; an empty s
// stays empty, so that a missing value takes no room.
func pad(s string, before, after int) (string, error) {
	if before < 0 || after < 0 {
		return "", fmt.Errorf("pad %q: negative padding %d, %d", s, before, after)
	}
	if s == "" {
		return s, nil
	}
	return strings.Repeat(" ", before) + s + strings.Repeat(" ", after), nil
}

// truncate keeps the first n characters of s. Docker counts bytes; berth
// counts characters, so that a name is never cut inside a UTF-8 sequence
// (the same for ASCII).
func truncate(s string, n int) (string, error) {
	if n < 0 {
		return "", fmt.Errorf("truncate %q: negative length %d", s, n)
	}
	if utf8.RuneCountInString(s) <= n {
		return s, nil
	}
	return string([]rune(s)[:n]), nil
}

// ExecuteInspect renders tmpl over typed, as `docker inspect -f` does: if
// the typed value lacks a field the template names, it runs again over
// raw, the value's JSON (so {{.Id}} and other JSON-only names work), where
// a missing key is an error. When both fail, the error is the JSON run's,
// as docker reports it (`map has no entry for key "Foo"`).
func ExecuteInspect(tmpl *template.Template, typed any, raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := tmpl.Execute(&buf, typed)
	if err == nil {
		return buf.Bytes(), nil
	}
	if raw == nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if derr := dec.Decode(&generic); derr != nil {
		return nil, fmt.Errorf("unable to read inspect data: %w", derr)
	}
	buf.Reset()
	strict, cerr := tmpl.Clone()
	if cerr != nil {
		return nil, cerr
	}
	if rerr := strict.Option("missingkey=error").Execute(&buf, generic); rerr != nil {
		return nil, rerr
	}
	return buf.Bytes(), nil
}
