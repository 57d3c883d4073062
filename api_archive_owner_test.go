package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"testing"
)

// TestAPIArchiveOwners: PUT archive keeps the owners the tar's headers
// name, as dockerd does (the docker CLI sends the local files' own);
// copyUIDGID (docker cp -a) gives every entry to the container's user,
// resolved in the container's /etc/passwd, and changes nothing for a
// container with no user configured.
func TestAPIArchiveOwners(t *testing.T) {
	a := newAPIEnv(t)
	a.must("create", "--pull", "never", "--name", "plain", "--network", "none", "busybox", "true")
	a.must("create", "--pull", "never", "--name", "nobody", "--user", "nobody", "--network", "none", "busybox", "true")
	stream := func(name string) *bytes.Reader {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o640, Size: 1, Uid: 4321, Gid: 77}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(buf.Bytes())
	}
	for _, tt := range []struct{ ref, query, file, want string }{
		{"plain", "", "kept", "4321:77"},
		{"plain", "&copyUIDGID=1", "nouser", "4321:77"},
		{"nobody", "", "kept", "4321:77"},
		{"nobody", "&copyUIDGID=1", "given", "65534:65534"},
	} {
		if code, _, body := a.apiCall("PUT", "/v1.41/containers/"+tt.ref+"/archive?path=/tmp"+tt.query, stream(tt.file)); code != 200 {
			t.Fatalf("PUT archive %s%s = %d %s", tt.ref, tt.query, code, body)
		}
		out, err := a.berth("cp", tt.ref+":/tmp/"+tt.file, "-").Output()
		if err != nil {
			t.Fatalf("berth cp %s:/tmp/%s -: %v", tt.ref, tt.file, err)
		}
		hdr, err := tar.NewReader(bytes.NewReader(out)).Next()
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%d:%d", hdr.Uid, hdr.Gid); got != tt.want {
			t.Errorf("PUT archive into %s%s: /tmp/%s is %s's, want %s's", tt.ref, tt.query, tt.file, got, tt.want)
		}
	}
}
