package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckCommitChanges(t *testing.T) {
	for _, tt := range []struct {
		changes []string
		want    string // "" when accepted
	}{
		{[]string{"CMD [\"true\"]", "env A=1", "EXPOSE 80"}, ""},
		{[]string{"RUN true"}, "run is not a valid change command"},
		{[]string{"  "}, "empty change command"},
	} {
		err := checkCommitChanges(tt.changes)
		if tt.want == "" && err != nil || tt.want != "" && (!errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("checkCommitChanges(%q) = %v, want %q", tt.changes, err, tt.want)
		}
	}
}
