package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) versionCommand() *cobra.Command {
	var format string
	cmd := newCommand("version [OPTIONS]", "Show the berth version information", noArgs, func(cmd *cobra.Command, args []string) error {
		v := currentVersion()
		if format != "" {
			return writeTemplate(a.stdout, format, v)
		}
		return writeVersion(a.stdout, v)
	})
	cmd.Annotations = map[string]string{needsNothing: "true"}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output: json or a Go template ({{.Server.Version}}, {{.Client.APIVersion}}…)")
	return cmd
}

func (a *app) infoCommand() *cobra.Command {
	var format string
	cmd := newCommand("info [OPTIONS]", "Display system-wide information", noArgs, func(cmd *cobra.Command, args []string) error {
		var tmpl *template.Template
		if format != "" {
			var err error
			if tmpl, err = parseInspectFormat(format); err != nil {
				return err
			}
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		info, err := eng.Info(cmd.Context())
		if err != nil {
			return err
		}
		hostname, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("info: %w", err)
		}
		si := newSystemInfo(info, a.cfg, hostname, a.sys.now().Format(time.RFC3339Nano))
		if tmpl != nil {
			return executeTemplate(a.stdout, tmpl, si)
		}
		return writeInfo(a.stdout, si)
	})
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output: json or a Go template ({{.Driver}}, {{.NCPU}}…)")
	return cmd
}

// writeTemplate renders format ("json" meaning {{json .}}) over v, one
// line, as docker's version and info --format; a template that does not
// parse exits 64.
func writeTemplate(w io.Writer, format string, v any) error {
	tmpl, err := parseInspectFormat(format)
	if err != nil {
		return err
	}
	return executeTemplate(w, tmpl, v)
}

// executeTemplate renders tmpl over v and a newline; nothing is written
// when it fails (an unknown field).
func executeTemplate(w io.Writer, tmpl *template.Template, v any) error {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeVersion prints the version as docker version lays it out.
func writeVersion(w io.Writer, v versionInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Client:\n Version:           %s\n API version:       %s\n Go version:        %s\n Git commit:        %s\n OS/Arch:           %s/%s\n Context:           %s\n",
		v.Client.Version, v.Client.APIVersion, v.Client.GoVersion, v.Client.GitCommit, v.Client.Os, v.Client.Arch, v.Client.Context)
	s := v.Server
	fmt.Fprintf(&b, "\nServer: %s\n Engine:\n  Version:          %s\n  API version:      %s (minimum version %s)\n  Go version:       %s\n  Git commit:       %s\n  OS/Arch:          %s/%s\n  Experimental:     %t\n",
		s.Platform.Name, s.Version, s.APIVersion, s.MinAPIVersion, s.GoVersion, s.GitCommit, s.Os, s.Arch, s.Experimental)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeInfo prints info as docker info lays it out.
func writeInfo(w io.Writer, si systemInfo) error {
	var b strings.Builder
	line := func(indent int, key string, value any) {
		fmt.Fprintf(&b, "%s%s: %v\n", strings.Repeat(" ", indent), key, value)
	}
	line(0, "Containers", si.Containers)
	line(1, "Running", si.ContainersRunning)
	line(1, "Paused", si.ContainersPaused)
	line(1, "Stopped", si.ContainersStopped)
	line(0, "Images", si.Images)
	line(0, "Server Version", si.ServerVersion)
	line(0, "Storage Driver", orDash(si.Driver))
	line(0, "Logging Driver", si.LoggingDriver)
	if len(si.LogOpts) > 0 {
		b.WriteString("Log Options:\n")
		for _, k := range []string{"max-size", "max-file"} {
			if v, ok := si.LogOpts[k]; ok {
				line(1, k, v)
			}
		}
	}
	line(0, "Cgroup Driver", orDash(si.CgroupDriver))
	line(0, "Cgroup Version", orDash(si.CgroupVersion))
	line(0, "Cgroup Parent", orDash(si.CgroupParent))
	line(0, "Default Network", si.DefaultNetwork)
	if len(si.SecurityOptions) > 0 {
		b.WriteString("Security Options:\n")
		for _, opt := range si.SecurityOptions {
			writeSecurityOption(&b, opt)
		}
	}
	line(0, "Kernel Version", orDash(si.KernelVersion))
	line(0, "Operating System", orDash(si.OperatingSystem))
	line(0, "CPUs", si.NCPU)
	line(0, "Total Memory", bytesSize(uint64(si.MemTotal)))
	line(0, "Berth Root Dir", si.DockerRootDir)
	line(0, "Berth Run Dir", si.RunRoot)
	line(0, "Config File", orDash(si.ConfigFile))
	if len(si.RegistryConfig.Mirrors) > 0 {
		b.WriteString("Registry Mirrors:\n")
		for _, m := range si.RegistryConfig.Mirrors {
			b.WriteString(" " + m + "\n")
		}
	}
	if len(si.RegistryConfig.InsecureRegistryCIDRs) > 0 {
		b.WriteString("Insecure Registries:\n")
		for _, r := range si.RegistryConfig.InsecureRegistryCIDRs {
			b.WriteString(" " + r + "\n")
		}
	}
	line(0, "Live Restore Enabled", si.LiveRestoreEnabled)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSecurityOption lays out one of the engine's "name=seccomp,profile=
// builtin" as docker info does: the name, then each other key, capitalised.
func writeSecurityOption(b *strings.Builder, opt string) {
	var rest []string
	for _, kv := range strings.Split(opt, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "name" {
			fmt.Fprintf(b, " %s\n", v)
			continue
		}
		if k != "" {
			k = strings.ToUpper(k[:1]) + k[1:]
		}
		rest = append(rest, fmt.Sprintf("  %s: %s\n", k, v))
	}
	b.WriteString(strings.Join(rest, ""))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
