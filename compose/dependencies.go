package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/host"
)

// pollInterval is how often a container's state is read while up waits
// for a condition on it.
const pollInterval = 200 * time.Millisecond

// errNotYet is a condition not met yet.
var errNotYet = errors.New("not yet")

// waitDependencies waits until every dependency of service s meets its
// condition: service_started (its containers started),
// service_healthy (healthy), service_completed_successfully (exited
// 0). A dependency that can no longer meet it fails s, unless it is
// not required.
func waitDependencies(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, out io.Writer) error {
	for _, name := range slices.Sorted(maps.Keys(s.DependsOn)) {
		dep := s.DependsOn[name]
		if _, enabled := p.Services[name]; !enabled {
			continue // not in the selected services or profiles
		}
		if d := p.Services[name]; d.GetScale() == 0 {
			continue // scaled to nothing: nothing to wait for
		}
		err := waitCondition(ctx, h, p.Name, name, dep.Condition, out)
		if err != nil && !dep.Required {
			progress(out, "Service", name, "optional dependency failed: "+err.Error())
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// waitCondition waits until every container of service meets condition.
func waitCondition(ctx context.Context, h host.Host, project, service, condition string, out io.Writer) error {
	if condition == "" {
		condition = types.ServiceConditionStarted
	}
	containers, err := Containers(ctx, h, project, []string{service}, true, false)
	if err != nil {
		return err
	}
	// A dependency is converged before its dependents are visited, so
	// none at all means it failed (the graph walk may still visit a
	// dependent of a failed service before it stops).
	if len(containers) == 0 {
		return fmt.Errorf("dependency failed to start: service %q has no container", service)
	}
	for _, c := range containers {
		name := strings.TrimPrefix(c.Name, "/")
		if condition == types.ServiceConditionHealthy {
			progress(out, "Container", name, "Waiting")
		}
		for {
			now, err := h.Inspect(ctx, c.ID)
			if err != nil {
				return fmt.Errorf("dependency %s: %w", name, err)
			}
			err = conditionMet(now, service, condition)
			if err == nil {
				break
			}
			if !errors.Is(err, errNotYet) {
				return err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", name, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
		if condition == types.ServiceConditionHealthy {
			progress(out, "Container", name, "Healthy")
		}
	}
	return nil
}

// conditionMet is nil when container c of service meets condition,
// errNotYet while it may still, and the reason it never will otherwise.
func conditionMet(c *engine.Container, service, condition string) error {
	name := strings.TrimPrefix(c.Name, "/")
	st := c.State
	exited := st.Status == engine.StatusExited || st.Status == engine.StatusDead
	switch condition {
	case types.ServiceConditionStarted:
		if !st.StartedAt.IsZero() {
			return nil
		}
		if exited {
			return fmt.Errorf("dependency failed to start: container %s exited (%d)", name, st.ExitCode)
		}
		return errNotYet
	case types.ServiceConditionHealthy:
		switch {
		case c.Config.Healthcheck == nil && (st.Health == nil):
			return fmt.Errorf("dependency failed to start: container %s has no healthcheck configured", name)
		case exited:
			return fmt.Errorf("dependency failed to start: container %s exited (%d)", name, st.ExitCode)
		case st.Health != nil && st.Health.Status == engine.HealthHealthy:
			return nil
		case st.Health != nil && st.Health.Status == engine.HealthUnhealthy:
			return fmt.Errorf("dependency failed to start: container %s is unhealthy", name)
		}
		return errNotYet
	case types.ServiceConditionCompletedSuccessfully:
		if !exited || st.StartedAt.IsZero() {
			return errNotYet
		}
		if st.ExitCode != 0 {
			return fmt.Errorf("service %q didn't complete successfully: exit %d", service, st.ExitCode)
		}
		return nil
	}
	return fmt.Errorf("depends_on condition %q: not one of service_started, service_healthy, service_completed_successfully", condition)
}
