package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"berth/config"
	"berth/engine"
)

// Version is berth's release.
const Version = "0.1.0-dev"

// versionInfo is `berth version --format json`.
type versionInfo struct {
	Version   string
	GoVersion string
	GitCommit string
	Os        string
	Arch      string
}

func currentVersion() versionInfo {
	v := versionInfo{Version: Version, GoVersion: runtime.Version(), GitCommit: "unknown", Os: runtime.GOOS, Arch: runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				v.GitCommit = s.Value[:7]
			}
		}
	}
	return v
}

func (a *app) versionCommand() *cobra.Command {
	var format string
	cmd := newCommand("version [OPTIONS]", "Show the berth version information", noArgs, func(cmd *cobra.Command, args []string) error {
		v := currentVersion()
		if format != "" {
			out, err := parseFormat(format, "")
			if err != nil {
				return usageError(cmd.CommandPath(), err)
			}
			return out.write(a.stdout, nil, []any{v})
		}
		_, err := fmt.Fprintf(a.stdout, "Version:     %s\nGo version:  %s\nGit commit:  %s\nOS/Arch:     %s/%s\n",
			v.Version, v.GoVersion, v.GitCommit, v.Os, v.Arch)
		return err
	})
	cmd.Annotations = map[string]string{needsNothing: "true"}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output: json or a Go template ({{.Version}})")
	return cmd
}

// systemInfo is `berth info`: the engine's counts and host facts, and the
// effective settings.
type systemInfo struct {
	engine.Info
	ServerVersion      string
	LoggingDriver      string
	StorageDriver      string
	RegistryMirrors    []string
	InsecureRegistries []string
	DefaultNetwork     string
	LiveRestoreEnabled bool
}

func (a *app) infoCommand() *cobra.Command {
	var format string
	cmd := newCommand("info [OPTIONS]", "Display system-wide information", noArgs, func(cmd *cobra.Command, args []string) error {
		var out *output
		if format != "" {
			var err error
			if out, err = parseFormat(format, ""); err != nil {
				return usageError(cmd.CommandPath(), err)
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
		si := newSystemInfo(info, a.cfg)
		if out != nil {
			return out.write(a.stdout, nil, []any{si})
		}
		return writeInfo(a.stdout, si)
	})
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output: json or a Go template ({{.Containers}})")
	return cmd
}

// newSystemInfo merges the engine's report with the settings berth runs
// with; the settings win, being what this invocation resolved.
func newSystemInfo(info *engine.Info, cfg *config.Config) systemInfo {
	si := systemInfo{
		Info:               *info,
		ServerVersion:      Version,
		LoggingDriver:      "json-file",
		StorageDriver:      info.StorageDriver,
		RegistryMirrors:    cfg.RegistryMirrors,
		InsecureRegistries: cfg.InsecureRegistries,
		DefaultNetwork:     cfg.DefaultNetwork,
		LiveRestoreEnabled: true,
	}
	si.DataRoot, si.RunRoot, si.ConfigFile = cfg.DataRoot, cfg.RunRoot, cfg.File
	if si.StorageDriver == "" {
		si.StorageDriver = cfg.StorageDriver
	}
	if si.CgroupParent == "" {
		si.CgroupParent = cfg.CgroupParent
	}
	if len(si.LogOpts) == 0 {
		si.LogOpts = cfg.LogOpts.Map()
	}
	return si
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
	line(0, "Storage Driver", orDash(si.StorageDriver))
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
	line(0, "Total Memory", bytesSize(si.MemTotal))
	line(0, "Berth Root Dir", si.DataRoot)
	line(0, "Berth Run Dir", si.RunRoot)
	line(0, "Config File", orDash(si.ConfigFile))
	if len(si.RegistryMirrors) > 0 {
		b.WriteString("Registry Mirrors:\n")
		for _, m := range si.RegistryMirrors {
			b.WriteString(" " + m + "\n")
		}
	}
	if len(si.InsecureRegistries) > 0 {
		b.WriteString("Insecure Registries:\n")
		for _, r := range si.InsecureRegistries {
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
