package compose

import (
	"context"
	"strconv"
	"testing"

	"berth/engine"
	"berth/host"
)

// listHost is a host whose only containers are list; every other call
// panics (the embedded nil Host).
type listHost struct {
	host.Host
	list []*engine.Container
}

func (h listHost) List(_ context.Context, o engine.ListOptions) ([]*engine.Container, error) {
	var out []*engine.Container
	for _, c := range h.list {
		if o.All || c.State.Running() {
			out = append(out, c)
		}
	}
	return out, nil
}

func container(name, service string, n int, oneoff bool, status engine.Status) *engine.Container {
	labels := map[string]string{LabelProject: "proj", LabelService: service, LabelOneoff: "False"}
	if oneoff {
		labels[LabelOneoff] = "True"
	} else {
		labels[LabelNumber] = strconv.Itoa(n)
	}
	return &engine.Container{ID: name, Name: "/" + name, State: engine.State{Status: status},
		Config: engine.ContainerConfig{Labels: labels}}
}

// TestServiceContainer is exec's and port's choice of container.
func TestServiceContainer(t *testing.T) {
	h := listHost{list: []*engine.Container{
		container("proj-web-run-abc", "web", 0, true, engine.StatusRunning),
		container("proj-web-3", "web", 3, false, engine.StatusRunning),
		container("proj-web-2", "web", 2, false, engine.StatusRunning),
		container("proj-web-1", "web", 1, false, engine.StatusExited),
		container("proj-job-run-def", "job", 0, true, engine.StatusRunning),
		container("proj-db-1", "db", 1, false, engine.StatusExited),
	}}
	tests := []struct {
		service string
		index   int
		want    string // container, or the error
	}{
		{"web", 0, "proj-web-2"},
		{"web", 3, "proj-web-3"},
		{"web", 1, `service "web" is not running container #1`},
		{"job", 0, "proj-job-run-def"},
		{"db", 0, `service "db" is not running`},
		{"none", 0, `service "none" is not running`},
	}
	for _, tt := range tests {
		c, err := ServiceContainer(context.Background(), h, "proj", tt.service, tt.index)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = c.DisplayName()
		}
		if got != tt.want {
			t.Errorf("ServiceContainer(%s, %d) = %s, want %s", tt.service, tt.index, got, tt.want)
		}
	}
}

// TestRemovable is what compose rm offers: stopped containers of
// services, not run's.
func TestRemovable(t *testing.T) {
	h := listHost{list: []*engine.Container{
		container("proj-web-1", "web", 1, false, engine.StatusExited),
		container("proj-web-2", "web", 2, false, engine.StatusRunning),
		container("proj-web-run-abc", "web", 0, true, engine.StatusExited),
		container("proj-db-1", "db", 1, false, engine.StatusCreated),
	}}
	for services, want := range map[string]string{"": "proj-db-1 proj-web-1", "web": "proj-web-1"} {
		var args []string
		if services != "" {
			args = []string{services}
		}
		list, err := Removable(context.Background(), h, "proj", args, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, c := range list {
			if got != "" {
				got += " "
			}
			got += c.DisplayName()
		}
		if got != want {
			t.Errorf("Removable(%q) = %q, want %q", services, got, want)
		}
	}
}
