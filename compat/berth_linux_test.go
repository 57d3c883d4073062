package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"berth/engine/network"
	"berth/internal/testenv"
)

// privateBerth is berth on data and run roots of the harness's own, with
// its own cgroup parent and so its own default bridge and nftables table.
type privateBerth struct {
	bin           string
	env           []string
	root, runRoot string
}

// startBerth prepares berth under dir (which must be on a disk): the
// binary from $BERTH_COMPAT_BERTH, or built from this tree.
func startBerth(t testing.TB, dir string) *privateBerth {
	t.Helper()
	b := &privateBerth{bin: os.Getenv("BERTH_COMPAT_BERTH"), root: filepath.Join(dir, "root"), runRoot: filepath.Join(dir, "run")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if b.bin == "" {
		bin, err := testenv.BuildBerth("berth", dir)
		if err != nil {
			t.Fatal(err)
		}
		b.bin = bin
	}
	parent := fmt.Sprintf("berth-compat-b%d", os.Getpid())
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `{"cgroup-parent": %q}`, parent), 0o644); err != nil {
		t.Fatal(err)
	}
	b.env = append(os.Environ(), "BERTH_ROOT="+b.root, "BERTH_RUN_ROOT="+b.runRoot, "BERTH_CONFIG="+cfg)
	t.Cleanup(func() {
		if ids := strings.Fields(mustOutput(b.command("ps", "-aq", "--no-trunc"))); len(ids) > 0 {
			if out, err := b.command(append([]string{"rm", "-f"}, ids...)...).CombinedOutput(); err != nil {
				t.Errorf("berth rm -f: %v: %s", err, out)
			}
		}
		if out, err := b.command("network", "prune", "-f").CombinedOutput(); err != nil {
			t.Errorf("berth network prune: %v: %s", err, out)
		}
		bridge, _ := network.RootNames(b.root, false)
		if link, err := netlink.LinkByName(bridge); err == nil {
			if err := netlink.LinkDel(link); err != nil {
				t.Errorf("remove bridge %s: %v", bridge, err)
			}
		}
		for _, m := range testenv.MountsUnder(b.root, b.runRoot) {
			t.Errorf("berth left %s mounted", m)
		}
		cgroups, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
		for _, cg := range cgroups {
			if err := testenv.RemoveCgroupTree(cg); err != nil {
				t.Error(err)
			}
		}
	})
	return b
}

// command is berth with args on the private roots.
func (b *privateBerth) command(args ...string) *exec.Cmd {
	cmd := exec.Command(b.bin, args...)
	cmd.Env = b.env
	return cmd
}

func mustOutput(cmd *exec.Cmd) string {
	out, _ := cmd.Output()
	return string(out)
}
