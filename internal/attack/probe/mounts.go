package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	register("swap-symlink", swapSymlink)
}

// swapSymlink DIR TARGET SECONDS races berth's mount setup: for SECONDS it
// swaps the directory DIR (in a volume another container binds below) with
// a symlink to TARGET, atomically and as fast as it can, so that a runtime
// that checks DIR and then uses it by path follows the link. TARGET is a
// host path the test owns; the attack worked if anything appears there.
func swapSymlink(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: swap-symlink DIR TARGET SECONDS")
	}
	dir, target := args[0], args[1]
	secs, err := strconv.Atoi(args[2])
	if err != nil {
		return fmt.Errorf("seconds %q: %w", args[2], err)
	}
	link := dir + ".link"
	if err := os.Symlink(target, link); err != nil {
		return err
	}
	swaps := 0
	for deadline := time.Now().Add(time.Duration(secs) * time.Second); time.Now().Before(deadline); {
		for range 1000 {
			if err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
				return fmt.Errorf("exchange %s and %s: %w", dir, link, err)
			}
			swaps++
		}
	}
	fmt.Printf("swapped %d times\n", swaps)
	return nil
}
