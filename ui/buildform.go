package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/images"
)

// buildField names the fields of the build form, in order.
type buildField int

const (
	buildFieldContext buildField = iota
	buildFieldDockerfile
	buildFieldTag
	buildFieldCount
)

var buildFieldLabels = [buildFieldCount]string{"Context", "Dockerfile", "Tag"}

var buildFieldHints = [buildFieldCount]string{
	"directory sent to the build (. is where berth runs)",
	"empty: Dockerfile in the context; relative: in the context",
	"app:1 (several: app:1 app:latest; empty: untagged)",
}

// buildFormModel is the form that builds an image from a Dockerfile;
// submitting it hands the images screen a buildRequestMsg.
type buildFormModel struct{ form }

func newBuildFormModel(sh *shared) buildFormModel {
	f := newForm(sh, " Build an image from a Dockerfile", "builds", buildFieldLabels[:], buildFieldHints[:])
	f.inputs[buildFieldContext].SetValue(".")
	f.focus = int(buildFieldTag)
	return buildFormModel{f}
}

func (m buildFormModel) setSize(w, h int) buildFormModel {
	m.form = m.form.setWidth(w)
	return m
}

func (m buildFormModel) update(msg tea.Msg) (buildFormModel, tea.Cmd) {
	var submit bool
	var cmd tea.Cmd
	if m.form, submit, cmd = m.form.update(msg); !submit {
		return m, cmd
	}
	req, err := buildRequestOf(m.value(int(buildFieldContext)), m.value(int(buildFieldDockerfile)), m.value(int(buildFieldTag)))
	if err != nil {
		m.err = err.Error()
		return m, nil
	}
	return m, tea.Batch(func() tea.Msg { return backMsg{} }, func() tea.Msg { return buildRequestMsg{req: req} })
}

// buildRequestOf reads the form: a context directory (required), a
// Dockerfile path taken inside the context unless absolute, and tags
// separated by spaces or commas, each a valid reference.
func buildRequestOf(contextDir, dockerfile, tags string) (BuildRequest, error) {
	var req BuildRequest
	if contextDir == "" {
		return req, fmt.Errorf("%w: a context directory is required", ErrBadInput)
	}
	req.ContextDir = contextDir
	if dockerfile != "" && !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(contextDir, dockerfile)
	}
	req.Dockerfile = dockerfile
	for _, t := range strings.FieldsFunc(tags, func(r rune) bool { return r == ' ' || r == ',' }) {
		if _, err := images.ParseReference(t); err != nil {
			return req, fmt.Errorf("%w: tag %q: %w", ErrBadInput, t, err)
		}
		req.Tags = append(req.Tags, t)
	}
	return req, nil
}
