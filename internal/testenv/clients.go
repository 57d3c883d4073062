package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// DockerCLIPath is where .ci/run unpacks Debian's docker.io package: its
// docker 20.10 client, never its daemon. BERTH_TEST_DOCKER names another.
const DockerCLIPath = "/opt/berth-ci/docker.io/usr/bin/docker"

// DockerCLI is the docker client that tests run against berth's API;
// missing, it skips t (fails it under CI=true).
func DockerCLI(t testing.TB) string {
	t.Helper()
	p := os.Getenv("BERTH_TEST_DOCKER")
	if p == "" {
		p = DockerCLIPath
	}
	return requireFile(t, p, "Debian's docker CLI (see .ci/run)")
}

// Tool is the path of a program on PATH that a test needs (docker-compose,
// sshd …); missing, it skips t (fails it under CI=true).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" (see .ci/run)")
	}
	return p
}

// DebianPython is Debian's python3, which has Debian's python3-docker
// (docker-py); another python3 on PATH may not.
func DebianPython(t testing.TB) string {
	t.Helper()
	p := requireFile(t, "/usr/bin/python3", "Debian's python3")
	if err := exec.Command(p, "-c", "import docker").Run(); err != nil {
		missing(t, "Debian's python3-docker (see .ci/run)")
	}
	return p
}

func requireFile(t testing.TB, p, what string) string {
	t.Helper()
	if _, err := os.Stat(p); err != nil {
		missing(t, what+" at "+p)
	}
	return p
}

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("test needs %s, and CI=true forbids skipping", what)
	}
	t.Skipf("test needs %s", what)
}
