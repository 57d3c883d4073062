package api

import (
	"net/http"
	"strconv"
)

// berth's own endpoints, beside the Docker Engine API, as Podman serves
// its libpod API beside the compat one. They carry what a berth on
// another machine needs for the full-screen program and the Docker API
// cannot express; they are berth-to-berth, so their bodies are the
// engine's own types as JSON (encoding/json of the Go structs, field
// names as in package engine), not Moby's. Paths are under /berth/v1,
// never behind a Docker version prefix:
//
//	GET  /berth/v1/containers/{id}/processes
//	     []engine.Process: the container's processes with host PIDs,
//	     CPU time, RSS, disk I/O and start times (what `docker top`'s
//	     ps text does not carry).
//	POST /berth/v1/containers/{id}/processes/{pid}/signal?signal=SIG
//	     sends SIG (a name or number; default KILL) to the process
//	     with host PID pid, refused (400) unless it is the container's;
//	     204 No Content.
//	GET  /berth/v1/host/stats
//	     engine.HostStats: one sample of the machine's CPU counters and
//	     memory.
//	GET  /berth/v1/host/disk
//	     berthDiskUsage: the bytes under berth's data root.
//	GET  /berth/v1/host/cpu
//	     berthCPUUsage: the whole CPU time of the machine (nanoseconds)
//	     and the CPUs online, against which a container's CPU use is a
//	     share.
//	GET  /berth/v1/images/disk
//	     images.DiskUsage: `system df`'s detail from the image store
//	     (shared and unique bytes per image, layers, blobs, build cache).
//
// Errors are docker's {"message": …} with the same status codes. A
// server without these paths (dockerd, an older berth) answers 404
// "page not found", which the client turns into engine.ErrNotImplemented.

// berthExtPrefix is where berth's own endpoints live.
const berthExtPrefix = "/berth/v1"

// berthDiskUsage is the answer of GET /berth/v1/host/disk.
type berthDiskUsage struct {
	DataRootBytes int64
}

// berthCPUUsage is the answer of GET /berth/v1/host/cpu.
type berthCPUUsage struct {
	UsageNanos uint64
	CPUs       int
}

// berthExtRoutes are berth's own endpoints.
func (s *Server) berthExtRoutes() []route {
	return []route{
		{"GET " + berthExtPrefix + "/containers/{id}/processes", s.berthProcesses},
		{"POST " + berthExtPrefix + "/containers/{id}/processes/{pid}/signal", s.berthSignalProcess},
		{"GET " + berthExtPrefix + "/host/stats", s.berthHostStats},
		{"GET " + berthExtPrefix + "/host/disk", s.berthDiskUsage},
		{"GET " + berthExtPrefix + "/host/cpu", s.berthCPUUsage},
		{"GET " + berthExtPrefix + "/images/disk", s.berthImagesDiskUsage},
	}
}

func (s *Server) berthProcesses(w http.ResponseWriter, r *http.Request) error {
	procs, err := s.host.Top(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, procs)
}

func (s *Server) berthSignalProcess(w http.ResponseWriter, r *http.Request) error {
	pid, err := strconv.Atoi(r.PathValue("pid"))
	if err != nil || pid <= 0 {
		return invalidf("invalid process ID %q: want a positive host PID", r.PathValue("pid"))
	}
	signal := r.URL.Query().Get("signal")
	if signal == "" {
		signal = "KILL"
	}
	if err := s.host.SignalProcess(r.Context(), r.PathValue("id"), pid, signal); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) berthHostStats(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.host.HostStats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hs)
}

func (s *Server) berthDiskUsage(w http.ResponseWriter, r *http.Request) error {
	n, err := s.host.DiskUsage(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, berthDiskUsage{DataRootBytes: n})
}

func (s *Server) berthCPUUsage(w http.ResponseWriter, r *http.Request) error {
	usage, cpus, err := s.host.SystemCPUUsage(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, berthCPUUsage{UsageNanos: usage, CPUs: cpus})
}

func (s *Server) berthImagesDiskUsage(w http.ResponseWriter, r *http.Request) error {
	du, err := s.host.Images().DiskUsage()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, du)
}
