package seccomp

import (
	"os"
	"testing"

	"berth/internal/osthread"
	"berth/ptyexec/nsenter"
)

// BenchmarkCompileDefault measures what a container start would pay to
// resolve and compile Docker's default profile.
func BenchmarkCompileDefault(b *testing.B) {
	host, err := HostOf(defaultCaps)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		pol, err := Resolve(Default(), host)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(pol); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveDefault measures the pure half alone.
func BenchmarkResolveDefault(b *testing.B) {
	host, err := HostOf(defaultCaps)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Resolve(Default(), host); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedProgram measures what a container start pays once the
// program is cached: resolve, key, read.
func BenchmarkCachedProgram(b *testing.B) {
	host, err := HostOf(defaultCaps)
	if err != nil {
		b.Fatal(err)
	}
	c := Cache{Dir: b.TempDir()}
	for b.Loop() {
		pol, err := Resolve(Default(), host)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Program(pol); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDefault measures what init pays to install the compiled
// default profile: each load runs on a thread of its own, which exits
// with its filter (a locked goroutine that returns takes its thread along).
func BenchmarkLoadDefault(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("installing a filter without no_new_privs needs root")
	}
	host, err := HostOf(defaultCaps)
	if err != nil {
		b.Fatal(err)
	}
	pol, err := Resolve(Default(), host)
	if err != nil {
		b.Fatal(err)
	}
	prog, err := Compile(pol)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		// The filter stays on the thread, which is thrown away after.
		if err := osthread.Discarded(func() error { return nsenter.LoadSeccomp(prog) }); err != nil {
			b.Fatal(err)
		}
	}
}
