package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"berth/images"
)

const imageLayersDefaultTable = "table {{.Layer}}\t{{.Change}}\t{{.Size}}\t{{.Path}}"

var imageLayersHeaders = map[string]string{
	"Layer": "LAYER", "Instruction": "INSTRUCTION", "Change": "CHANGE", "Kind": "KIND",
	"Size": "SIZE", "Bytes": "BYTES", "Path": "PATH",
}

// imageLayersCommand is `berth image layers`, which docker lacks: each
// layer's added (A), changed (C) and removed (D) paths, as dive lists
// them, then the image's size, the bytes its later layers waste and
// dive's efficiency score (only under the default table).
func (a *app) imageLayersCommand() *cobra.Command {
	var format string
	cmd := newCommand("layers [OPTIONS] IMAGE", "Show the files each layer of an image adds, changes and removes, and the space wasted", exactArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		out, err := parseFormat(format, imageLayersDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		an, err := store.LayerFiles(args[0])
		if err != nil {
			return err
		}
		var rows []any
		for i, l := range an.Layers {
			for _, e := range l.Entries {
				if e.Change != images.FileUnchanged {
					rows = append(rows, layerFileRow{layer: i + 1, instruction: l.Instruction, e: e})
				}
			}
		}
		if err := out.write(a.stdout, imageLayersHeaders, rows); err != nil {
			return err
		}
		if format == "" || format == "table" {
			_, err = fmt.Fprintf(a.stdout, "\nsize %s · wasted %s (potential %s) · efficiency %.1f%%\n",
				humanSize(an.Size), humanSize(an.Wasted), humanSize(an.PotentialWaste), an.Efficiency*100)
		}
		return err
	}
	cmd.Flags().StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Path}}…)")
	return cmd
}

// layerFileRow is one path a layer changes, as the placeholders of
// `berth image layers` see it.
type layerFileRow struct {
	layer       int
	instruction string
	e           images.LayerEntry
}

func (r layerFileRow) Layer() int          { return r.layer }
func (r layerFileRow) Instruction() string { return r.instruction }
func (r layerFileRow) Change() string      { return r.e.Change.Mark() }
func (r layerFileRow) Kind() string        { return string(r.e.Kind.Letter()) }
func (r layerFileRow) Size() string        { return humanSize(r.e.Size) }
func (r layerFileRow) Bytes() int64        { return r.e.Size }
func (r layerFileRow) Path() string        { return r.e.Path }

// MarshalJSON is {{json .}} and --format json.
func (r layerFileRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"Layer": strconv.Itoa(r.layer), "Instruction": r.instruction, "Change": r.Change(), "Kind": r.Kind(),
		"Size": r.Size(), "Bytes": strconv.FormatInt(r.e.Size, 10), "Path": r.e.Path,
	})
}
