package network

import (
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// BenchmarkTransfer fetches 64 MiB from a process in a container's
// namespace on the default bridge, straight to its address and through a
// published port on 127.0.0.1 (the userland proxy): MB/s of each, side by
// side, is what the proxy costs.
func BenchmarkTransfer(b *testing.B) {
	requireRoot(b)
	tn := newTestNet(b)
	m := openTestManager(b, tn)
	f := startFakeCmd(b, exec.Command("/proc/self/exe"), helperEnv+"=blast")
	att, err := m.Attach(AttachRequest{ContainerID: f.ID, Name: "blast", NetNS: f.NetNS()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Release(f.ID) })
	p := NewProxy(att.IP, []PortMapping{{Proto: "tcp", HostIP: netip.MustParseAddr("127.0.0.1"), ContainerPort: 8000}})
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	direct := net.JoinHostPort(att.IP.String(), "8000")
	proxied := net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Published()[0].HostPort))
	fetch := func(b *testing.B, addr string) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		n, err := io.Copy(io.Discard, c)
		if err != nil || n != blastSize {
			b.Fatalf("fetched %d bytes: %v", n, err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", direct)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("sender in the container not listening: %v", err)
		}
	}
	for _, bench := range []struct{ name, addr string }{{"direct", direct}, {"proxy", proxied}} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(blastSize)
			for b.Loop() {
				fetch(b, bench.addr)
			}
		})
	}
}

// BenchmarkAttachRelease is what networking adds to a container's start
// and stop: Attach and Release of one container with the network's bridge
// up ("bridge-up"), and with the bridge and its rules made by the Attach
// and taken down by a Prune each time ("bridge-down"), as for the first
// container after a prune.
func BenchmarkAttachRelease(b *testing.B) {
	requireRoot(b)
	for _, prune := range []bool{false, true} {
		name := map[bool]string{false: "bridge-up", true: "bridge-down"}[prune]
		b.Run(name, func(b *testing.B) {
			tn := newTestNet(b)
			m := openTestManager(b, tn)
			f := startFake(b)
			for b.Loop() {
				if _, err := m.Attach(AttachRequest{ContainerID: f.ID, NetNS: f.NetNS()}); err != nil {
					b.Fatal(err)
				}
				if err := m.Release(f.ID); err != nil {
					b.Fatal(err)
				}
				if prune {
					if _, err := m.Prune(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
