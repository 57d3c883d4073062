package compose

import (
	"archive/tar"
	"context"
	"io"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// TestServiceHash: the configuration hash changes with what the
// container is made from, and not with how many there are, how the
// image is built or pulled, or what the service waits for.
func TestServiceHash(t *testing.T) {
	const base = "    image: busybox:latest\n    command: [\"sleep\", \"60\"]\n"
	hashOf := func(service string) string {
		t.Helper()
		dir := writeProject(t, map[string]string{
			"compose.yaml": "name: p\nservices:\n  db:\n    image: busybox:latest\n  web:\n" + service,
		})
		p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Env: []string{}, Profiles: []string{"web"}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := ServiceHash(p.Services["web"])
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	want := hashOf(base)
	if again := hashOf(base); again != want {
		t.Fatalf("the same service hashes differently: %s, %s", want, again)
	}
	same := map[string]string{
		"scale":                 base + "    scale: 3\n",
		"depends_on":            base + "    depends_on: [db]\n",
		"depends_on conditions": base + "    depends_on:\n      db:\n        condition: service_healthy\n",
		"build":                 base + "    build:\n      context: .\n      args:\n        X: \"1\"\n",
		"pull_policy":           base + "    pull_policy: always\n",
		"profiles":              base + "    profiles: [web]\n",
	}
	for what, service := range same {
		if got := hashOf(service); got != want {
			t.Errorf("%s changed the hash", what)
		}
	}
	// A service that has a deploy: key keeps its hash when only its
	// replicas change.
	if hashOf(base+"    deploy:\n      replicas: 1\n") != hashOf(base+"    deploy:\n      replicas: 3\n") {
		t.Error("deploy.replicas changed the hash")
	}
	changed := map[string]string{
		"command":           "    image: busybox:latest\n    command: [\"sleep\", \"61\"]\n",
		"environment":       base + "    environment: [A=1]\n",
		"image":             "    image: busybox:1.36\n    command: [\"sleep\", \"60\"]\n",
		"ports":             base + "    ports: [\"8080:80\"]\n",
		"volumes":           base + "    volumes: [/data]\n",
		"labels":            base + "    labels: [a=b]\n",
		"healthcheck":       base + "    healthcheck:\n      test: [\"CMD\", \"true\"]\n",
		"restart":           base + "    restart: always\n",
		"deploy.resources":  base + "    deploy:\n      resources:\n        limits:\n          memory: 64M\n",
		"user":              base + "    user: nobody\n",
		"stop_grace_period": base + "    stop_grace_period: 3s\n",
		"networks":          base + "    networks: [default, back]\nnetworks:\n  back: {}\n",
	}
	for what, service := range changed {
		if got := hashOf(service); got == want {
			t.Errorf("%s did not change the hash", what)
		}
	}
}

// TestFileTar: a secret or config that is not a file is written at its
// target with its parent directories, mode 0444 unless given, and its
// uid and gid.
func TestFileTar(t *testing.T) {
	mode := types.FileMode(0o400)
	cases := []struct {
		ref              fileRef
		wantNames        []string
		wantMode         int64
		wantUID, wantGID int
	}{
		{fileRef{kind: "secret", name: "token", target: targetOf(secretsDir, "token", "")},
			[]string{"run/", "run/secrets/", "run/secrets/token"}, 0o444, 0, 0},
		{fileRef{kind: "config", name: "app", target: targetOf("/", "app", "etc/app.conf"), uid: "1000", gid: "1001", mode: &mode},
			[]string{"etc/", "etc/app.conf"}, 0o400, 1000, 1001},
	}
	for _, tc := range cases {
		buf, err := fileTar(tc.ref, []byte("content"))
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(buf)
		var names []string
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, hdr.Name)
			if hdr.Typeflag == tar.TypeReg {
				body, _ := io.ReadAll(tr)
				if string(body) != "content" || hdr.Mode != tc.wantMode || hdr.Uid != tc.wantUID || hdr.Gid != tc.wantGID {
					t.Errorf("%s: %q mode %o uid %d gid %d", hdr.Name, body, hdr.Mode, hdr.Uid, hdr.Gid)
				}
			}
		}
		if len(names) != len(tc.wantNames) {
			t.Errorf("%s: entries %q, want %q", tc.ref.name, names, tc.wantNames)
			continue
		}
		for i := range names {
			if names[i] != tc.wantNames[i] {
				t.Errorf("%s: entries %q, want %q", tc.ref.name, names, tc.wantNames)
			}
		}
	}
	if _, err := fileTar(fileRef{kind: "secret", name: "x", target: "/x", uid: "root"}, nil); err == nil {
		t.Error("uid root: no error")
	}
}
