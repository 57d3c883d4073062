package ptyexec

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	req, err := RequestFrame(Request{Stdin: true, Stdout: true, Tty: true, Size: Size{80, 24}, DetachKeys: "ctrl-x,x"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Frame
	}{
		{"request", req},
		{"stdin", Frame{Type: FrameStdin, Data: []byte("ls -l\r")}},
		{"stdin empty", Frame{Type: FrameStdin, Data: []byte{}}},
		{"stdin close", Frame{Type: FrameStdinClose}},
		{"resize", Frame{Type: FrameResize, Size: Size{Width: 132, Height: 43}}},
		{"resize max", Frame{Type: FrameResize, Size: Size{Width: 65535, Height: 65535}}},
		{"stdout", Frame{Type: FrameStdout, Data: []byte("hello\n")}},
		{"stderr binary", Frame{Type: FrameStderr, Data: []byte{0, 1, 2, 0xff}}},
		{"stdout max", Frame{Type: FrameStdout, Data: bytes.Repeat([]byte{'x'}, MaxFramePayload)}},
		{"exit 0", Frame{Type: FrameExit, Code: 0}},
		{"exit 137", Frame{Type: FrameExit, Code: 137}},
		{"exit negative", Frame{Type: FrameExit, Code: -1}},
		{"error", Frame{Type: FrameError, Data: []byte("container has no terminal")}},
	}
	var stream bytes.Buffer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteFrame(&buf, tt.f); err != nil {
				t.Fatal(err)
			}
			stream.Write(buf.Bytes())
			got, err := ReadFrame(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !framesEqual(got, tt.f) {
				t.Fatalf("got %+v, want %+v", got, tt.f)
			}
			if buf.Len() != 0 {
				t.Fatalf("%d bytes left after frame", buf.Len())
			}
		})
	}
	// The frames written back to back decode in order.
	for _, tt := range tests {
		got, err := ReadFrame(&stream)
		if err != nil {
			t.Fatalf("stream %s: %v", tt.name, err)
		}
		if !framesEqual(got, tt.f) {
			t.Fatalf("stream %s: got type %s", tt.name, got.Type)
		}
	}
	if _, err := ReadFrame(&stream); err != io.EOF {
		t.Fatalf("end of stream: got %v, want io.EOF", err)
	}
}

func framesEqual(a, b Frame) bool {
	return a.Type == b.Type && bytes.Equal(a.Data, b.Data) && a.Size == b.Size && a.Code == b.Code
}

func TestRequestRoundTrip(t *testing.T) {
	want := Request{Stdin: true, Stdout: true, Stderr: true, Size: Size{100, 30}, DetachKeys: "ctrl-p,ctrl-q"}
	f, err := RequestFrame(want)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteFrame(&buf, f); err != nil {
		t.Fatal(err)
	}
	f, err = ReadFrame(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Request()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestReadFrameErrors(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"short header", []byte{byte(FrameStdout), 0, 0}, io.ErrUnexpectedEOF},
		{"short payload", []byte{byte(FrameStdout), 0, 0, 0, 5, 'a', 'b'}, io.ErrUnexpectedEOF},
		{"too large", []byte{byte(FrameStdout), 0xff, 0xff, 0xff, 0xff}, ErrFrameTooLarge},
		{"unknown type", []byte{0x7f, 0, 0, 0, 0}, ErrBadFrame},
		{"type zero", []byte{0, 0, 0, 0, 0}, ErrBadFrame},
		{"resize short", []byte{byte(FrameResize), 0, 0, 0, 2, 0, 80}, ErrBadFrame},
		{"exit long", []byte{byte(FrameExit), 0, 0, 0, 5, 0, 0, 0, 0, 0}, ErrBadFrame},
		{"stdin close with data", []byte{byte(FrameStdinClose), 0, 0, 0, 1, 'x'}, ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tt.wire))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWriteFrameErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		want error
	}{
		{"too large", Frame{Type: FrameStdout, Data: make([]byte, MaxFramePayload+1)}, ErrFrameTooLarge},
		{"unknown type", Frame{Type: 99}, ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := WriteFrame(io.Discard, tt.f); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRequestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
	}{
		{"not a request", Frame{Type: FrameStdin, Data: []byte("{}")}},
		{"bad json", Frame{Type: FrameRequest, Data: []byte("{")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.f.Request(); !errors.Is(err, ErrBadRequest) {
				t.Fatalf("got %v, want ErrBadRequest", err)
			}
		})
	}
}

func TestFrameTypeString(t *testing.T) {
	for ft, want := range map[FrameType]string{FrameStdinClose: "stdin-close", FrameExit: "exit", 42: "frame-type(42)"} {
		if got := ft.String(); got != want {
			t.Errorf("%d: got %q, want %q", byte(ft), got, want)
		}
	}
}
