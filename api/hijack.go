package api

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
)

// hijacked is the client's connection taken over from HTTP for an attach
// or an exec: in reads what the client sends (its stdin, with whatever it
// sent before the answer), conn is where the streams go.
type hijacked struct {
	conn net.Conn
	in   *bufio.Reader
}

// hijack answers an attach or exec start and takes the connection over:
// 101 UPGRADED with Upgrade: tcp when the client asked for an upgrade (the
// docker CLI and docker-py do), else 200 OK with the raw stream after it,
// as dockerd. The stream is multiplexed unless the session has a tty.
func hijack(w http.ResponseWriter, r *http.Request, multiplexed bool) (*hijacked, error) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, fmt.Errorf("hijack connection: %w", err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("hijack connection: %w", err)
	}
	contentType := "application/vnd.docker.raw-stream"
	if multiplexed && !versionBefore(r.Context(), "1.42") {
		contentType = "application/vnd.docker.multiplexed-stream"
	}
	head := "HTTP/1.1 200 OK\r\n"
	if _, upgrade := r.Header["Upgrade"]; upgrade {
		head = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
	}
	head += "Content-Type: " + contentType + "\r\nApi-Version: " + MaxVersion + "\r\nServer: berth\r\n\r\n"
	if _, err := brw.WriteString(head); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("answer hijacked connection: %w", err)
	}
	if err := brw.Flush(); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("answer hijacked connection: %w", err)
	}
	return &hijacked{conn: conn, in: brw.Reader}, nil
}

// outputStreams are the writers a session's stdout and stderr go to on w:
// with a tty both are w itself (a terminal has one stream); without, each
// frame carries stdcopy's 8-byte header naming its stream, so that
// stdcopy.StdCopy on the client's side takes them apart again.
func outputStreams(w io.Writer, tty bool) (stdout, stderr io.Writer) {
	if tty {
		return w, w
	}
	mu := &sync.Mutex{}
	return &stdFrameWriter{mu: mu, w: w, stream: stdcopy.Stdout}, &stdFrameWriter{mu: mu, w: w, stream: stdcopy.Stderr}
}

// stdFrameWriter writes each Write as one frame of docker's multiplexed
// stream: the stream's type, three zero bytes, the big-endian length, the
// bytes. The api module has the reader (stdcopy.StdCopy) but no writer.
type stdFrameWriter struct {
	mu     *sync.Mutex // shared by a session's two streams: frames never interleave
	w      io.Writer
	stream stdcopy.StdType
}

// maxStdFrame bounds one frame, so a large write becomes several frames.
const maxStdFrame = 32 * 1024

func (s *stdFrameWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	written := 0
	buf := make([]byte, 8+min(len(p), maxStdFrame))
	for len(p) > 0 {
		n := min(len(p), maxStdFrame)
		buf = buf[:8+n]
		buf[0] = byte(s.stream)
		binary.BigEndian.PutUint32(buf[4:8], uint32(n))
		copy(buf[8:], p[:n])
		if _, err := s.w.Write(buf); err != nil {
			return written, err
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

// flushWriter flushes an HTTP answer after each write, so a followed
// stream reaches the client as it happens.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.rc.Flush()
}
