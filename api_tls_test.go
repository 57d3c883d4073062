package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/api"
	"berth/internal/testenv"
)

// testPKI is a CA and the certificates it signed, as PEM files.
type testPKI struct {
	dir            string
	ca             *x509.Certificate
	caKey          *ecdsa.PrivateKey
	caFile         string
	serverCert     string
	serverKey      string
	clientCert     string
	clientKey      string
	strangerCert   string // signed by another CA
	strangerKey    string
	strangerCAFile string
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	p.ca, p.caKey, p.caFile = newTestCA(t, p.dir, "ca")
	p.serverCert, p.serverKey = p.sign(t, p.ca, p.caKey, "server", x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = p.sign(t, p.ca, p.caKey, "client", x509.ExtKeyUsageClientAuth)
	other, otherKey, otherFile := newTestCA(t, p.dir, "other-ca")
	p.strangerCAFile = otherFile
	p.strangerCert, p.strangerKey = p.sign(t, other, otherKey, "stranger", x509.ExtKeyUsageClientAuth)
	return p
}

func newTestCA(t testing.TB, dir, name string) (*x509.Certificate, *ecdsa.PrivateKey, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "berth test " + name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".pem")
	remoteWriteFile(t, file, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o600)
	return cert, key, file
}

// sign makes a certificate for 127.0.0.1 with the given use.
func (p *testPKI) sign(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, use x509.ExtKeyUsage) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{use},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(p.dir, name+"-cert.pem"), filepath.Join(p.dir, name+"-key.pem")
	remoteWriteFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o600)
	remoteWriteFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})), 0o600)
	return certFile, keyFile
}

// startService starts `berth system service ARGS…` and stops it by PID
// at cleanup.
func startService(t testing.TB, b *berthEnv, args ...string) <-chan error {
	t.Helper()
	svc := b.cmd(append([]string{"system", "service"}, args...)...)
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
			t.Errorf("berth system service did not stop within 10s of SIGTERM")
		}
	})
	return exited
}

// The service on TCP with --tlsverify: the docker CLI with a certificate
// the CA signed is served; without one, or with another CA's, it is not.
func TestAPITLSService(t *testing.T) {
	b := newBerthEnv(t)
	p := newTestPKI(t)
	addr := fmt.Sprintf("127.0.0.1:%d", remoteFreePort(t))
	exited := startService(t, b, "--tlsverify", "--tlscacert", p.caFile, "--tlscert", p.serverCert, "--tlskey", p.serverKey, "tcp://"+addr)
	remoteWaitTCP(t, addr, exited)

	docker := func(args ...string) (string, error) {
		cmd := exec.Command(testenv.DockerCLI(t), append([]string{"-H", "tcp://" + addr}, args...)...)
		cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir(), "DOCKER_CERT_PATH=", "DOCKER_TLS_VERIFY=", "DOCKER_HOST=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return stderr.String(), err
		}
		return string(out), nil
	}
	out, err := docker("--tlsverify", "--tlscacert", p.caFile, "--tlscert", p.clientCert, "--tlskey", p.clientKey,
		"version", "--format", "{{.Server.APIVersion}}")
	if err != nil || out != api.MaxVersion+"\n" {
		t.Fatalf("docker --tlsverify version = %q, %v", out, err)
	}
	if out, err := docker("--tlsverify", "--tlscacert", p.caFile, "version", "--format", "{{.Server.APIVersion}}"); err == nil {
		t.Fatalf("docker without a client certificate was served: %q", out)
	}
	if out, err := docker("--tlsverify", "--tlscacert", p.caFile, "--tlscert", p.strangerCert, "--tlskey", p.strangerKey,
		"version", "--format", "{{.Server.APIVersion}}"); err == nil {
		t.Fatalf("docker with another CA's certificate was served: %q", out)
	}
	if out, err := docker("version", "--format", "{{.Server.APIVersion}}"); err == nil {
		t.Fatalf("docker over plain HTTP was served: %q", out)
	}

	// berth's own client, as a tcp:// context or -H with BERTH_CERT_PATH.
	c, err := api.Dial(api.Endpoint{Host: "tcp://" + addr, TLS: api.TLSFiles{CA: p.caFile, Cert: p.clientCert, Key: p.clientKey}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := c.Ping(ctx); err != nil || v != api.MaxVersion {
		t.Fatalf("berth's client over TLS: %q, %v", v, err)
	}
}

// Plain TCP, and TLS without the client CA, are refused before anything
// listens.
func TestAPITLSPlainTCPRefused(t *testing.T) {
	b := newBerthEnv(t)
	p := newTestPKI(t)
	addr := fmt.Sprintf("127.0.0.1:%d", remoteFreePort(t))
	for _, args := range [][]string{
		{"tcp://" + addr},
		{"--tlscert", p.serverCert, "--tlskey", p.serverKey, "tcp://" + addr},
		{"--tlsverify", "--tlscert", p.serverCert, "--tlskey", p.serverKey, "tcp://" + addr},
	} {
		cmd := b.cmd(append([]string{"system", "service"}, args...)...)
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 125 {
			t.Fatalf("berth system service %v: %v (want exit 125): %s", args, err, out)
		}
		if !strings.Contains(string(out), "tls") && !strings.Contains(string(out), "TLS") {
			t.Errorf("berth system service %v: %s: the error does not say TLS is needed", args, out)
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Fatalf("berth system service %v listened on %s", args, addr)
		}
	}
}

// Started as systemd starts it from berth.socket (the listening socket on
// fd 3, LISTEN_PID and LISTEN_FDS), the service answers on that socket,
// and with --time it exits on its own once no client is connected.
func TestAPIServiceSocketActivation(t *testing.T) {
	b := newBerthEnv(t)
	sock := filepath.Join(t.TempDir(), "activated.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	f, err := ul.File()
	ul.Close() // the service holds the descriptor now
	if err != nil {
		t.Fatal(err)
	}
	// LISTEN_PID must be the service's own PID: sh exports its own and
	// execs berth in its place, as systemd sets it after fork.
	cmd := exec.Command("/bin/sh", "-c", `export LISTEN_PID=$$ LISTEN_FDS=1; exec "$0" system service --time 1`, b.bin)
	cmd.Env = b.env
	cmd.ExtraFiles = []*os.File{f}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	})
	c := exec.Command(testenv.DockerCLI(t), "version", "--format", "{{.Server.APIVersion}}")
	c.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock, "DOCKER_CONFIG="+t.TempDir())
	out, err := c.CombinedOutput()
	if err != nil || string(out) != api.MaxVersion+"\n" {
		t.Fatalf("docker version on the activated socket = %q, %v; service: %s", out, err, stderr.String())
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the service exited with %v after its idle time: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the service did not exit within 30s of its last client with --time 1: %s", stderr.String())
	}
}
