package ptyexec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// The attach protocol runs over one stream connection (a unix socket served
// by the shim). Every message is a frame:
//
//	type   1 byte  (FrameType)
//	length 4 bytes (big endian, payload length, at most MaxFramePayload)
//	payload
//
// The client's first frame is FrameRequest with a JSON Request. After it the
// client sends FrameStdin, FrameStdinClose and FrameResize; the server sends
// FrameStdout, FrameStderr, and finally FrameExit or FrameError. A client
// detaches by closing the connection.

// FrameType says what a frame carries.
type FrameType byte

const (
	// FrameRequest opens a session: JSON-encoded Request. Client to server.
	FrameRequest FrameType = 1 + iota
	// FrameStdin carries bytes for the container's stdin. Client to server.
	FrameStdin
	// FrameStdinClose closes the container's stdin (EOF). Client to server.
	FrameStdinClose
	// FrameResize carries a window size: columns then rows, two big-endian
	// uint16. Client to server.
	FrameResize
	// FrameStdout carries container output: the terminal's output when the
	// session is a tty, stdout otherwise. Server to client.
	FrameStdout
	// FrameStderr carries the container's stderr (never used with a tty).
	// Server to client.
	FrameStderr
	// FrameExit carries the container's exit code as a big-endian int32; the
	// server closes the connection after it. Server to client.
	FrameExit
	// FrameError carries a UTF-8 message; the server closes the connection
	// after it. Server to client.
	FrameError
)

// MaxFramePayload bounds a frame's payload so a corrupt length cannot make a
// reader allocate without limit.
const MaxFramePayload = 1 << 20

const frameHeaderLen = 5

var frameTypeNames = map[FrameType]string{
	FrameRequest:    "request",
	FrameStdin:      "stdin",
	FrameStdinClose: "stdin-close",
	FrameResize:     "resize",
	FrameStdout:     "stdout",
	FrameStderr:     "stderr",
	FrameExit:       "exit",
	FrameError:      "error",
}

func (t FrameType) String() string {
	if name, ok := frameTypeNames[t]; ok {
		return name
	}
	return fmt.Sprintf("frame-type(%d)", byte(t))
}

// Size is a terminal window size in character cells.
type Size struct {
	Width  uint16 `json:"width"`
	Height uint16 `json:"height"`
}

// Request is the JSON payload of the opening FrameRequest.
type Request struct {
	// Stdin, Stdout and Stderr say which streams the client wants. Stdin
	// frames from a client that did not ask for stdin are an error; output
	// streams not asked for are not sent.
	Stdin  bool `json:"stdin"`
	Stdout bool `json:"stdout"`
	Stderr bool `json:"stderr"`
	// Tty says the client expects a terminal session; it must match the
	// container, or the server answers with FrameError.
	Tty bool `json:"tty"`
	// Size is the client's window size; zero means unknown (no resize).
	Size Size `json:"size"`
	// DetachKeys is the client's detach sequence in --detach-keys syntax.
	// The client recognises it itself (so a dead client never holds the
	// container); the server only checks that it parses.
	DetachKeys string `json:"detachKeys,omitempty"`
}

// Frame is one decoded protocol message. Which field is used depends on
// Type: Data for request, stdin, stdout, stderr and error; Size for resize;
// Code for exit; none for stdin-close.
type Frame struct {
	Type FrameType
	Data []byte
	Size Size
	Code int
}

// RequestFrame encodes req as the opening frame.
func RequestFrame(req Request) (Frame, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return Frame{}, fmt.Errorf("encode attach request: %w", err)
	}
	return Frame{Type: FrameRequest, Data: data}, nil
}

// Request decodes the payload of a FrameRequest.
func (f Frame) Request() (Request, error) {
	var req Request
	if f.Type != FrameRequest {
		return req, fmt.Errorf("%w: first frame is %s, want request", ErrBadRequest, f.Type)
	}
	if err := json.Unmarshal(f.Data, &req); err != nil {
		return req, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return req, nil
}

// payload returns the wire payload of f.
func (f Frame) payload() ([]byte, error) {
	switch f.Type {
	case FrameRequest, FrameStdin, FrameStdout, FrameStderr, FrameError:
		return f.Data, nil
	case FrameStdinClose:
		return nil, nil
	case FrameResize:
		b := make([]byte, 4)
		binary.BigEndian.PutUint16(b[0:2], f.Size.Width)
		binary.BigEndian.PutUint16(b[2:4], f.Size.Height)
		return b, nil
	case FrameExit:
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, uint32(int32(f.Code)))
		return b, nil
	}
	return nil, fmt.Errorf("encode %s: %w", f.Type, ErrBadFrame)
}

// appendFrame appends the wire form of f to b.
func appendFrame(b []byte, f Frame) ([]byte, error) {
	p, err := f.payload()
	if err != nil {
		return b, err
	}
	if len(p) > MaxFramePayload {
		return b, fmt.Errorf("encode %s frame of %d bytes: %w", f.Type, len(p), ErrFrameTooLarge)
	}
	b = append(b, byte(f.Type))
	b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
	return append(b, p...), nil
}

// WriteFrame writes f with a single Write call, so frames written by
// several goroutines to one net.Conn never interleave.
func WriteFrame(w io.Writer, f Frame) error {
	b, err := appendFrame(make([]byte, 0, frameHeaderLen+len(f.Data)+4), f)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write %s frame: %w", f.Type, err)
	}
	return nil
}

// ReadFrame reads one frame. It returns io.EOF only when r ends cleanly
// between frames, io.ErrUnexpectedEOF when it ends inside one.
func ReadFrame(r io.Reader) (Frame, error) {
	var hdr [frameHeaderLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Type: FrameType(hdr[0])}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > MaxFramePayload {
		return Frame{}, fmt.Errorf("read %s frame of %d bytes: %w", f.Type, n, ErrFrameTooLarge)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, fmt.Errorf("read %s frame: %w", f.Type, err)
	}
	if err := f.decode(p); err != nil {
		return Frame{}, err
	}
	return f, nil
}

// decode fills f's typed fields from payload p.
func (f *Frame) decode(p []byte) error {
	switch f.Type {
	case FrameRequest, FrameStdin, FrameStdout, FrameStderr, FrameError:
		f.Data = p
	case FrameStdinClose:
		if len(p) != 0 {
			return fmt.Errorf("decode %s frame with %d bytes: %w", f.Type, len(p), ErrBadFrame)
		}
	case FrameResize:
		if len(p) != 4 {
			return fmt.Errorf("decode %s frame with %d bytes: %w", f.Type, len(p), ErrBadFrame)
		}
		f.Size = Size{Width: binary.BigEndian.Uint16(p[0:2]), Height: binary.BigEndian.Uint16(p[2:4])}
	case FrameExit:
		if len(p) != 4 {
			return fmt.Errorf("decode %s frame with %d bytes: %w", f.Type, len(p), ErrBadFrame)
		}
		f.Code = int(int32(binary.BigEndian.Uint32(p)))
	default:
		return fmt.Errorf("decode %s: %w", f.Type, ErrBadFrame)
	}
	return nil
}
