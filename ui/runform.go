package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/config"
	"berth/engine"
	"berth/host/runopts"
)

// backMsg asks the root to close the screen on view.
type backMsg struct{}

// runField names the fields of the run form, in order.
type runField int

const (
	fieldImage runField = iota
	fieldName
	fieldCommand
	fieldEnv
	fieldMemory
	fieldCPUs
	fieldPids
	fieldRestart
	fieldPorts
	fieldVolumes
	fieldNetwork
	fieldTTY
	fieldWorkdir
	fieldUser
	fieldOptions
	fieldCount
)

var runFieldLabels = [fieldCount]string{
	"Image", "Name", "Command", "Env", "Memory", "CPUs", "Pids limit", "Restart", "Ports",
	"Volumes", "Network", "TTY", "Workdir", "User", "Options",
}

var runFieldHints = [fieldCount]string{
	"busybox:latest",
	"empty: a random name",
	`sh -c "while :; do date; sleep 1; done"`,
	"A=1 B=two",
	"512m, 1GiB (empty: no limit)",
	"1.5 (empty: no limit)",
	"100, -1 (empty: no limit)",
	"no, on-failure[:N], always, unless-stopped",
	"8080:80 127.0.0.1:8443:443/tcp 8000-8001:80-81",
	"/srv/data:/data:ro cache:/cache (-v, one per word)",
	"bridge, host, none or a network's name (empty: the default)",
	"yes: a terminal (-t), empty: none",
	"/app (-w)",
	"nobody, 1000:1000 (-u)",
	"more berth run flags: --read-only -l team=core",
}

// runFormModel is the form that runs a new container. It stays open
// until the container has started: a start error is shown in the form,
// with what was typed kept for another try.
type runFormModel struct {
	form
	gen      int  // the root's generation when it opened: its runs' answers carry it
	starting bool // a run is under way: enter does not start another
}

// runFailedMsg is the run form's start failing; gen is the form's.
type runFailedMsg struct {
	gen  int
	what string
	err  error
}

func newRunFormModel(sh *shared, gen int, im *Image) runFormModel {
	f := newForm(sh, " Run a new container", "runs", runFieldLabels[:], runFieldHints[:])
	if im != nil && !im.Dangling {
		f.inputs[fieldImage].SetValue(im.Repository + ":" + im.Tag)
		f.focus = int(fieldName)
	} else if im != nil {
		f.inputs[fieldImage].SetValue(im.ID)
		f.focus = int(fieldName)
	}
	return runFormModel{form: f, gen: gen}
}

func (m runFormModel) setSize(w, h int) runFormModel {
	m.form = m.form.setWidth(w)
	return m
}

func (m runFormModel) update(msg tea.Msg) (runFormModel, tea.Cmd) {
	if failed, ok := msg.(runFailedMsg); ok {
		m.starting = false
		m.err = fmt.Sprintf("%s: %v", failed.what, failed.err)
		return m, nil
	}
	var submit bool
	var cmd tea.Cmd
	if m.form, submit, cmd = m.form.update(msg); !submit || m.starting {
		return m, cmd
	}
	v := func(f runField) string { return m.value(int(f)) }
	run, opts, warnings, err := runOptions(runSpec{
		Image: v(fieldImage), Name: v(fieldName), Command: v(fieldCommand), Env: v(fieldEnv),
		Memory: v(fieldMemory), CPUs: v(fieldCPUs), Pids: v(fieldPids), Restart: v(fieldRestart), Ports: v(fieldPorts),
		Volumes: v(fieldVolumes), Network: v(fieldNetwork), TTY: v(fieldTTY), Workdir: v(fieldWorkdir), User: v(fieldUser),
		Options: v(fieldOptions),
	}, m.sh.runSettings, runopts.HostFiles{LookupEnv: os.LookupEnv, Abs: filepath.Abs})
	if err != nil {
		m.err = err.Error()
		return m, nil
	}
	starting := "starting a container from " + opts.Config.Image + "…"
	for _, w := range warnings {
		starting += " WARNING: " + w
	}
	sh, gen := m.sh, m.gen
	m.starting, m.err = true, ""
	return m, tea.Batch(infoCmd(starting),
		func() tea.Msg {
			c, err := sh.backend.Run(sh.ctx, opts, run.Pull)
			if err != nil {
				return runFailedMsg{gen: gen, what: "run " + opts.Config.Image, err: err}
			}
			return runStartedMsg{gen: gen, name: c.DisplayName()}
		})
}

// runStartedMsg closes the run form of generation gen: its container
// has started. A form left before its run started is not the one on
// view, even when another run form is.
type runStartedMsg struct {
	gen  int
	name string
}

// ownedBy says the form on view (state s) is the one of generation gen.
func (m runFormModel) ownedBy(s state, gen int) bool { return s == stateRunForm && m.gen == gen }

// runSpec is the run form as text.
type runSpec struct {
	Image, Name, Command, Env, Memory, CPUs, Pids, Restart, Ports, Options string
	Volumes, Network, TTY, Workdir, User                                   string
}

// runOptions turns the form into `berth run -d` flags, each field the
// flag it is named for (Env and Ports split into one flag per word,
// Options added as typed), and parses them with berth run's own rules
// and messages (the flags tell the pull policy); settings are berth's (default network, cgroup parent,
// log options: nil for the defaults).
func runOptions(s runSpec, settings *config.Config, host runopts.HostFiles) (*runopts.Flags, engine.CreateOptions, []string, error) {
	args := []string{"--detach"}
	single := []struct{ flag, value string }{
		{"--name", s.Name}, {"--memory", s.Memory}, {"--cpus", s.CPUs}, {"--pids-limit", s.Pids}, {"--restart", s.Restart},
		{"--network", s.Network}, {"--workdir", s.Workdir}, {"--user", s.User},
	}
	for _, f := range single {
		if f.value != "" {
			args = append(args, f.flag+"="+f.value)
		}
	}
	tty, err := yesNo(s.TTY)
	if err != nil {
		return nil, engine.CreateOptions{}, nil, fmt.Errorf("tty: %w", err)
	}
	if tty {
		args = append(args, "--tty")
	}
	for _, f := range []struct{ flag, words string }{{"--env", s.Env}, {"--publish", s.Ports}, {"--volume", s.Volumes}} {
		words, err := runopts.SplitWords(f.words)
		if err != nil {
			return nil, engine.CreateOptions{}, nil, fmt.Errorf("%s: %w", strings.TrimPrefix(f.flag, "--"), err)
		}
		for _, w := range words {
			args = append(args, f.flag+"="+w)
		}
	}
	more, err := runopts.SplitWords(s.Options)
	if err != nil {
		return nil, engine.CreateOptions{}, nil, fmt.Errorf("options: %w", err)
	}
	command, err := runopts.SplitWords(s.Command)
	if err != nil {
		return nil, engine.CreateOptions{}, nil, fmt.Errorf("command: %w", err)
	}
	if settings == nil {
		settings = &config.Config{DefaultNetwork: config.DefaultNetwork}
	}
	return runopts.Parse(append(args, more...), s.Image, command, settings, host)
}

// yesNo reads a yes/no field: empty is no.
func yesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "n", "no", "false", "off":
		return false, nil
	case "y", "yes", "true", "on":
		return true, nil
	}
	return false, fmt.Errorf("%w: %q: want yes or no", ErrBadInput, s)
}
