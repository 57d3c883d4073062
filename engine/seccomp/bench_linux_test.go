package seccomp

import "testing"

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
