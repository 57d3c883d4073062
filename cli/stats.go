package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
)

const statsDefaultTable = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

var statsHeaders = map[string]string{
	"ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %",
	"MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
	"BlockIO": "BLOCK I/O", "PIDs": "PIDS",
}

// clearScreen is what docker stats prints before each frame in stream mode.
const clearScreen = "\033[2J\033[H"

func (a *app) statsCommand() *cobra.Command {
	var all, noStream, noTrunc bool
	var format string
	cmd := newCommand("stats [OPTIONS] [CONTAINER...]", "Display a live stream of container(s) resource usage statistics", nil, nil)
	cmd.Long = "Display containers' resource use, read from their cgroups: CPU % (100% is one\n" +
		"core), memory use and limit, network and block I/O, and PIDs. The screen is\n" +
		"redrawn every second until ctrl-c; --no-stream prints one sample. NET I/O is\n" +
		"0B / 0B on the host's network, whose traffic is not the container's own."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		out, err := parseFormat(format, statsDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		s := &statsSampler{eng: eng, refs: args, all: all, trunc: !noTrunc, prev: map[string]*engine.Stats{}}
		if err := s.sample(ctx); err != nil {
			return err
		}
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(a.sys.statsInterval):
			}
			if err := s.sample(ctx); err != nil {
				return err
			}
			var frame bytes.Buffer
			if !noStream {
				frame.WriteString(clearScreen)
			}
			if err := out.write(&frame, statsHeaders, s.rows()); err != nil {
				return err
			}
			if _, err := a.stdout.Write(frame.Bytes()); err != nil || noStream {
				return err
			}
		}
	}
	flags := cmd.Flags()
	flags.BoolVarP(&all, "all", "a", false, "show all containers (default shows just running)")
	flags.BoolVar(&noStream, "no-stream", false, "disable streaming stats and only pull the first result")
	flags.BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	flags.StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Name}}, {{.CPUPerc}}…)")
	return cmd
}

// statsSampler keeps the last two samples of each container.
type statsSampler struct {
	eng   host.Containers
	refs  []string // as the user named them; empty: every (running) container
	all   bool
	trunc bool
	order []statsTarget
	prev  map[string]*engine.Stats
	cur   map[string]*engine.Stats
}

type statsTarget struct{ ref, id, name string }

func (s *statsSampler) sample(ctx context.Context) error {
	targets, err := s.targets(ctx)
	if err != nil {
		return err
	}
	if s.cur != nil {
		s.prev = s.cur
	}
	s.cur = map[string]*engine.Stats{}
	s.order = targets
	for _, t := range targets {
		st, err := s.eng.Stats(ctx, t.id)
		if err == nil {
			s.cur[t.id] = st
		}
	}
	return nil
}

func (s *statsSampler) targets(ctx context.Context) ([]statsTarget, error) {
	if len(s.refs) > 0 {
		var ts []statsTarget
		for _, ref := range s.refs {
			c, err := s.eng.Inspect(ctx, ref)
			if err != nil {
				return nil, err
			}
			ts = append(ts, statsTarget{ref: ref, id: c.ID, name: c.DisplayName()})
		}
		return ts, nil
	}
	list, err := s.eng.List(ctx, engine.ListOptions{All: s.all})
	if err != nil {
		return nil, err
	}
	ts := make([]statsTarget, len(list))
	for i, c := range list {
		ts[i] = statsTarget{ref: c.ID, id: c.ID, name: c.DisplayName()}
	}
	return ts, nil
}

func (s *statsSampler) rows() []any {
	rows := make([]any, len(s.order))
	for i, t := range s.order {
		r := statsRow{target: t, trunc: s.trunc}
		if cur := s.cur[t.id]; cur != nil {
			r.stats = *cur
			if prev := s.prev[t.id]; prev != nil {
				r.cpu = engine.CPUPercent(prev, cur)
			}
		}
		rows[i] = r
	}
	return rows
}

// statsRow is one container as stats's placeholders see it.
type statsRow struct {
	target statsTarget
	stats  engine.Stats
	cpu    float64
	trunc  bool
}

func (r statsRow) ID() string {
	if r.trunc {
		return truncateID(r.target.id)
	}
	return r.target.id
}

func (r statsRow) Container() string { return r.target.ref }
func (r statsRow) Name() string      { return r.target.name }
func (r statsRow) CPUPerc() string   { return fmt.Sprintf("%.2f%%", r.cpu) }

func (r statsRow) MemUsage() string {
	return bytesSize(r.stats.MemoryUsage) + " / " + bytesSize(r.stats.MemoryLimit)
}

func (r statsRow) MemPerc() string {
	if r.stats.MemoryLimit == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", float64(r.stats.MemoryUsage)/float64(r.stats.MemoryLimit)*100)
}

func (r statsRow) NetIO() string {
	return humanSize(int64(r.stats.NetRx)) + " / " + humanSize(int64(r.stats.NetTx))
}

func (r statsRow) BlockIO() string {
	return humanSize(int64(r.stats.BlockRead)) + " / " + humanSize(int64(r.stats.BlockWrite))
}

func (r statsRow) PIDs() string { return fmt.Sprintf("%d", r.stats.PidsCurrent) }

// MarshalJSON is {{json .}} and --format json, as docker.
func (r statsRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"ID": r.ID(), "Container": r.Container(), "Name": r.Name(), "CPUPerc": r.CPUPerc(),
		"MemUsage": r.MemUsage(), "MemPerc": r.MemPerc(), "NetIO": r.NetIO(),
		"BlockIO": r.BlockIO(), "PIDs": r.PIDs(),
	})
}
