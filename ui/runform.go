package ui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
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
	fieldCount
)

var runFieldLabels = [fieldCount]string{
	"Image", "Name", "Command", "Env", "Memory", "CPUs", "Pids limit", "Restart", "Ports",
}

var runFieldHints = [fieldCount]string{
	"busybox:latest",
	"empty: a random name",
	`sh -c "while :; do date; sleep 1; done"`,
	"A=1 B=two",
	"512m, 1g (empty: no limit)",
	"1.5 (empty: no limit)",
	"100 (empty: no limit)",
	"no, on-failure[:N], always, unless-stopped",
	"8080:80 127.0.0.1:8443:443/tcp",
}

// runFormModel is the form that runs a new container.
type runFormModel struct{ form }

func newRunFormModel(sh *shared, im *Image) runFormModel {
	f := newForm(sh, " Run a new container", "runs", runFieldLabels[:], runFieldHints[:])
	if im != nil && !im.Dangling {
		f.inputs[fieldImage].SetValue(im.Repository + ":" + im.Tag)
		f.focus = int(fieldName)
	} else if im != nil {
		f.inputs[fieldImage].SetValue(im.ID)
		f.focus = int(fieldName)
	}
	return runFormModel{f}
}

func (m runFormModel) setSize(w, h int) runFormModel {
	m.form = m.form.setWidth(w)
	return m
}

func (m runFormModel) update(msg tea.Msg) (runFormModel, tea.Cmd) {
	var submit bool
	var cmd tea.Cmd
	if m.form, submit, cmd = m.form.update(msg); !submit {
		return m, cmd
	}
	opts, err := m.options()
	if err != nil {
		m.err = err.Error()
		return m, nil
	}
	sh := m.sh
	return m, tea.Batch(func() tea.Msg { return backMsg{} }, infoCmd("starting a container from "+opts.Config.Image+"…"),
		func() tea.Msg {
			c, err := sh.backend.Run(sh.ctx, opts)
			if err != nil {
				return actionMsg{what: "run " + opts.Config.Image, err: err}
			}
			return actionMsg{what: "started " + c.DisplayName()}
		})
}

// options builds the create options from the fields.
func (m runFormModel) options() (engine.CreateOptions, error) {
	v := func(f runField) string { return m.value(int(f)) }
	return buildRunOptions(runSpec{
		Image: v(fieldImage), Name: v(fieldName), Command: v(fieldCommand), Env: v(fieldEnv),
		Memory: v(fieldMemory), CPUs: v(fieldCPUs), Pids: v(fieldPids), Restart: v(fieldRestart), Ports: v(fieldPorts),
	})
}

// runSpec is the run form as text.
type runSpec struct {
	Image, Name, Command, Env, Memory, CPUs, Pids, Restart, Ports string
}

// buildRunOptions parses the form the way `berth run` parses its flags.
func buildRunOptions(s runSpec) (engine.CreateOptions, error) {
	var o engine.CreateOptions
	if s.Image == "" {
		return o, fmt.Errorf("%w: an image is required", ErrBadInput)
	}
	o.Name = s.Name
	o.Config.Image = s.Image
	if s.Command != "" {
		args, err := splitCommand(s.Command)
		if err != nil {
			return o, err
		}
		o.Config.Cmd = args
	}
	if s.Env != "" {
		env, err := splitCommand(s.Env)
		if err != nil {
			return o, err
		}
		for _, e := range env {
			if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
				return o, fmt.Errorf("%w: env %q is not NAME=value", ErrBadInput, e)
			}
		}
		o.Config.Env = env
	}
	if s.Memory != "" {
		n, err := parseMemory(s.Memory)
		if err != nil {
			return o, err
		}
		o.HostConfig.Memory = n
	}
	if s.CPUs != "" {
		f, err := strconv.ParseFloat(s.CPUs, 64)
		if err != nil || f <= 0 {
			return o, fmt.Errorf("%w: cpus %q is not a positive number", ErrBadInput, s.CPUs)
		}
		o.HostConfig.NanoCPUs = int64(f * 1e9)
	}
	if s.Pids != "" {
		n, err := strconv.ParseInt(s.Pids, 10, 64)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("%w: pids limit %q is not a positive number", ErrBadInput, s.Pids)
		}
		o.HostConfig.PidsLimit = &n
	}
	rp, err := parseRestart(s.Restart)
	if err != nil {
		return o, err
	}
	o.HostConfig.RestartPolicy = rp
	if s.Ports != "" {
		bindings, exposed, err := parsePorts(s.Ports)
		if err != nil {
			return o, err
		}
		o.HostConfig.PortBindings, o.Config.ExposedPorts = bindings, exposed
	}
	return o, nil
}

// parseMemory reads docker's memory sizes: a number with an optional
// b, k, m, g suffix (1024-based).
func parseMemory(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "b")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%w: memory %q is not a size like 512m", ErrBadInput, s)
	}
	return int64(f * float64(mult)), nil
}

// parseRestart reads --restart: no, always, unless-stopped, on-failure[:N].
func parseRestart(s string) (engine.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	switch name {
	case "", "no":
		if hasCount {
			break
		}
		return engine.RestartPolicy{Name: "no"}, nil
	case "always", "unless-stopped":
		if hasCount {
			break
		}
		return engine.RestartPolicy{Name: name}, nil
	case "on-failure":
		p := engine.RestartPolicy{Name: name}
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				break
			}
			p.MaximumRetryCount = n
		}
		return p, nil
	}
	return engine.RestartPolicy{}, fmt.Errorf("%w: restart policy %q", ErrBadInput, s)
}

// parsePorts reads -p values separated by spaces or commas:
// [ip:]hostPort:containerPort[/proto] or containerPort[/proto].
func parsePorts(s string) (map[string][]engine.PortBinding, map[string]struct{}, error) {
	bindings := map[string][]engine.PortBinding{}
	exposed := map[string]struct{}{}
	for _, spec := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		rest, proto, _ := strings.Cut(spec, "/")
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			return nil, nil, fmt.Errorf("%w: port %q: protocol must be tcp or udp", ErrBadInput, spec)
		}
		parts := strings.Split(rest, ":")
		var ip, host, cport string
		switch len(parts) {
		case 1:
			cport = parts[0]
		case 2:
			host, cport = parts[0], parts[1]
		case 3:
			ip, host, cport = parts[0], parts[1], parts[2]
		default:
			return nil, nil, fmt.Errorf("%w: port %q", ErrBadInput, spec)
		}
		if !validPort(cport) || (host != "" && !validPort(host)) {
			return nil, nil, fmt.Errorf("%w: port %q: ports are 1-65535", ErrBadInput, spec)
		}
		key := cport + "/" + proto
		exposed[key] = struct{}{}
		if len(parts) > 1 {
			bindings[key] = append(bindings[key], engine.PortBinding{HostIP: ip, HostPort: host})
		}
	}
	return bindings, exposed, nil
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// splitCommand splits a command line into words, honouring single and
// double quotes and backslash escapes, as a shell would for plain words.
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("%w: unterminated quote in %q", ErrBadInput, s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
