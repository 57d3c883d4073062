// Package compat holds the side-by-side harness: the same command lines,
// written as a Docker user types them (cases.txt), run against a real
// Docker and against berth, compared on exit code and on standard output
// after normalising what cannot be equal between two engines (IDs,
// generated names, times, durations, sizes, addresses, each side's own
// directories; see Normaliser). Standard error is shown, not compared.
//
// Run it as root with `make test-compat`, which is
//
//	BERTH_COMPAT=1 BERTH_COMPAT_DOCKER=/path/to/unpacked/docker.io \
//	    go test -count=1 -v -run '^TestSideBySide$' ./compat/
//
// BERTH_COMPAT_DOCKER is a directory holding usr/sbin/dockerd and
// usr/bin/docker (Debian's docker.io, containerd, runc and tini unpacked
// with dpkg -x, as the README says); without it dockerd and docker come
// from PATH. BERTH_COMPAT_RUN=REGEXP runs only the cases whose title
// matches; BERTH_COMPAT_REPORT=FILE also writes the report there;
// BERTH_COMPAT_BERTH=BINARY tests that binary instead of building one.
//
// The harness starts its own dockerd (own data root, exec root, socket,
// cgroup parent and containerd, --bridge=none, no iptables rules) and
// stops it by PID, removing all it made, even when the test fails. berth
// runs on private roots too. Each case runs on both sides at once, each
// in a fresh working directory, then everything the case made is
// removed. It prints "N same of M", then each differing case with a short
// diff, then the cases where berth differs on purpose (a "why:" line in
// cases.txt), which are not failures; the test fails while any other case
// differs.
//
// It is a Go test behind an environment variable rather than a separate
// program so that `make lint` and `make test` still compile and vet it
// (a build tag would hide it from both) and so that it can share
// internal/testenv's offline busybox; the pure parts (the case format,
// the normaliser, the line diff) are tested in every `make test`.
//
// Where to start reading: cases.txt, then TestSideBySide, then Normalise.
package compat
