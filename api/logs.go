package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"berth/engine"
)

// timestampFormat is dockerd's log timestamp: RFC 3339 with nanoseconds
// always nine digits, so the lines line up.
const timestampFormat = "2006-01-02T15:04:05.000000000Z07:00"

// containerLogs is GET /containers/{id}/logs: the log lines chosen by
// stdout, stderr, since, until and tail, with timestamps when asked,
// multiplexed unless the container has a tty; follow=1 goes on until the
// container stops or the client goes.
func (s *Server) containerLogs(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.streamContainer(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	var flags [4]bool
	for i, name := range []string{"follow", "stdout", "stderr", "timestamps"} {
		if flags[i], err = boolParam(r, name); err != nil {
			return err
		}
	}
	// Transient: writeLogEntry copies each line into the answer.
	opts := engine.LogsOptions{Follow: flags[0], Stdout: flags[1], Stderr: flags[2], Transient: true}
	timestamps := flags[3]
	if !opts.Stdout && !opts.Stderr {
		return invalidf("Bad parameters: you must choose at least one stream")
	}
	q := r.URL.Query()
	if opts.Tail, err = tailParam(q.Get("tail")); err != nil {
		return err
	}
	if opts.Since, err = logTime(q.Get("since")); err != nil {
		return err
	}
	if opts.Until, err = logTime(q.Get("until")); err != nil {
		return err
	}
	if c.HostConfig.LogConfig.Type == "none" {
		return fmt.Errorf("configured logging driver does not support reading: %w", engine.ErrNotImplemented)
	}
	tty := c.Config.Tty
	contentType := "application/vnd.docker.raw-stream"
	if !tty && !versionBefore(ctx, "1.42") {
		contentType = "application/vnd.docker.multiplexed-stream"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return err
	}
	answer := newDelayedFlusher(w, rc.Flush)
	out, errOut := outputStreams(answer, tty)
	err = s.host.Logs(ctx, c.ID, opts, func(e engine.LogEntry) error {
		return writeLogEntry(e, out, errOut, tty, timestamps)
	})
	if cerr := answer.Close(); err == nil {
		err = cerr
	}
	s.logStreamEnd(r, "logs", err)
	return nil
}

// writeLogEntry writes one log line to its stream (all of them to stdout
// with a tty); a stream that is nil was not asked for.
func writeLogEntry(e engine.LogEntry, stdout, stderr io.Writer, tty, timestamps bool) error {
	w := stdout
	if e.Stream == "stderr" && !tty {
		w = stderr
	}
	if w == nil {
		return nil
	}
	line := e.Line
	if timestamps {
		line = append([]byte(e.Time.UTC().Format(timestampFormat)+" "), line...)
	}
	_, err := w.Write(line)
	return err
}

// tailParam is tail: "all" (or nothing) is every line, else a count.
func tailParam(v string) (int, error) {
	if v == "" || v == "all" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidf("invalid value for tail: %q: not a number of lines", v)
	}
	if n < 0 {
		return -1, nil
	}
	return n, nil
}

// logTime reads since or until as parseTime does; "0" is no bound, as
// dockerd takes it.
func logTime(v string) (time.Time, error) {
	if v == "0" {
		return time.Time{}, nil
	}
	return parseTime(v, time.Now())
}
