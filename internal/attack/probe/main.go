// Command probe is the attacker inside a container in berth's security
// tests: each subcommand tries one escape and prints what it got, so that a
// test can fail when the escape works. It refuses to do anything unless / is
// an overlay mount (a berth container's rootfs), so that a probe run by
// mistake on the host attacks nothing.
//
// Every attack lives in a file of its own that registers itself in init;
// `probe NAME ARGS…` runs one. Exit status: 0 the attempt ran (its output
// says whether the wall held), 2 usage, 3 not inside a container.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// attacks are the subcommands, by name.
var attacks = map[string]func(args []string) error{}

// register adds an attack; each attack file calls it from init.
func register(name string, fn func(args []string) error) { attacks[name] = fn }

func main() {
	inside, err := rootIsOverlay()
	if err != nil || !inside {
		fmt.Fprintf(os.Stderr, "probe: refusing to run: / is not an overlay mount, so this is not a berth container (%v)\n", err)
		os.Exit(3)
	}
	if len(os.Args) < 2 || attacks[os.Args[1]] == nil {
		names := make([]string, 0, len(attacks))
		for n := range attacks {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: probe ATTACK [ARG…]; attacks: %s\n", strings.Join(names, ", "))
		os.Exit(2)
	}
	if err := attacks[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "probe %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// rootIsOverlay reports whether the mount at / (the last one listed there
// in mountinfo, the one in force) is an overlay.
func rootIsOverlay() (bool, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }()
	fstype := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional…] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields := strings.Fields(pre)
		if !ok || len(fields) < 5 || fields[4] != "/" {
			continue
		}
		if f := strings.Fields(post); len(f) > 0 {
			fstype = f[0]
		}
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	return fstype == "overlay", nil
}
