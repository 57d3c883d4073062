package api

import (
	"net/http"
	"runtime"

	"github.com/moby/moby/api/types/system"

	"berth/host"
)

// systemRoutes are _ping, version, info, system df and events.
func (s *Server) systemRoutes() []route {
	return []route{
		{"GET /_ping", s.ping},
		{"HEAD /_ping", s.ping},
		{"GET /version", s.version},
	}
}

// ping is how a client learns the API version before its first request.
func (s *Server) ping(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Ostype", runtime.GOOS)
	w.Header().Set("Builder-Version", "1")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write([]byte("OK"))
	return err
}

// version is the server's version and the API versions it answers.
func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:   system.PlatformInfo{Name: "berth"},
		Version:    host.Version,
		APIVersion: MaxVersion, MinAPIVersion: MinVersion,
		Os: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		Components: []system.ComponentVersion{{Name: "Engine", Version: host.Version, Details: map[string]string{
			"ApiVersion": MaxVersion, "MinAPIVersion": MinVersion,
		}}},
	})
}
