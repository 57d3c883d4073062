package api

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/host"
	"berth/images"
)

// observedHost is a host whose process table, gauges and signals are
// made up; whatever else it is asked panics (the embedded nil Host).
type observedHost struct {
	host.Host
	signals []string
}

func (h *observedHost) Top(ctx context.Context, ref string) ([]engine.Process, error) {
	if ref != "web" {
		return nil, engine.ErrNotFound
	}
	return []engine.Process{{HostPID: 4242, PID: 1, User: "root", State: "S", CPUTime: 3 * time.Second,
		StartTime: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), RSS: 1 << 20, ReadBytes: 7, WriteBytes: 9, Command: "sleep 99"}}, nil
}

func (h *observedHost) HostStats(ctx context.Context) (*engine.HostStats, error) {
	return &engine.HostStats{Time: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), CPUBusy: 10, CPUTotal: 40, NCPU: 2, MemTotal: 1000, MemAvailable: 600}, nil
}

func (h *observedHost) DiskUsage(ctx context.Context) (int64, error) { return 12345, nil }

func (h *observedHost) Images() host.Images { return measuredImages{} }

// measuredImages is an image store whose disk usage is made up.
type measuredImages struct{ host.Images }

func (measuredImages) DiskUsage() (*images.DiskUsage, error) {
	return &images.DiskUsage{Images: []images.ImageUsage{{ID: "sha256:aa", RepoTags: []string{"busybox:latest"}, Size: 9, SharedSize: 4, UniqueSize: 5}},
		LayersSize: 9, BlobsSize: 11, BuildCacheEntries: 1, BuildCacheSize: 3}, nil
}

func (h *observedHost) SystemCPUUsage(ctx context.Context) (uint64, int, error) {
	return 987654321, 2, nil
}

func (h *observedHost) SignalProcess(ctx context.Context, ref string, hostPID int, signal string) error {
	if hostPID != 4242 {
		return engine.ErrInvalidArgument
	}
	h.signals = append(h.signals, ref+" "+signal)
	return nil
}

// serveBerth serves h's API on a socket of its own and dials it.
func serveBerth(t *testing.T, h host.Host) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(h, nil).Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	c, err := Dial(Endpoint{Host: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBerthEndpoints(t *testing.T) {
	h := &observedHost{}
	c := serveBerth(t, h)
	ctx := context.Background()

	procs, err := c.Top(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := h.Top(ctx, "web")
	if len(procs) != 1 || procs[0] != want[0] {
		t.Fatalf("Top = %+v, want %+v", procs, want)
	}
	if _, err := c.Top(ctx, "nosuch"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("Top(nosuch) = %v, want engine.ErrNotFound", err)
	}

	hs, err := c.HostStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wantHS, _ := h.HostStats(ctx); !hs.Time.Equal(wantHS.Time) || hs.CPUBusy != 10 || hs.CPUTotal != 40 || hs.NCPU != 2 || hs.MemAvailable != 600 {
		t.Fatalf("HostStats = %+v, want %+v", hs, wantHS)
	}
	if n, err := c.DiskUsage(ctx); err != nil || n != 12345 {
		t.Fatalf("DiskUsage = %d, %v; want 12345", n, err)
	}
	if u, cpus, err := c.SystemCPUUsage(ctx); err != nil || u != 987654321 || cpus != 2 {
		t.Fatalf("SystemCPUUsage = %d, %d, %v; want 987654321, 2", u, cpus, err)
	}
	du, err := c.Images().DiskUsage()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := (measuredImages{}).DiskUsage(); !reflect.DeepEqual(du, want) {
		t.Fatalf("Images().DiskUsage = %+v, want %+v", du, want)
	}

	if err := c.SignalProcess(ctx, "web", 4242, "TERM"); err != nil {
		t.Fatal(err)
	}
	if err := c.SignalProcess(ctx, "web", 1, "TERM"); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("SignalProcess(pid 1) = %v, want engine.ErrInvalidArgument", err)
	}
	if strings.Join(h.signals, ",") != "web TERM" {
		t.Fatalf("signals sent = %q, want [web TERM]", h.signals)
	}
}

// A far side that is not berth has none of berth's endpoints: the calls
// are not implemented, and the header's gauge falls back to info.
func TestBerthEndpointsAbsent(t *testing.T) {
	c := fakeDaemon(t)
	ctx := context.Background()
	if _, err := c.DiskUsage(ctx); !errors.Is(err, engine.ErrNotImplemented) {
		t.Fatalf("DiskUsage = %v, want engine.ErrNotImplemented", err)
	}
	if _, err := c.Images().DiskUsage(); !errors.Is(err, engine.ErrNotImplemented) {
		t.Fatalf("Images().DiskUsage = %v, want engine.ErrNotImplemented", err)
	}
	if _, _, err := c.SystemCPUUsage(ctx); !errors.Is(err, engine.ErrNotImplemented) {
		t.Fatalf("SystemCPUUsage = %v, want engine.ErrNotImplemented", err)
	}
	if err := c.SignalProcess(ctx, "web", 42, "KILL"); !errors.Is(err, engine.ErrNotImplemented) {
		t.Fatalf("SignalProcess = %v, want engine.ErrNotImplemented", err)
	}
}
