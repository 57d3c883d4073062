package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"berth/host"
	"berth/images"
)

// Server answers the Docker Engine API for one host.
type Server struct {
	host host.Host
	log  *slog.Logger
	mux  *http.ServeMux
	// streams is what attach, exec and stats keep between requests.
	streams streamState
	// registry is the machine's own registry settings (mirrors, insecure
	// registries, stored logins), under a client's login.
	registry images.RegistryOptions
}

// registrySettings is a host that has registry settings of its own
// (host.Local).
type registrySettings interface {
	RegistryDefaults() images.RegistryOptions
}

// handler is one endpoint: it writes its answer, or returns an error that
// the server writes as docker's error body (when nothing was written yet).
type handler func(w http.ResponseWriter, r *http.Request) error

// route is one endpoint: a method and path pattern of net/http's
// ServeMux ("GET /containers/{id}/json"), without the version prefix.
type route struct {
	pattern string
	handle  handler
}

// NewServer is the API of h; log (nil: discarded) receives one line for
// each failed request.
func NewServer(h host.Host, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{host: h, log: log, mux: http.NewServeMux()}
	if rs, ok := h.(registrySettings); ok {
		s.registry = rs.RegistryDefaults()
	}
	for _, group := range [][]route{
		s.systemRoutes(),
		s.containerRoutes(),
		s.streamRoutes(),
		s.imageRoutes(),
		s.networkRoutes(),
		s.volumeRoutes(),
		s.berthExtRoutes(),
	} {
		for _, rt := range group {
			s.mux.Handle(rt.pattern, s.wrap(rt.handle))
		}
	}
	return s
}

// ServeHTTP strips and checks the request's API version, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, rest := splitVersion(r.URL.Path)
	if v != "" {
		if err := checkVersion(v); err != nil {
			writeError(w, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), versionKey{}, v))
		r.URL.Path = rest
		r.URL.RawPath = ""
	}
	w.Header().Set("Api-Version", MaxVersion)
	w.Header().Set("Server", "berth")
	if _, pattern := s.mux.Handler(r); pattern == "" {
		writeError(w, notFoundf("page not found"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// wrap writes a handler's error, unless the handler already answered (a
// stream that broke half way can only be cut).
func (s *Server) wrap(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		err := h(rec, r)
		if err == nil {
			return
		}
		level := slog.LevelDebug // the client's own mistake: its user sees it
		if statusOf(err) >= http.StatusInternalServerError {
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if !rec.wrote {
			writeError(w, err)
		}
	})
}

// recorder notes whether a handler wrote its header.
type recorder struct {
	http.ResponseWriter
	wrote bool
}

func (r *recorder) WriteHeader(code int) {
	r.wrote = true
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Serve answers on l until ctx is done, then lets the requests in flight
// finish (streams are cut). Containers do not depend on the server: they
// run on when it stops.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			_ = srv.Close() // the streams still open are cut
		}
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return nil
	}
	return err
}

// writeJSON answers with v as JSON and the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body into v; an empty body leaves v as it is.
func readJSON(r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return invalidf("read request body: %v", err)
	}
	return nil
}
