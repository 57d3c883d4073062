package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"berth/internal/lazyregexp"
)

// TopResult is `berth top`'s table as docker's API has it: ps's column
// titles and, per process, its fields.
type TopResult struct {
	Titles    []string
	Processes [][]string
}

// ErrNoPS means the host has no ps(1), which `top` runs as docker's does.
var ErrNoPS = errors.New("ps is not installed on this host (install procps)")

// TopPS is `docker top CONTAINER [ps OPTIONS]`: the host's ps run with
// psArgs ("-ef" when none), rows kept for the container's processes
// (host PIDs, as docker shows them). The PIDs inside the container are
// Top's.
func (e *Engine) TopPS(ctx context.Context, ref string, psArgs []string) (*TopResult, error) {
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	if err := validatePSArgs(psArgs); err != nil {
		return nil, err
	}
	c, pids, err := e.processes(ref)
	if err != nil {
		return nil, err
	}
	ps, err := exec.LookPath("ps")
	if err != nil {
		return nil, fmt.Errorf("top %s: %w", c.DisplayName(), ErrNoPS)
	}
	out, err := runPS(ctx, ps, append(slices.Clone(psArgs), pidsArg(pids)))
	if err != nil {
		// Some options (f, for one) do not go with -q: list everything
		// and keep the container's rows.
		if out, err = runPS(ctx, ps, psArgs); err != nil {
			return nil, fmt.Errorf("top %s: ps: %w", c.DisplayName(), err)
		}
	}
	res, err := parsePSOutput(out, pids)
	if err != nil {
		return nil, fmt.Errorf("top %s: %w", c.DisplayName(), err)
	}
	return res, nil
}

// runPS runs ps; its error is the first line ps wrote on stderr.
func runPS(ctx context.Context, ps string, args []string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ps, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); line != "" {
			return nil, errors.New(line)
		}
		return nil, err
	}
	return out, nil
}

// pidsArg is ps's -q (quick PID selection) over pids.
func pidsArg(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return "-q" + strings.Join(s, ",")
}

// psKeyEqualsPID finds "key=PID…" in ps options: a renamed PID column,
// which would hide the column rows are matched by.
var psKeyEqualsPID = lazyregexp.New(`\s+([^\s]*)=\s*(PID[^\s]*)`)

// validatePSArgs refuses what docker refuses: a column renamed to PID
// ("-o user=PID"), which would be taken for the process ID.
func validatePSArgs(args []string) error {
	for _, m := range psKeyEqualsPID().FindAllStringSubmatch(" "+strings.Join(args, " "), -1) {
		if m[1] != "pid" {
			return fmt.Errorf("specifying \"%s=%s\" is not allowed", m[1], m[2])
		}
	}
	return nil
}

// parsePSOutput reads ps's table, keeping the rows of pids: the PID
// column finds them; a thread row ("-" as its PID, from -L or m) goes
// with the process above it; the last column (the command) keeps its
// spaces.
func parsePSOutput(out []byte, pids []int) (*TopResult, error) {
	lines := strings.Split(string(out), "\n")
	res := &TopResult{Titles: fieldsASCII(lines[0]), Processes: [][]string{}}
	pidCol := slices.Index(res.Titles, "PID")
	if pidCol < 0 {
		return nil, errors.New("couldn't find PID field in ps output")
	}
	keep := false
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		fields := fieldsASCII(line)
		if pidCol >= len(fields) {
			return nil, fmt.Errorf("unexpected ps output line %q", line)
		}
		if fields[pidCol] != "-" {
			pid, err := strconv.Atoi(fields[pidCol])
			if err != nil {
				return nil, fmt.Errorf("unexpected pid %q in ps output: %w", fields[pidCol], err)
			}
			keep = slices.Contains(pids, pid)
		}
		if !keep {
			continue
		}
		if n := len(res.Titles); len(fields) > n {
			fields[n-1] = strings.Join(fields[n-1:], " ")
			fields = fields[:n]
		}
		res.Processes = append(res.Processes, fields)
	}
	return res, nil
}

// fieldsASCII splits on ASCII white space only, so that a command's
// non-ASCII spaces stay in it (as docker's).
func fieldsASCII(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	})
}
