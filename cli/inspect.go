package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/images"
	"berth/internal/templates"
)

// inspectCommand is `berth inspect`; with a fixed kind ("container" or
// "image") it is `berth container inspect` or `berth image inspect`.
func (a *app) inspectCommand(fixedKind string) *cobra.Command {
	var format string
	kind := fixedKind
	var size bool
	cmd := newCommand("inspect [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on containers and images", minArgs(1), nil)
	cmd.Long = "Return low-level information on containers and images, as a JSON array in\n" +
		"docker's shape, or through a Go template (-f '{{.State.Status}}')."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		switch kind {
		case "", "container", "image", "volume":
		default:
			return usageError(cmd.CommandPath(), fmt.Errorf("%q is not a valid value for --type", kind))
		}
		return a.writeInspect(format, args, func(ref string) (any, error) { return a.inspectObject(cmd, ref, kind) })
	}
	flags := cmd.Flags()
	flags.StringVarP(&format, "format", "f", "", "format output using a Go template ({{.Id}}, {{.State.Status}}, {{json .Config}}…)")
	if fixedKind == "" {
		flags.StringVar(&kind, "type", "", "only inspect objects of the given type: container, image or volume")
	}
	flags.BoolVarP(&size, "size", "s", false, "accepted for docker compatibility")
	return cmd
}

// inspectObject finds ref as a container, then (unless --type container)
// as an image, then as a volume.
func (a *app) inspectObject(cmd *cobra.Command, ref, kind string) (any, error) {
	if kind == "volume" {
		return a.inspectVolume(cmd, ref)
	}
	if kind != "image" {
		eng, err := a.engine()
		if err != nil {
			return nil, err
		}
		c, err := eng.Inspect(cmd.Context(), ref)
		if err == nil {
			return c, nil
		}
		if kind == "container" || !errors.Is(err, engine.ErrNotFound) {
			return nil, err
		}
	}
	store, err := a.images()
	if err != nil {
		return nil, err
	}
	img, err := store.Lookup(ref)
	if err != nil {
		if kind == "image" || errors.Is(err, images.ErrDamaged) {
			return nil, err
		}
		if v, err := a.inspectVolume(cmd, ref); err == nil {
			return v, nil
		}
		return nil, noSuchObjectError(ref)
	}
	return newImageInspect(img), nil
}

// writeInspect prints what find returns for each ref as docker's inspect
// commands do: a JSON array, or a line per object through -f's template;
// the refs not found are told on stderr after the output, and fail the
// command.
func (a *app) writeInspect(format string, refs []string, find func(ref string) (any, error)) error {
	var tmpl *template.Template
	if format != "" {
		var err error
		if tmpl, err = parseInspectFormat(format); err != nil {
			return err
		}
	}
	var objects []any
	var missing []error
	for _, ref := range refs {
		obj, err := find(ref)
		if err != nil {
			missing = append(missing, err)
			continue
		}
		objects = append(objects, obj)
	}
	failed := len(missing) > 0
	if tmpl != nil {
		if !writeInspectTemplate(a.stdout, a.stderr, tmpl, objects) {
			failed = true
		}
	} else if err := writeInspectJSON(a.stdout, objects); err != nil {
		return err
	}
	for _, err := range missing {
		fmt.Fprintf(a.stderr, "Error: %v\n", err)
	}
	if failed {
		return errSomeFailed
	}
	return nil
}

// writeInspectJSON prints objects as docker does: a JSON array indented
// with four spaces, "[]" when empty.
func writeInspectJSON(w io.Writer, objects []any) error {
	if len(objects) == 0 {
		_, err := fmt.Fprintln(w, "[]")
		return err
	}
	data, err := json.MarshalIndent(objects, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// parseInspectFormat parses inspect's -f as docker does: "json" is
// {{json .}}; a template that does not parse exits 64.
func parseInspectFormat(format string) (*template.Template, error) {
	if strings.TrimSpace(format) == "json" {
		format = "{{json .}}"
	}
	tmpl, err := templates.Parse(format)
	if err != nil {
		return nil, formatError(exitUsage, err)
	}
	return tmpl, nil
}

// writeInspectTemplate renders the template over each object's typed value
// (inspect_view.go), or its JSON for names only JSON has ({{.Id}}), one
// line each, as `docker inspect -f`. As docker's, the lines are written
// together once all are rendered, a lone newline when none rendered (no
// object, or the template failed on each), and the failures after them on
// stderr; it returns whether all rendered.
func writeInspectTemplate(stdout, stderr io.Writer, tmpl *template.Template, objects []any) bool {
	var lines bytes.Buffer
	var failures []error
	for _, obj := range objects {
		raw, err := json.Marshal(obj)
		if err == nil {
			var out []byte
			if out, err = templates.ExecuteInspect(tmpl, inspectView(obj), raw); err == nil {
				lines.Write(out)
				lines.WriteByte('\n')
			}
		}
		if err != nil {
			failures = append(failures, err)
		}
	}
	if lines.Len() == 0 {
		lines.WriteByte('\n')
	}
	written := true
	if _, err := stdout.Write(lines.Bytes()); err != nil {
		fmt.Fprintf(stderr, "write the inspect output: %v\n", err)
		written = false
	}
	for _, err := range failures {
		fmt.Fprintf(stderr, "template parsing error: %v\n", err)
	}
	return written && len(failures) == 0
}

// noSuchObjectError is a name inspect found as nothing, in docker's words
// (capital included).
type noSuchObjectError string

func (e noSuchObjectError) Error() string { return "No such object: " + string(e) }
