package ui

import (
	"testing"
	"unsafe"
)

// Bubble Tea hands the root model on by value, through a few frames of
// each Update: it must stay small (it was 42 KB with five
// textinput.Models in it, and the program's stack grew to 1 MiB).
func TestRootModelStaysSmall(t *testing.T) {
	if size := unsafe.Sizeof(model{}); size > 4<<10 {
		t.Errorf("the root model is %d bytes, want at most %d", size, 4<<10)
	}
}

// A textField's copies stay apart, as values do.
func TestTextFieldCopiesStayApart(t *testing.T) {
	a := newTextField(newTextInput())
	b := a
	b.SetValue("web")
	b.SetPrompt("search: ")
	b.SetWidth(20)
	b.Focus()
	b, _ = b.Update(keyMsg("s"))
	if got := b.Value(); got != "webs" {
		t.Errorf("the copy holds %q, want %q", got, "webs")
	}
	if a.Value() != "" || a.input().Focused() || a.input().Prompt == "search: " || a.input().Width() == 20 {
		t.Errorf("the original changed with its copy: value %q, focused %v, prompt %q, width %d",
			a.Value(), a.input().Focused(), a.input().Prompt, a.input().Width())
	}
	c := b
	c.Blur()
	if !b.input().Focused() {
		t.Error("blurring a copy blurred the original")
	}
}

// The zero textField is an empty input, as a screen not yet opened has.
func TestZeroTextField(t *testing.T) {
	var f textField
	f.SetWidth(10)
	if f.Value() != "" || f.input().Width() != 10 {
		t.Errorf("zero field: value %q, width %d", f.Value(), f.input().Width())
	}
	_ = f.View()
}
