package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// dialogKind is what a dialog asks.
type dialogKind int

const (
	dialogConfirm dialogKind = iota // yes or no
	dialogMenu                      // one of several choices
	dialogPrompt                    // a line of text
)

// dialog is a small box over the screen that asks one thing; done turns
// the answer into a command (the dialog never changes other state).
type dialog struct {
	keys    *keyMap
	kind    dialogKind
	title   string
	text    string
	choices []string
	cursor  int
	input   textinput.Model
	done    func(answer string) tea.Cmd
}

func confirmDialog(keys *keyMap, title, text string, yes func() tea.Cmd) dialog {
	return dialog{keys: keys, kind: dialogConfirm, title: title, text: text,
		done: func(string) tea.Cmd { return yes() }}
}

func menuDialog(keys *keyMap, title string, choices []string, cursor int, done func(string) tea.Cmd) dialog {
	return dialog{keys: keys, kind: dialogMenu, title: title, choices: choices, cursor: cursor, done: done}
}

func promptDialog(keys *keyMap, title, value string, done func(string) tea.Cmd) dialog {
	in := newTextInput()
	in.Prompt = "› "
	in.SetValue(value)
	in.SetWidth(40)
	return dialog{keys: keys, kind: dialogPrompt, title: title, input: in, done: done}
}

func (d *dialog) focus() tea.Cmd {
	if d.kind == dialogPrompt {
		return d.input.Focus()
	}
	return nil
}

// update returns nil once the dialog is answered or dismissed.
func (d *dialog) update(msg tea.Msg) (*dialog, tea.Cmd) {
	k := &d.keys.Dialog
	g := &d.keys.Global
	key, isKey := msg.(tea.KeyPressMsg)
	switch d.kind {
	case dialogConfirm:
		if !isKey {
			return d, nil
		}
		switch {
		case matches(key, k.Yes, k.Select):
			return nil, d.done("")
		case matches(key, k.No, g.Back):
			return nil, nil
		}
	case dialogMenu:
		if !isKey {
			return d, nil
		}
		switch {
		case matches(key, g.Up):
			d.cursor = max(d.cursor-1, 0)
		case matches(key, g.Down):
			d.cursor = min(d.cursor+1, len(d.choices)-1)
		case matches(key, g.Home):
			d.cursor = 0
		case matches(key, g.End):
			d.cursor = len(d.choices) - 1
		case matches(key, k.Select):
			return nil, d.done(d.choices[d.cursor])
		case matches(key, g.Back):
			return nil, nil
		}
	case dialogPrompt:
		if isKey {
			switch {
			case matches(key, k.Select):
				return nil, d.done(strings.TrimSpace(d.input.Value()))
			case matches(key, g.Back):
				return nil, nil
			}
		}
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		return d, cmd
	}
	return d, nil
}

func (d dialog) view(st *styles, width int) string {
	var b strings.Builder
	b.WriteString(st.Title.Render(d.title))
	switch d.kind {
	case dialogConfirm:
		if d.text != "" {
			b.WriteString("\n" + d.text)
		}
		b.WriteString("\n\n" + st.HelpKey.Render(d.keys.Dialog.Yes.Help().Key) + st.HelpDesc.Render(" yes  ") +
			st.HelpKey.Render(d.keys.Dialog.No.Help().Key) + st.HelpDesc.Render(" no"))
	case dialogMenu:
		for i, c := range d.choices {
			line := "  " + c
			if i == d.cursor {
				line = st.Cursor.Render("› " + c)
			}
			b.WriteString("\n" + line)
		}
	case dialogPrompt:
		b.WriteString("\n" + d.input.View())
	}
	return st.Dialog.MaxWidth(width).Render(b.String())
}

// matches is key.Matches for a key press.
func matches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// editFilter applies a key to a screen's filter line: back clears it and
// stops editing, enter keeps it and stops, anything else edits it.
func editFilter(in textField, g *globalKeys, msg tea.KeyPressMsg) (textField, bool, tea.Cmd) {
	switch {
	case matches(msg, g.Back):
		in.Blur()
		in.SetValue("")
		return in, false, nil
	case msg.String() == "enter":
		in.Blur()
		return in, false, nil
	}
	var cmd tea.Cmd
	in, cmd = in.Update(msg)
	return in, true, cmd
}
