package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestIsArchive(t *testing.T) {
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: 0}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte("FROM busybox\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	head := func(b []byte) []byte { return b[:min(len(b), ArchiveHeaderSize)] }
	for _, tc := range []struct {
		name string
		in   []byte
		want bool
	}{
		{"tar", head(plain.Bytes()), true},
		{"gzip", head(gz.Bytes()), true},
		{"zstd magic", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, true},
		{"xz magic", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, true},
		{"bzip2 magic", []byte("BZh91AY&SY"), true},
		{"Dockerfile", []byte("FROM busybox\nRUN echo hi\n"), false},
		{"Dockerfile longer than a block", []byte(strings.Repeat("# comment\n", 200) + "FROM busybox\n"), false},
		{"empty", nil, false},
	} {
		if got := IsArchive(tc.in); got != tc.want {
			t.Errorf("%s: IsArchive = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckInstructions(t *testing.T) {
	for _, tc := range []struct {
		df, want string
	}{
		{"FROM busybox\nRUN true\nCMD [\"sh\"]\n", ""},
		{"from busybox\nrun true\n", ""},
		{"ARG V=1\nFROM busybox\nONBUILD RUN true\nHEALTHCHECK NONE\nSTOPSIGNAL TERM\nSHELL [\"sh\",\"-c\"]\nMAINTAINER me\n", ""},
		{"FROM busybox\nRUN true\nFOO bar\n", "dockerfile parse error line 3: unknown instruction: FOO"},
		{"FROM busybox\nrunn true\n", "dockerfile parse error line 2: unknown instruction: runn"},
		{"\n\nCOPYY a b\nFROM x\n", "dockerfile parse error line 3: unknown instruction: COPYY"},
	} {
		res, err := parser.Parse(strings.NewReader(tc.df))
		if err != nil {
			t.Fatal(err)
		}
		err = checkInstructions(res.AST)
		if got := errString(err); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.df, got, tc.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDefaultPathEnv(t *testing.T) {
	if got := defaultPathEnv(nil); len(got) != 1 || got[0] != "PATH="+defaultPath {
		t.Errorf("no env: %v", got)
	}
	if got := defaultPathEnv([]string{"A=1", "PATH=/bin"}); len(got) != 2 || got[1] != "PATH=/bin" {
		t.Errorf("own PATH: %v", got)
	}
	if got := defaultPathEnv([]string{"PATHX=1"}); len(got) != 2 {
		t.Errorf("PATHX is not PATH: %v", got)
	}
}
