package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/images"
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
		var tmpl *output
		if format != "" {
			var err error
			if tmpl, err = parseFormat(format, ""); err != nil {
				return usageError(cmd.CommandPath(), err)
			}
		}
		var objects []any
		failed := false
		for _, ref := range args {
			obj, err := a.inspectObject(cmd, ref, kind)
			if err != nil {
				fmt.Fprintf(a.stderr, "Error: %v\n", err)
				failed = true
				continue
			}
			objects = append(objects, obj)
		}
		var err error
		if tmpl != nil {
			err = writeInspectTemplate(a.stdout, tmpl, objects)
		} else {
			err = writeInspectJSON(a.stdout, objects)
		}
		if err != nil {
			return err
		}
		if failed {
			return errSomeFailed
		}
		return nil
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
		return nil, fmt.Errorf("no such object: %s", ref)
	}
	return newImageInspect(img), nil
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

// writeInspectTemplate runs the template over each object's JSON form, so
// that placeholders use docker's JSON names ({{.Id}}, {{.State.Pid}}).
func writeInspectTemplate(w io.Writer, tmpl *output, objects []any) error {
	rows := make([]any, 0, len(objects))
	for _, obj := range objects {
		generic, err := jsonValue(obj)
		if err != nil {
			return err
		}
		rows = append(rows, generic)
	}
	return tmpl.write(w, nil, rows)
}

// jsonValue converts v to maps, slices and json.Numbers through its JSON
// encoding; numbers stay exact ("12345", not "12345.0" or "1.2345e+04").
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, errors.Join(errors.New("decode inspect output"), err)
	}
	return generic, nil
}
