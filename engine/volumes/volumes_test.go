package volumes

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestStoreCreateGetListRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "volumes")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, created, err := s.Create(CreateOptions{Name: "data", Labels: map[string]string{"a": "b"}})
	if err != nil || !created {
		t.Fatalf("Create = %v, %v", created, err)
	}
	if v.Mountpoint != filepath.Join(dir, "data", "_data") || v.Driver != "local" || v.Scope != "local" {
		t.Errorf("volume = %+v", v)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() {
		t.Errorf("mountpoint: %v", err)
	}
	again, created, err := s.Create(CreateOptions{Name: "data"})
	if err != nil || created || again.Labels["a"] != "b" {
		t.Errorf("second Create = %+v, %v, %v; want the first volume", again, created, err)
	}
	anon, _, err := s.Create(CreateOptions{Labels: map[string]string{AnonymousLabel: ""}})
	if err != nil || len(anon.Name) != 64 || !anon.Anonymous() || v.Anonymous() {
		t.Fatalf("anonymous Create = %+v, %v", anon, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %d volumes, %v", len(list), err)
	}
	if err := s.Remove("data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("data"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Remove = %v", err)
	}
	if err := s.Remove("data"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove = %v", err)
	}
	if _, err := s.Get("../x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(../x) = %v, want not found", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "lock" && e.Name() != anon.Name {
			t.Errorf("left in the store: %s", e.Name())
		}
	}
}

func TestStoreRefusesBadInput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "volumes")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []CreateOptions{
		{Name: "../escape"},
		{Name: "x"},
		{Name: "ok", Driver: "nfs"},
		{Name: "ok", Options: map[string]string{"type": "tmpfs"}},
	} {
		if _, _, err := s.Create(opts); err == nil {
			t.Errorf("Create(%+v) accepted", opts)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "lock" {
			t.Errorf("left in the store: %s", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
		t.Errorf("a volume was made outside the store")
	}
}
