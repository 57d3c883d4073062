package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

// statsInterval is how often a stats stream samples, dockerd's second.
const statsInterval = time.Second

// containerStats is GET /containers/{id}/stats: with stream (the default)
// a sample each second until the container stops or the client goes;
// stream=0 one sample whose precpu is one taken a second before (so the
// client computes a CPU share), or with one-shot=1 one sample at once.
// Only this container is read, only while the client asks.
func (s *Server) containerStats(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.streamContainer(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	stream := true
	if r.URL.Query().Has("stream") {
		if stream, err = boolParam(r, "stream"); err != nil {
			return err
		}
	}
	oneShot, err := boolParam(r, "one-shot")
	if err != nil {
		return err
	}
	if oneShot && stream {
		return invalidf("cannot have stream=true and one-shot=true")
	}
	cur, err := s.statsSample(ctx, c.ID, nil)
	if err != nil {
		return err
	}
	if !stream {
		if !oneShot && c.State.Running() {
			if err := sleepCtx(ctx, statsInterval); err != nil {
				return err
			}
			if cur, err = s.statsSample(ctx, c.ID, &cur); err != nil {
				return err
			}
		}
		return writeJSON(w, http.StatusOK, cur)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(flushWriter{w: w, rc: http.NewResponseController(w)})
	for {
		if err := enc.Encode(cur); err != nil {
			s.logStreamEnd(r, "stats", err)
			return nil
		}
		if now, err := s.host.Inspect(ctx, c.ID); err != nil || !now.State.Running() {
			return nil
		}
		if err := sleepCtx(ctx, statsInterval); err != nil {
			return nil
		}
		if cur, err = s.statsSample(ctx, c.ID, &cur); err != nil {
			s.logStreamEnd(r, "stats", err)
			return nil
		}
	}
}

// statsSample is one sample in moby's shape, with prev's CPU as precpu.
func (s *Server) statsSample(ctx context.Context, id string, prev *container.StatsResponse) (container.StatsResponse, error) {
	st, err := s.host.Stats(ctx, id)
	if err != nil {
		return container.StatsResponse{}, err
	}
	system, cpus, err := s.host.SystemCPUUsage(ctx)
	if err != nil {
		return container.StatsResponse{}, err
	}
	resp := statsResponse(st, system, cpus)
	if prev != nil {
		resp.PreRead, resp.PreCPUStats = prev.Read, prev.CPUStats
	}
	return resp, nil
}

// statsResponse is the engine's sample in moby's shape: cgroup v2 numbers
// (no per-CPU usage, no memory.stat), block I/O as one read and one write
// entry, the container's interfaces as one "eth0".
func statsResponse(st *engine.Stats, system uint64, cpus int) container.StatsResponse {
	resp := container.StatsResponse{
		ID: st.ID, Name: "/" + st.Name, OSType: "linux", Read: st.Time,
		CPUStats: container.CPUStats{
			CPUUsage:    container.CPUUsage{TotalUsage: uint64(st.CPUUsage)},
			SystemUsage: system,
			OnlineCPUs:  uint32(cpus),
		},
		MemoryStats: container.MemoryStats{Usage: st.MemoryUsage, Limit: st.MemoryLimit},
		PidsStats:   container.PidsStats{Current: st.PidsCurrent, Limit: st.PidsLimit},
		BlkioStats: container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{
			{Op: "read", Value: st.BlockRead}, {Op: "write", Value: st.BlockWrite},
		}},
	}
	if st.NetRx > 0 || st.NetTx > 0 {
		resp.Networks = map[string]container.NetworkStats{"eth0": {RxBytes: st.NetRx, TxBytes: st.NetTx}}
	}
	return resp
}

// sleepCtx waits d, or less when ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
