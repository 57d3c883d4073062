package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// helloWorld is the anchor of a do-nothing start: the least a Go program
// that prints a line costs.
const helloWorld = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// BenchmarkVersion is a do-nothing start of the binary, `berth version`,
// as a whole process, beside a hello-world Go program built with the
// same toolchain (issue 16's goal: within 1.2× of it), medians of at
// least 20 runs of each, interleaved.
func BenchmarkVersion(b *testing.B) {
	bin, err := berthBinary()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.go"), []byte(helloWorld), 0o644); err != nil {
		b.Fatal(err)
	}
	hello := filepath.Join(dir, "hello")
	build := exec.Command("go", "build", "-o", hello, "hello.go")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build hello.go: %v: %s", err, out)
	}
	env := os.Environ()
	runs := max(b.N, 20)
	var berth, anchor []time.Duration
	for range runs {
		berth = append(berth, timedRun(b, env, bin, "version"))
		anchor = append(anchor, timedRun(b, env, hello))
	}
	v, h := median(berth), median(anchor)
	b.ReportMetric(ms(v), "ms-median")
	b.ReportMetric(ms(h), "ms-hello")
	b.ReportMetric(float64(v)/float64(h), "x-hello")
	b.Logf("berth version: median %.1f ms over %d runs; a hello-world Go program: %.1f ms; berth takes %.2f× its time (goal: at most 1.2×)",
		ms(v), runs, ms(h), float64(v)/float64(h))
}
