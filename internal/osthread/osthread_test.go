package osthread

import (
	"errors"
	"testing"
)

func TestDiscardedReturnsFnsError(t *testing.T) {
	want := errors.New("boom")
	if err := Discarded(func() error { return want }); !errors.Is(err, want) {
		t.Errorf("Discarded = %v, want %v", err, want)
	}
	ran := false
	if err := Discarded(func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("Discarded = %v, ran %v", err, ran)
	}
}
