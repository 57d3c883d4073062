package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// form is a column of labelled text fields, what the run and build forms
// share: tab and the arrows move between fields, back cancels, enter
// submits (the form around it decides what that does).
type form struct {
	sh     *shared
	title  string // " Run a new container"
	action string // "runs", in the hint line
	labels []string
	inputs []textinput.Model
	focus  int
	err    string // why the last submit was refused
}

func newForm(sh *shared, title, action string, labels, placeholders []string) form {
	f := form{sh: sh, title: title, action: action, labels: labels, inputs: make([]textinput.Model, len(labels))}
	for i := range f.inputs {
		in := newTextInput()
		in.Prompt = ""
		in.Placeholder = placeholders[i]
		in.SetWidth(50)
		f.inputs[i] = in
	}
	return f
}

func (f form) init() tea.Cmd { return f.inputs[f.focus].Focus() }

func (f form) setWidth(w int) form {
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(min(w-20, 70), 10))
	}
	return f
}

// value is field i's text without surrounding blanks.
func (f form) value(i int) string { return strings.TrimSpace(f.inputs[i].Value()) }

// update applies msg; submit reports that the user pressed enter.
func (f form) update(msg tea.Msg) (_ form, submit bool, _ tea.Cmd) {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case matches(key, f.sh.keys.Global.Back):
			return f, false, func() tea.Msg { return backMsg{} }
		case key.String() == "tab" || key.String() == "down":
			f, cmd := f.move(1)
			return f, false, cmd
		case key.String() == "shift+tab" || key.String() == "up":
			f, cmd := f.move(-1)
			return f, false, cmd
		case key.String() == "enter":
			return f, true, nil
		}
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, false, cmd
}

func (f form) move(d int) (form, tea.Cmd) {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + d + len(f.inputs)) % len(f.inputs)
	return f, f.inputs[f.focus].Focus()
}

func (f form) view() string {
	st := &f.sh.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.title))
	b.WriteString(st.Faint.Render("   tab/↑/↓ moves · enter " + f.action + " · esc cancels"))
	b.WriteString("\n")
	for i, in := range f.inputs {
		label := fmt.Sprintf(" %-11s", f.labels[i])
		if i == f.focus {
			label = st.HelpKey.Render("›" + label[1:])
		} else {
			label = st.HeaderLabel.Render(label)
		}
		b.WriteString("\n" + label + " " + in.View())
	}
	if f.err != "" {
		b.WriteString("\n\n " + st.Error.Render(f.err))
	}
	return b.String()
}
