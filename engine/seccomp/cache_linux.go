package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"berth/internal/atomicfile"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// Cache keeps compiled programs in a directory, one file per resolved
// policy. libseccomp takes about 20 ms to compile Docker's profile, more
// than a whole container start should cost; reading the program back
// takes microseconds, so a start pays the compile once per policy (per
// capability set, in practice), as crun caches its filters. Put Dir where
// a reboot empties it (the run root): a new kernel may resolve a profile
// differently, though the key (the resolved rules, the architecture and
// libseccomp's version) already changes with everything that shapes the
// program.
type Cache struct {
	Dir string
}

// Program returns the compiled program of pol, from the cache or compiled
// and stored there.
func (c Cache) Program(pol *specs.LinuxSeccomp) ([]byte, error) {
	key, err := cacheKey(pol)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(c.Dir, key+".bpf")
	if prog, err := os.ReadFile(file); err == nil && len(prog) > 0 && len(prog)%8 == 0 {
		return prog, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read cached seccomp filter: %w", err)
	}
	prog, err := Compile(pol)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("make seccomp cache: %w", err)
	}
	if err := atomicfile.WriteFile(file, prog, 0o600); err != nil {
		return nil, fmt.Errorf("cache seccomp filter: %w", err)
	}
	return prog, nil
}

// stubVersion changes whenever Compile's output does (enosysStub's, or
// how libseccomp is asked to lay the program out), so that no cached
// program outlives the code that made it.
const stubVersion = 2

// cacheKey names a policy's program: a digest of everything that shapes it.
func cacheKey(pol *specs.LinuxSeccomp) (string, error) {
	rules, err := json.Marshal(pol)
	if err != nil {
		return "", fmt.Errorf("encode seccomp policy: %w", err)
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	h := sha256.New()
	fmt.Fprintf(h, "%s libseccomp %d.%d.%d stub %d\n", runtime.GOARCH, major, minor, micro, stubVersion)
	h.Write(rules)
	return hex.EncodeToString(h.Sum(nil)), nil
}
