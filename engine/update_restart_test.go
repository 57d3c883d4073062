package engine

import (
	"errors"
	"testing"
)

// An update's restart policy is checked as create's is: the API passes
// what a client sent unchecked.
func TestUpdatedRestartPolicy(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"always", true}, {"on-failure", true}, {"unless-stopped", true}, {"no", true}, {"sometimes", false}} {
		hc, err := updatedHostConfig(HostConfig{}, UpdateOptions{RestartPolicy: &RestartPolicy{Name: tt.name}})
		switch {
		case tt.ok && (err != nil || hc.RestartPolicy.Name != tt.name):
			t.Errorf("update to %q: %v, policy %q", tt.name, err, hc.RestartPolicy.Name)
		case !tt.ok && !errors.Is(err, ErrInvalidArgument):
			t.Errorf("update to %q: %v, want an invalid argument", tt.name, err)
		}
	}
}
