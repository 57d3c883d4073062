package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"berth/engine"
	"berth/host"
)

// LogsOptions are `compose logs`' choices of what to read.
type LogsOptions struct {
	Services []string // none: every service
	Follow   bool
	Tail     int // -1: all
	Since    time.Time
	Until    time.Time
}

// LogLine is one line of one of a project's containers.
type LogLine struct {
	// Name is the container's name within the project: "web-1", as
	// Docker Compose prefixes its lines.
	Name    string
	Service string
	Entry   engine.LogEntry
}

// Logs reads the logs of project's containers (of o.Services, or all)
// and hands each line to fn, interleaved as they come: every container
// is read at once, and fn is called from one goroutine at a time. With
// Follow it returns when every container's log ended (the containers
// stopped) or ctx is done.
func Logs(ctx context.Context, h host.Host, project string, o LogsOptions, fn func(LogLine) error) error {
	containers, err := Containers(ctx, h, project, o.Services, true, false)
	if err != nil {
		return err
	}
	if len(containers) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, len(containers))
	)
	opts := engine.LogsOptions{Follow: o.Follow, Tail: o.Tail, Since: o.Since, Until: o.Until, Stdout: true, Stderr: true}
	for i, c := range containers {
		line := LogLine{Name: NameInProject(project, c), Service: c.Config.Labels[LabelService]}
		wg.Go(func() {
			err := h.Logs(ctx, c.ID, opts, func(e engine.LogEntry) error {
				mu.Lock()
				defer mu.Unlock()
				l := line
				l.Entry = e
				return fn(l)
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				errs[i] = fmt.Errorf("logs of %s: %w", line.Name, err)
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// NameInProject is a container's name without its project's prefix:
// "web-1" for project-web-1 (and for docker-compose 1.29's
// project_web_1), the whole name for one named by container_name.
func NameInProject(project string, c *engine.Container) string {
	name := strings.TrimPrefix(c.Name, "/")
	for _, sep := range []string{"-", "_"} {
		if rest, ok := strings.CutPrefix(name, project+sep); ok {
			return strings.ReplaceAll(rest, "_", "-")
		}
	}
	return name
}
