package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"berth/internal/testenv"
)

// apiEnv is a berth on temporary roots with `berth system service`
// answering the Docker API on a socket of its own, and the real clients
// that talk to it.
type apiEnv struct {
	*berthEnv
	t      testing.TB
	sock   string // the API socket's path
	host   string // DOCKER_HOST for it
	config string // DOCKER_CONFIG: an empty client configuration
}

// newAPIEnv starts the service on a new berthEnv; the test's cleanup stops
// it (by its PID) before the berthEnv removes its containers.
func newAPIEnv(t testing.TB) *apiEnv {
	t.Helper()
	b := newBerthEnv(t)
	if b.api != nil { // a CLI test run again through the docker CLI
		return b.api
	}
	return b.startService(t)
}

// startService runs `berth system service` on b's roots with a socket of
// its own and waits until it answers.
func (b *berthEnv) startService(t testing.TB) *apiEnv {
	t.Helper()
	dir := t.TempDir()
	a := &apiEnv{berthEnv: b, t: t, sock: filepath.Join(dir, "api.sock"), config: filepath.Join(dir, "docker-config")}
	a.host = "unix://" + a.sock
	if err := os.Mkdir(a.config, 0o700); err != nil {
		t.Fatal(err)
	}
	svc := b.berth("system", "service", a.host)
	svc.Stdout, svc.Stderr = os.Stderr, os.Stderr
	if err := svc.Start(); err != nil {
		t.Fatalf("start berth system service: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	t.Cleanup(func() {
		_ = svc.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = svc.Process.Kill()
			<-exited
			t.Errorf("berth system service did not stop within 10s of SIGTERM")
		}
	})
	client := a.HTTPClient()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://berth/_ping")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("berth system service exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth system service did not answer on %s: %v", a.sock, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a
}

// HTTPClient talks HTTP to the service's socket (any host name).
func (a *apiEnv) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", a.sock)
		},
	}}
}

// clientEnv is the environment of a real client pointed at the service.
func (a *apiEnv) clientEnv() []string {
	return append(os.Environ(), "DOCKER_HOST="+a.host, "DOCKER_CONFIG="+a.config)
}

// docker is Debian's docker CLI against the service.
func (a *apiEnv) docker(args ...string) *exec.Cmd {
	cmd := exec.Command(testenv.DockerCLI(a.t), args...)
	cmd.Env = a.clientEnv()
	return cmd
}

// dockerMust runs the docker CLI and fails the test unless it succeeds.
func (a *apiEnv) dockerMust(args ...string) string {
	a.t.Helper()
	cmd := a.docker(args...)
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		a.t.Fatalf("docker %v: %v: %s", args, err, stderr)
	}
	return string(out)
}

func TestAPIServicePing(t *testing.T) {
	a := newAPIEnv(t)
	out := a.dockerMust("version", "--format", "{{.Server.APIVersion}} {{.Client.APIVersion}}")
	if out != "1.57 1.41\n" {
		t.Fatalf("docker version = %q, want the server's 1.57 and the client's 1.41", out)
	}
}

// TestDockerCLI runs tests of berth's CLI again with Debian's docker CLI
// as the client, pointed at berth's API service on the test's roots
// (issue 12: the project's own CLI tests, a second time through the API).
// The tests listed use only what both CLIs share: docker's own flags and
// outputs.
func TestDockerCLI(t *testing.T) {
	testenv.DockerCLI(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"TestCreateAndExecExitCodes", TestCreateAndExecExitCodes},
		{"TestFiltersAndTemplatesAsDocker", TestFiltersAndTemplatesAsDocker},
		{"TestCpRunningAndStopped", TestCpRunningAndStopped},
		{"TestCpPathRules", TestCpPathRules},
		{"TestCpTarStreams", TestCpTarStreams},
		{"TestCpStoppedVolumes", TestCpStoppedVolumes},
		{"TestVolumeNamedOutlivesContainers", TestVolumeNamedOutlivesContainers},
		{"TestVolumeFromImageIsFilledFromTheImage", TestVolumeFromImageIsFilledFromTheImage},
		{"TestVolumesFrom", TestVolumesFrom},
		{"TestMountForms", TestMountForms},
		{"TestVolumeBadInput", TestVolumeBadInput},
		{"TestVolumeCopyUpStaysInTheImage", TestVolumeCopyUpStaysInTheImage},
		{"TestVolumePruneDuringCreate", TestVolumePruneDuringCreate},
		{"TestNetworkConnectRunning", TestNetworkConnectRunning},
		{"TestNetworkConnectStopped", TestNetworkConnectStopped},
		{"TestNetworkDisconnectOwn", TestNetworkDisconnectOwn},
		{"TestInspectDefaultNetworkSettings", TestInspectDefaultNetworkSettings},
		{"TestNetworkKeysNotRunning", TestNetworkKeysNotRunning},
		{"TestLinkOnUserNetwork", TestLinkOnUserNetwork},
		{"TestEventsContainer", TestEventsContainer},
		{"TestEventsImages", TestEventsImages},
		{"TestEventsNetworks", TestEventsNetworks},
		{"TestEventsPushPull", TestEventsPushPull},
		{"TestHealthcheckFlags", TestHealthcheckFlags},
		{"TestHealthcheckTimeout", TestHealthcheckTimeout},
		{"TestHealthcheckLeavesNothing", TestHealthcheckLeavesNothing},
		{"TestHealthcheckFromImage", TestHealthcheckFromImage},
		{"TestHealthcheckBadFlags", TestHealthcheckBadFlags},
		{"TestDiff", TestDiff},
		{"TestCommit", TestCommit},
		{"TestExport", TestExport},
		{"TestContainerFileEvents", TestContainerFileEvents},
		{"TestUpdateRunning", TestUpdateRunning},
		{"TestUpdateStopped", TestUpdateStopped},
		{"TestInitIsPID1", TestInitIsPID1},
		{"TestInitExitCodes", TestInitExitCodes},
		{"TestInitReapsOrphans", TestInitReapsOrphans},
		{"TestInitForwardsSignals", TestInitForwardsSignals},
		{"TestInitHealthcheck", TestInitHealthcheck},
		{"TestInitTerminal", TestInitTerminal},
		{"TestRunNameResolutionFlags", TestRunNameResolutionFlags},
		{"TestRunNameResolutionRefusals", TestRunNameResolutionRefusals},
		{"TestRunIpcNone", TestRunIpcNone},
		{"TestRunSharedNamespaces", TestRunSharedNamespaces},
		{"TestRunLink", TestRunLink},
		{"TestResflagsOomKillDisableOnV2Warns", TestResflagsOomKillDisableOnV2Warns},
		{"TestResflagsProcessSettings", TestResflagsProcessSettings},
		{"TestResflagsSupplementaryGroupsOfUsers", TestResflagsSupplementaryGroupsOfUsers},
		{"TestResflagsLogDriver", TestResflagsLogDriver},
		{"TestResflagsAttach", TestResflagsAttach},
		{"TestResflagsCidfile", TestResflagsCidfile},
		{"TestResflagsPlatform", TestResflagsPlatform},
		{"TestThrottleDeviceAtStart", TestThrottleDeviceAtStart},
		{"TestTTYRunShell", TestTTYRunShell},
		{"TestTTYCustomDetachKeys", TestTTYCustomDetachKeys},
		{"TestTTYFullScreenProgram", TestTTYFullScreenProgram},
		{"TestRunStdinWithoutTTY", TestRunStdinWithoutTTY},
		{"TestExecTTYShell", TestExecTTYShell},
		{"TestExecOptions", TestExecOptions},
		{"TestAttachClientKilled", TestAttachClientKilled},
		{"TestTTYDevpts", TestTTYDevpts},
		{"TestInitLayerFiles", TestInitLayerFiles},
		{"TestBuildContextFromStdin", TestBuildContextFromStdin},
		{"TestBuildContextTarSymlinkDockerfile", TestBuildContextTarSymlinkDockerfile},
		{"TestBuildUnknownInstruction", TestBuildUnknownInstruction},
		{"TestBuildFlags", TestBuildFlags},
		{"TestBuildPullFlag", TestBuildPullFlag},
		{"TestRmiParentImage", TestRmiParentImage},
		{"TestSystemDfBuildCache", TestSystemDfBuildCache},
		{"TestAttackCpPlantedSymlinks", TestAttackCpPlantedSymlinks},
		{"TestAttackCpSwappedDirectory", TestAttackCpSwappedDirectory},
		{"TestAttackBinaryOverwrite", TestAttackBinaryOverwrite},
		{"TestAttackDescriptorLeak", TestAttackDescriptorLeak},
		{"TestAttackDevicesBadInput", TestAttackDevicesBadInput},
		{"TestAttackDevicesBuild", TestAttackDevicesBuild},
		{"TestAttackDevicesExec", TestAttackDevicesExec},
		{"TestAttackDevicesFlags", TestAttackDevicesFlags},
		{"TestAttackDevicesInImage", TestAttackDevicesInImage},
		{"TestAttackDevicesMknod", TestAttackDevicesMknod},
		{"TestAttackDevicesStandardStillWork", TestAttackDevicesStandardStillWork},
		{"TestAttackMaskFakeDevNull", TestAttackMaskFakeDevNull},
		{"TestAttackMountRace", TestAttackMountRace},
		{"TestAttackMountSymlinkTargets", TestAttackMountSymlinkTargets},
		{"TestAttackProcMounts", TestAttackProcMounts},
		{"TestAttackSeccompExec", TestAttackSeccompExec},
		{"TestAttackSeccompRun", TestAttackSeccompRun},
		{"TestAttackSeccompUserNamespace", TestAttackSeccompUserNamespace},
		{"TestAttackProbeRunsInside", TestAttackProbeRunsInside},
		{"TestSeccompInfo", TestSeccompInfo},
		{"TestResflagsCgroupLimits", TestResflagsCgroupLimits},
	} {
		t.Run(tc.name, tc.run)
	}
}
