package config

import (
	"strings"
	"testing"
)

// TestDetachKeysKey: detach-keys is a key of the file (docker's
// detachKeys), kept as written; its syntax is checked where it is used.
func TestDetachKeysKey(t *testing.T) {
	c, err := Parse(strings.NewReader(`{"detach-keys": "ctrl-x,x"}`))
	if err != nil || c.DetachKeys != "ctrl-x,x" {
		t.Fatalf("Parse: %+v, %v", c, err)
	}
}
