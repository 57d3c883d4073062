package jsonlog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pipeChunk builds 64 KiB of container output (what one pipe read hands the
// shim) made of lines of about lineLen bytes.
func pipeChunk(lineLen int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 64<<10; i++ {
		line := fmt.Sprintf("%08d GET /api/v1/items?id=%d 200 %s", i, i, bytes.Repeat([]byte{'x'}, lineLen))
		b.WriteString(line[:lineLen-1])
		b.WriteByte('\n')
	}
	return b.Bytes()[:64<<10]
}

// BenchmarkWrite measures MiB/s of container stdout turned into json-file
// entries on disk (with rotation at 100 MB, as max-size=100m would).
func BenchmarkWrite(b *testing.B) {
	for _, lineLen := range []int{80, 1024} {
		b.Run(fmt.Sprintf("line%d", lineLen), func(b *testing.B) {
			w, err := New(filepath.Join(b.TempDir(), "bench.log"), Options{MaxSize: 100_000_000, MaxFile: 2})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			s := w.Stream("stdout")
			chunk := pipeChunk(lineLen)
			b.SetBytes(int64(len(chunk)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteTwoStreams has stdout and stderr writing at once.
func BenchmarkWriteTwoStreams(b *testing.B) {
	w, err := New(filepath.Join(b.TempDir(), "bench.log"), Options{MaxSize: 100_000_000, MaxFile: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	chunk := pipeChunk(80)
	b.SetBytes(int64(len(chunk)))
	b.RunParallel(func(pb *testing.PB) {
		s := w.Stream("stdout")
		for pb.Next() {
			if _, err := s.Write(chunk); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTail100 reads the last 100 lines of a 200 MiB log.
func BenchmarkTail100(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.log")
	w, err := New(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := w.Stream("stdout")
	chunk := pipeChunk(120)
	for written := 0; written < 200<<20; written += len(chunk) * 3 / 2 {
		s.Write(chunk)
	}
	w.Close()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := Read(context.Background(), path, ReadOptions{Tail: 100}, func(Entry) error { n++; return nil })
		if err != nil || n != 100 {
			b.Fatalf("read %d entries: %v", n, err)
		}
	}
}

// BenchmarkReadAll decodes a whole log (what `berth logs` without --tail
// does), beside reading the file's bytes alone (as cat does); transient
// as `berth logs` reads, its lines decoded in place.
func BenchmarkReadAll(b *testing.B) {
	path := filepath.Join(b.TempDir(), "all.log")
	w, err := New(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := w.Stream("stdout")
	chunk := pipeChunk(80)
	for range 160 {
		s.Write(chunk)
	}
	w.Close()
	raw := func() time.Duration {
		start := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if _, err := io.CopyBuffer(io.Discard, f, make([]byte, 128<<10)); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for _, transient := range []bool{false, true} {
		b.Run(fmt.Sprintf("transient=%v", transient), func(b *testing.B) {
			var rawTotal time.Duration
			b.SetBytes(int64(160 * len(chunk)))
			b.ResetTimer()
			for b.Loop() {
				if err := Read(context.Background(), path, ReadOptions{Tail: TailAll, Transient: transient}, func(Entry) error { return nil }); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				rawTotal += raw()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed())/float64(rawTotal), "x-read")
		})
	}
}

// BenchmarkPipeToLog is the shim's path: container output through a pipe,
// copied into a StreamWriter with a 64 KiB buffer.
func BenchmarkPipeToLog(b *testing.B) {
	w, err := New(filepath.Join(b.TempDir(), "pipe.log"), Options{MaxSize: 100_000_000, MaxFile: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	copied := make(chan error, 1)
	go func() {
		_, err := io.CopyBuffer(w.Stream("stdout"), pr, make([]byte, 64<<10))
		pr.Close()
		copied <- err
	}()
	chunk := pipeChunk(80)
	b.SetBytes(int64(len(chunk)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := pw.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	pw.Close()
	if err := <-copied; err != nil {
		b.Fatal(err)
	}
}
