package osthread

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// mainThreadEnv makes the test binary the helper of
// TestDiscardedSparesTheMainThread.
const mainThreadEnv = "_BERTH_OSTHREAD_MAIN_THREAD"

func TestMain(m *testing.M) {
	if os.Getenv(mainThreadEnv) == "1" {
		os.Exit(mainThreadHelper())
	}
	os.Exit(m.Run())
}

// mainThreadHelper calls Discarded from the main goroutine with one
// processor, so fn's goroutine is scheduled on the main thread once the
// main goroutine waits, and fn moves its thread to a UTS namespace of
// its own; the process's namespace (/proc/self, the main thread's) must
// not follow.
func mainThreadHelper() int {
	runtime.GOMAXPROCS(1)
	before, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		fmt.Println(err)
		return 2
	}
	onMain := false
	err = Discarded(func() error {
		onMain = onMain || unix.Gettid() == unix.Getpid()
		return unix.Unshare(unix.CLONE_NEWUTS)
	})
	if err != nil {
		fmt.Println(err)
		return 2
	}
	after, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		fmt.Println(err)
		return 2
	}
	if onMain || after != before {
		fmt.Printf("fn ran on the main thread: %v; the process's UTS namespace %s, before %s\n", onMain, after, before)
		return 1
	}
	return 0
}

func TestDiscardedSparesTheMainThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("unshare(CLONE_NEWUTS) needs root")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainThreadEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("Discarded from the main goroutine: %v: %s", err, out)
	}
}
