package testenv

import "testing"

// TestCritestBusyboxLsIsAFile: critest masks /bin/ls in its busybox, so
// the image's ls is a file of its own, not the symlink to busybox every
// other applet is (a mask over that would hide busybox).
func TestCritestBusyboxLsIsAFile(t *testing.T) {
	busybox := "busybox's bytes"
	for _, img := range critestImages(nil, []byte(busybox), nil) {
		if img.path != "e2e-test-images/busybox" {
			continue
		}
		if ls, ok := img.files["bin/ls"]; !ok || ls.data != busybox || ls.mode != 0o755 {
			t.Errorf("bin/ls: %+v (present: %v), want an executable copy of busybox", ls, ok)
		}
		return
	}
	t.Fatal("no e2e-test-images/busybox among critest's images")
}
