package config

import (
	"strings"
	"testing"
)

func TestInitKey(t *testing.T) {
	for text, want := range map[string]bool{`{"init": true}`: true, `{"init": false}`: false, `{}`: false} {
		c, err := Parse(strings.NewReader(text))
		if err != nil || c.Init != want {
			t.Errorf("%s: init %v, %v; want %v", text, c != nil && c.Init, err, want)
		}
	}
	if _, err := Parse(strings.NewReader(`{"init": "yes"}`)); err == nil {
		t.Error(`init "yes" accepted`)
	}
}
