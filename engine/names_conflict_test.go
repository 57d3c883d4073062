package engine

import (
	"errors"
	"strings"
	"testing"
)

// TestNameInUseMessage: a name another container holds is ErrNameInUse,
// told in docker's words.
func TestNameInUseMessage(t *testing.T) {
	idA, idB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	s, err := openStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mustReserve(t, s, "dup", idA))
	_, err = s.reserveName("dup", idB, func(string) error { return errors.New("no reclaim expected") })
	if !errors.Is(err, ErrNameInUse) {
		t.Fatalf("reserve a held name: %v, want ErrNameInUse", err)
	}
	want := `Conflict. The container name "/dup" is already in use by container "` + idA + `". You have to remove (or rename) that container to be able to reuse that name.`
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
