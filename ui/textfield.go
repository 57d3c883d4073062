package ui

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// textField is a screen's line of text (a filter, a search) held at the
// cost of a pointer. Bubbles' textinput.Model is 7.8 KB (its styles, its
// key map), and Bubble Tea hands every model on by value: five of them
// in the screens made the root model 42 KB, copied whole a few times in
// each frame of every Update, and the program's stack 1 MiB. The field
// shares its input between copies of a model until one changes it: each
// change works on a copy of its own, so a model's copies stay apart as
// values do (only Update changes state; the copies it leaves behind keep
// what they had). The zero textField is an empty input, as the zero
// textinput.Model is.
type textField struct{ in *textinput.Model }

// newTextField holds in.
func newTextField(in textinput.Model) textField { return textField{in: &in} }

// input is the input the field holds, for reading.
func (f textField) input() *textinput.Model {
	if f.in == nil {
		return &textinput.Model{}
	}
	return f.in
}

// Value is the text typed.
func (f textField) Value() string { return f.input().Value() }

// View draws the prompt and the text.
func (f textField) View() string { return f.input().View() }

// Update takes a message as textinput.Model's Update does.
func (f textField) Update(msg tea.Msg) (textField, tea.Cmd) {
	in, cmd := f.input().Update(msg)
	return textField{in: &in}, cmd
}

// SetValue replaces the text.
func (f *textField) SetValue(s string) {
	if f.input().Value() != s {
		f.change(func(in *textinput.Model) { in.SetValue(s) })
	}
}

// SetWidth sets the columns the text is drawn in.
func (f *textField) SetWidth(w int) {
	if f.input().Width() != w {
		f.change(func(in *textinput.Model) { in.SetWidth(w) })
	}
}

// SetPrompt replaces what is drawn before the text.
func (f *textField) SetPrompt(p string) {
	if f.input().Prompt != p {
		f.change(func(in *textinput.Model) { in.Prompt = p })
	}
}

// Focus starts taking keys (the cursor shows).
func (f *textField) Focus() tea.Cmd {
	var cmd tea.Cmd
	f.change(func(in *textinput.Model) { cmd = in.Focus() })
	return cmd
}

// Blur stops taking keys.
func (f *textField) Blur() {
	if f.input().Focused() {
		f.change(func(in *textinput.Model) { in.Blur() })
	}
}

// change applies fn to a copy of the input, which the field then holds.
func (f *textField) change(fn func(*textinput.Model)) {
	in := *f.input()
	fn(&in)
	f.in = &in
}
