package lazyregexp

import "testing"

func TestNew(t *testing.T) {
	re := New(`^a+$`)
	if !re().MatchString("aaa") || re().MatchString("ab") {
		t.Errorf("%s matches wrongly", re())
	}
	if re() != re() {
		t.Error("compiled twice")
	}
}
