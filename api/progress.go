package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/moby/moby/api/types/jsonstream"

	"berth/engine"
	"berth/images"
)

// jsonStream is docker's progress answer (pull, push, load, import,
// build): one JSON message per line, flushed as it is written. The 200
// header goes out with the first message, so a request that fails before
// anything happened still gets its error status; after that an error can
// only be a message of its own. It is safe for the concurrent calls a pull
// or push makes.
type jsonStream struct {
	mu      sync.Mutex
	w       http.ResponseWriter
	enc     *json.Encoder
	started bool
	err     error // the first write that failed: the client is gone
}

func newJSONStream(w http.ResponseWriter) *jsonStream {
	return &jsonStream{w: w, enc: json.NewEncoder(w)}
}

// streamMessage is a message with the "error" string beside errorDetail:
// the Moby type dropped it, and docker-py still reads it.
type streamMessage struct {
	jsonstream.Message
	ErrorMessage string `json:"error,omitempty"`
}

// send writes one message.
func (s *jsonStream) send(m jsonstream.Message) {
	s.write(streamMessage{Message: m})
}

func (s *jsonStream) write(m streamMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	if !s.started {
		s.started = true
		s.w.Header().Set("Content-Type", "application/json")
		s.w.WriteHeader(http.StatusOK)
	}
	if err := s.enc.Encode(m); err != nil {
		s.err = err
		return
	}
	_ = http.NewResponseController(s.w).Flush() // a writer that cannot flush still gets the whole answer
}

// status writes docker's {"status": text, "id": id}.
func (s *jsonStream) status(id, text string) {
	s.send(jsonstream.Message{ID: id, Status: text})
}

// progress writes one of the image store's progress reports as docker's
// per-layer line.
func (s *jsonStream) progress(p images.Progress) {
	m := jsonstream.Message{ID: p.ID, Status: p.Action, Progress: &jsonstream.Progress{}}
	if p.Total > 0 && p.Current > 0 && p.Current < p.Total {
		m.Progress = &jsonstream.Progress{Current: p.Current, Total: p.Total}
	}
	s.send(m)
}

// finish ends the stream with err: before anything was written the
// server answers it with its status; after, it becomes docker's error
// message (with a failed RUN step's exit code, which the docker CLI exits
// with) and the server only logs it.
func (s *jsonStream) finish(err error) error {
	if err == nil {
		return s.writeErr()
	}
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if started {
		detail := &jsonstream.Error{Message: err.Error()}
		var step *engine.StepExitError
		if errors.As(err, &step) {
			detail.Code = step.Code
		}
		s.write(streamMessage{Message: jsonstream.Message{Error: detail}, ErrorMessage: err.Error()})
	}
	return err
}

func (s *jsonStream) writeErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// streamWriter is an io.Writer of build log text, sent as {"stream": …}.
type streamWriter struct{ s *jsonStream }

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.send(jsonstream.Message{Stream: string(p)})
	return len(p), w.s.writeErr()
}

// streamText is a {"stream": text} message.
func streamText(text string) jsonstream.Message { return jsonstream.Message{Stream: text} }
