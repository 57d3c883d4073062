package cli

import (
	"fmt"
	"io"

	"berth/engine"
)

// templateUsesSize says whether a ps --format asks for .Size, directly or
// through {{json .}} (--format json): docker's ps then measures sizes as
// -s would. As docker's, it runs the template once over an empty row that
// records what is asked for, so a .Size the template would not reach
// ({{if false}}{{.Size}}{{end}}) costs nothing; a template that fails
// there fails the command.
func templateUsesSize(out *output) (bool, error) {
	asked := false
	row := psRow{c: &engine.Container{}, sizeAsked: &asked}
	if err := out.tmpl.Execute(io.Discard, row); err != nil {
		return false, fmt.Errorf("failed to execute template: %w", err)
	}
	return asked, nil
}
