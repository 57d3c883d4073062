package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"berth/api"
)

// contextCommand is `berth context create|ls|use|rm|inspect`: named
// machines, as docker's contexts. The store is contexts.json in the
// user's configuration directory (contextstore.go); neither root nor
// berth's settings are needed.
func (a *app) contextCommand() *cobra.Command {
	cmd := groupCommand("context COMMAND", "Manage contexts: named hosts to manage")
	cmd.AddCommand(a.contextCreateCommand(), a.contextLsCommand(), a.contextUseCommand(),
		a.contextRmCommand(), a.contextInspectCommand(), a.contextShowCommand())
	for _, c := range cmd.Commands() {
		c.Annotations = map[string]string{needsNothing: "true"}
	}
	return cmd
}

// contexts opens the user's contexts and reads them.
func (a *app) contexts() (contextStore, contextFile, error) {
	store, err := openContextStore(a.sys.getenv)
	if err != nil {
		return store, contextFile{}, fmt.Errorf("contexts: %w", err)
	}
	f, err := store.load()
	return store, f, err
}

func (a *app) contextCreateCommand() *cobra.Command {
	var description, docker string
	cmd := newCommand("create [OPTIONS] CONTEXT", "Create a context", exactArgs(1), nil)
	cmd.Flags().StringVar(&description, "description", "", "description of the context")
	cmd.Flags().StringVar(&docker, "docker", "", "the host: host=ssh://[USER@]HOST[:PORT] | unix:///PATH | tcp://ADDR:PORT,ca=FILE,cert=FILE,key=FILE")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name := args[0]
		if name == defaultContext {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q is a reserved context name", name))
		}
		if !contextName().MatchString(name) {
			return usageError(cmd.CommandPath(), fmt.Errorf("context name %q is invalid, names are validated against regexp %q", name, contextName().String()))
		}
		hc, err := parseDockerEndpoint(docker)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		hc.Description = description
		store, f, err := a.contexts()
		if err != nil {
			return err
		}
		if _, ok := f.Contexts[name]; ok {
			return fmt.Errorf("context %q already exists", name)
		}
		f.Contexts[name] = hc
		if err := store.save(f); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, name)
		fmt.Fprintf(a.stderr, "Successfully created context %q\n", name)
		return nil
	}
	return cmd
}

// parseDockerEndpoint is docker's --docker value: comma-separated
// key=value pairs, host (required) and, for tcp://, ca, cert and key.
func parseDockerEndpoint(s string) (hostContext, error) {
	var hc hostContext
	if s == "" {
		return hc, errors.New("--docker host=URI is required (ssh://[USER@]HOST[:PORT], unix:///PATH or tcp://ADDR:PORT)")
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return hc, fmt.Errorf("invalid --docker %q: want key=value pairs separated by commas", s)
		}
		switch k {
		case "host":
			hc.Host = v
		case "ca":
			hc.CA = v
		case "cert":
			hc.Cert = v
		case "key":
			hc.Key = v
		default:
			return hc, fmt.Errorf("invalid --docker %q: unknown key %q (host, ca, cert, key)", s, k)
		}
	}
	if hc.Host == "" {
		return hc, fmt.Errorf("invalid --docker %q: host=URI is required", s)
	}
	u, err := api.ParseEndpoint(hc.Host)
	if err != nil {
		return hc, err
	}
	tlsSet := hc.CA != "" || hc.Cert != "" || hc.Key != ""
	if u.Scheme == "tcp" && (hc.CA == "" || hc.Cert == "" || hc.Key == "") {
		return hc, fmt.Errorf("invalid --docker %q: a tcp:// host needs ca=, cert= and key= (plain TCP is not served)", s)
	}
	if u.Scheme != "tcp" && tlsSet {
		return hc, fmt.Errorf("invalid --docker %q: ca, cert and key are for tcp:// hosts", s)
	}
	return hc, nil
}

// contextRow is one context as `context ls` shows it.
type contextRow struct {
	Name           string
	Description    string
	DockerEndpoint string
	Current        bool
}

const contextDefaultTable = "table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}"

func (a *app) contextLsCommand() *cobra.Command {
	var format string
	var quiet bool
	cmd := newCommand("ls [OPTIONS]", "List contexts", noArgs, nil)
	cmd.Aliases = []string{"list"}
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only show context names")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if quiet {
			format = "{{.Name}}"
		}
		out, err := parseFormat(format, contextDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		_, f, err := a.contexts()
		if err != nil {
			return err
		}
		current := a.currentContext(f)
		rows := []any{contextRow{Name: defaultContext, Description: "this machine's berth", DockerEndpoint: "local", Current: current == defaultContext}}
		for _, n := range f.names() {
			hc := f.Contexts[n]
			rows = append(rows, contextRow{Name: n, Description: hc.Description, DockerEndpoint: hc.Host, Current: current == n})
		}
		return out.write(a.stdout, map[string]string{"Name": "NAME", "Description": "DESCRIPTION", "DockerEndpoint": "DOCKER ENDPOINT", "Current": ""}, rows)
	}
	return cmd
}

// currentContext is the context in use: --context, BERTH_CONTEXT, the
// stored current one, else the default.
func (a *app) currentContext(f contextFile) string {
	for _, n := range []string{a.contextName, a.sys.getenv("BERTH_CONTEXT"), f.Current} {
		if n != "" {
			return n
		}
	}
	return defaultContext
}

func (a *app) contextUseCommand() *cobra.Command {
	cmd := newCommand("use CONTEXT", "Set the current context", exactArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name := args[0]
		store, f, err := a.contexts()
		if err != nil {
			return err
		}
		if name != defaultContext {
			if _, err := f.lookup(name); err != nil {
				return err
			}
		}
		f.Current = name
		if name == defaultContext {
			f.Current = ""
		}
		if err := store.save(f); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, name)
		fmt.Fprintf(a.stderr, "Current context is now %q\n", name)
		if a.sys.getenv("BERTH_HOST") != "" {
			fmt.Fprintln(a.stderr, "Warning: BERTH_HOST environment variable overrides the active context. To use this context, unset BERTH_HOST")
		}
		return nil
	}
	return cmd
}

func (a *app) contextRmCommand() *cobra.Command {
	var force bool
	cmd := newCommand("rm CONTEXT [CONTEXT...]", "Remove one or more contexts", minArgs(1), nil)
	cmd.Aliases = []string{"remove"}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the removal of a context in use")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		store, f, err := a.contexts()
		if err != nil {
			return err
		}
		var errs []error
		for _, name := range args {
			switch {
			case name == defaultContext:
				errs = append(errs, fmt.Errorf("context %q cannot be removed", name))
			case f.Contexts[name] == (hostContext{}):
				errs = append(errs, fmt.Errorf("context %q does not exist", name))
			case f.Current == name && !force:
				errs = append(errs, fmt.Errorf("context %q is in use, set -f flag to force remove", name))
			default:
				delete(f.Contexts, name)
				if f.Current == name {
					f.Current = ""
				}
				fmt.Fprintln(a.stdout, name)
			}
		}
		if err := store.save(f); err != nil {
			return err
		}
		return errors.Join(errs...)
	}
	return cmd
}

// contextInspect is docker's context inspect document.
type contextInspect struct {
	Name      string
	Metadata  map[string]string
	Endpoints map[string]map[string]any
	Current   bool
}

func (a *app) contextInspectCommand() *cobra.Command {
	var format string
	cmd := newCommand("inspect [OPTIONS] [CONTEXT...]", "Display detailed information on one or more contexts", nil, nil)
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		_, f, err := a.contexts()
		if err != nil {
			return err
		}
		current := a.currentContext(f)
		if len(args) == 0 {
			args = []string{current}
		}
		docs := make([]any, 0, len(args))
		for _, name := range args {
			doc := contextInspect{Name: name, Current: name == current, Metadata: map[string]string{}}
			if name == defaultContext {
				doc.Metadata["Description"] = "this machine's berth"
				doc.Endpoints = map[string]map[string]any{"docker": {"Host": "local"}}
			} else {
				hc, err := f.lookup(name)
				if err != nil {
					return err
				}
				if hc.Description != "" {
					doc.Metadata["Description"] = hc.Description
				}
				ep := map[string]any{"Host": hc.Host}
				if hc.CA != "" {
					ep["TLS"] = map[string]string{"CA": hc.CA, "Cert": hc.Cert, "Key": hc.Key}
				}
				doc.Endpoints = map[string]map[string]any{"docker": ep}
			}
			docs = append(docs, doc)
		}
		if format != "" {
			out, err := parseFormat(format, "")
			if err != nil {
				return formatError(64, err)
			}
			return out.write(a.stdout, nil, docs)
		}
		data, err := json.MarshalIndent(docs, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, string(data))
		return err
	}
	return cmd
}

func (a *app) contextShowCommand() *cobra.Command {
	cmd := newCommand("show", "Print the name of the current context", noArgs, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		_, f, err := a.contexts()
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, a.currentContext(f))
		return nil
	}
	return cmd
}
