package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/textinput"
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
type buildFormModel struct {
	sh     *shared
	width  int
	height int
	inputs []textinput.Model
	focus  buildField
	err    string
}

func newBuildFormModel(sh *shared) buildFormModel {
	m := buildFormModel{sh: sh, inputs: make([]textinput.Model, buildFieldCount)}
	for i := range m.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = buildFieldHints[i]
		in.SetWidth(50)
		m.inputs[i] = in
	}
	m.inputs[buildFieldContext].SetValue(".")
	m.focus = buildFieldTag
	return m
}

func (m buildFormModel) init() tea.Cmd { return m.inputs[m.focus].Focus() }

func (m buildFormModel) setSize(w, h int) buildFormModel {
	m.width, m.height = w, h
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(min(w-20, 70), 10))
	}
	return m
}

func (m buildFormModel) update(msg tea.Msg) (buildFormModel, tea.Cmd) {
	key, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
		return m, cmd
	}
	switch {
	case matches(key, m.sh.keys.Global.Back):
		return m, func() tea.Msg { return backMsg{} }
	case key.String() == "tab" || key.String() == "down":
		return m.move(1)
	case key.String() == "shift+tab" || key.String() == "up":
		return m.move(-1)
	case key.String() == "enter":
		v := func(f buildField) string { return strings.TrimSpace(m.inputs[f].Value()) }
		req, err := buildRequestOf(v(buildFieldContext), v(buildFieldDockerfile), v(buildFieldTag))
		if err != nil {
			m.err = err.Error()
			return m, nil
		}
		return m, tea.Batch(func() tea.Msg { return backMsg{} }, func() tea.Msg { return buildRequestMsg{req: req} })
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return m, cmd
}

func (m buildFormModel) move(d int) (buildFormModel, tea.Cmd) {
	m.inputs[m.focus].Blur()
	m.focus = buildField((int(m.focus) + d + int(buildFieldCount)) % int(buildFieldCount))
	return m, m.inputs[m.focus].Focus()
}

func (m buildFormModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(" Build an image from a Dockerfile"))
	b.WriteString(st.Faint.Render("   tab/↑/↓ moves · enter builds · esc cancels"))
	b.WriteString("\n")
	for i, in := range m.inputs {
		label := fmt.Sprintf(" %-11s", buildFieldLabels[i])
		if buildField(i) == m.focus {
			label = st.HelpKey.Render("›" + label[1:])
		} else {
			label = st.HeaderLabel.Render(label)
		}
		b.WriteString("\n" + label + " " + in.View())
	}
	if m.err != "" {
		b.WriteString("\n\n " + st.Error.Render(m.err))
	}
	return b.String()
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
