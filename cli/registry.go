package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"berth/config"
	"berth/host"
	"berth/images"
)

// registryOptions are the settings file's registry keys and the stored
// logins, as pull, push and login use them.
func (a *app) registryOptions(maxConcurrent int) images.RegistryOptions {
	return registryOptions(a.cfg, maxConcurrent)
}

// registryOptions are the settings' mirrors, insecure registries and
// stored logins, for the CLI's and the TUI's pulls and pushes.
func registryOptions(c *config.Config, maxConcurrent int) images.RegistryOptions {
	return host.RegistryOptions(c, maxConcurrent)
}

// splitReference splits a normalised reference into what docker's pull
// prints: "docker.io/library/busybox:latest" → "library/busybox", "latest".
func splitReference(normalised string) (path, tag string) {
	name, digest, isDigest := strings.Cut(normalised, "@")
	if isDigest {
		tag = digest
	} else if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	_, path, _ = strings.Cut(name, "/")
	return path, tag
}

func (a *app) pullCommand() *cobra.Command {
	var quiet, allTags bool
	var platform string
	cmd := newCommand("pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry", exactArgs(1), nil)
	cmd.Long = "Download an image from a registry, through the registry-mirrors of the\n" +
		"settings file for Docker Hub images, over plain HTTP for its\n" +
		"insecure-registries, with the logins of berth login."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if allTags {
			return usageError(cmd.CommandPath(), errors.New("--all-tags is not supported yet"))
		}
		if platform != "" && platform != "linux/"+runtime.GOARCH {
			return usageError(cmd.CommandPath(), fmt.Errorf("--platform %s: berth pulls this machine's platform only (linux/%s)", platform, runtime.GOARCH))
		}
		ref := args[0]
		named, err := images.ParseReference(ref)
		if err != nil {
			return err
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		path, tag := splitReference(named.String())
		if !quiet {
			if !strings.Contains(ref, "@") && !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
				fmt.Fprintln(a.stdout, "Using default tag: latest")
			}
			fmt.Fprintf(a.stdout, "%s: Pulling from %s\n", tag, path)
		}
		var before string
		if img, err := store.Lookup(ref); err == nil {
			before = img.ID
		}
		opts := images.PullOptions{Registry: a.registryOptions(a.cfg.MaxConcurrentDownloads)}
		if !quiet {
			opts.Progress = newProgressPrinter(a.stdout, a.sys.isTerminal(a.stdout)).update
		}
		img, err := store.Pull(cmd.Context(), ref, opts)
		if err != nil {
			return err
		}
		if !quiet {
			fmt.Fprintln(a.stdout, "Digest:", img.Manifest.Digest)
			if img.ID == before {
				fmt.Fprintln(a.stdout, "Status: Image is up to date for", images.FamiliarReference(named.String()))
			} else {
				fmt.Fprintln(a.stdout, "Status: Downloaded newer image for", images.FamiliarReference(named.String()))
			}
		}
		fmt.Fprintln(a.stdout, named.String())
		return nil
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "suppress verbose output")
	flags.BoolVarP(&allTags, "all-tags", "a", false, "download all tagged images in the repository (not supported yet)")
	flags.StringVar(&platform, "platform", "", "set platform (only this machine's)")
	return cmd
}

func (a *app) pushCommand() *cobra.Command {
	var quiet bool
	cmd := newCommand("push [OPTIONS] NAME[:TAG] [DESTINATION]", "Upload an image to a registry", nil, nil)
	cmd.Long = "Upload an image to a registry: docker's push NAME[:TAG], or podman's\n" +
		"push SOURCE DESTINATION that uploads SOURCE (a name or ID) as DESTINATION."
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) < 1 || len(args) > 2 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires 1 or 2 arguments", cmd.CommandPath()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		source, dest := args[0], ""
		if len(args) == 2 {
			dest = args[1]
		}
		target := dest
		if target == "" {
			target = source
		}
		named, err := images.ParseReference(target)
		if err != nil {
			return err
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		repo, tag := host.SplitRepoTag(named.String())
		opts := images.PushOptions{Registry: a.registryOptions(a.cfg.MaxConcurrentUploads)}
		if !quiet {
			fmt.Fprintf(a.stdout, "The push refers to repository [%s]\n", repo)
			opts.Progress = newProgressPrinter(a.stdout, a.sys.isTerminal(a.stdout)).update
		}
		digest, err := store.Push(cmd.Context(), source, dest, opts)
		if err != nil {
			return err
		}
		if quiet {
			fmt.Fprintln(a.stdout, named.String())
			return nil
		}
		fmt.Fprintf(a.stdout, "%s: digest: %s\n", tag, digest)
		return nil
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress verbose output")
	return cmd
}

// registryHost is the credentials key of a login's SERVER argument:
// "docker.io" when none, else host[:port] without scheme or path.
func registryHost(server string) string {
	if server == "" {
		return images.DockerHub
	}
	s := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	if s == "index.docker.io" || s == "registry-1.docker.io" {
		return images.DockerHub
	}
	return s
}

func (a *app) loginCommand() *cobra.Command {
	var username, password string
	var passwordStdin bool
	cmd := newCommand("login [OPTIONS] [SERVER]", "Log in to a registry", nil, nil)
	cmd.Long = "Log in to a registry (Docker Hub when no SERVER). The login is checked against\n" +
		"the registry, then kept in the credentials file under the data root\n" +
		"(readable by root only) for pull and push."
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires at most 1 argument", cmd.CommandPath()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		server := ""
		if len(args) == 1 {
			server = args[0]
		}
		host := registryHost(server)
		in := bufio.NewReader(a.stdin)
		switch {
		case passwordStdin && password != "":
			return usageError(cmd.CommandPath(), errors.New("--password and --password-stdin are mutually exclusive"))
		case passwordStdin && username == "":
			return usageError(cmd.CommandPath(), errors.New("must provide --username with --password-stdin"))
		case passwordStdin:
			data, err := io.ReadAll(in)
			if err != nil {
				return err
			}
			password = strings.TrimRight(string(data), "\r\n")
		case password != "":
			fmt.Fprintln(a.stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
		}
		if username == "" || password == "" {
			if !a.sys.isTerminal(a.stdin) {
				return errors.New("cannot perform an interactive login from a non TTY device")
			}
			var err error
			if username == "" {
				if username, err = prompt(a.stdout, in, "Username: "); err != nil {
					return err
				}
			}
			if password == "" {
				if password, err = a.sys.readPassword(a.stdin, a.stdout, "Password: "); err != nil {
					return err
				}
			}
		}
		if username == "" || password == "" {
			return errors.New("username and password are required")
		}
		opts := a.registryOptions(0)
		opts.Credentials = nil
		if err := a.sys.login(cmd.Context(), host, username, password, opts); err != nil {
			return err
		}
		if err := images.OpenCredentials(a.cfg.CredentialsFile()).Set(host, username, password); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "Login Succeeded")
		return nil
	}
	flags := cmd.Flags()
	flags.StringVarP(&username, "username", "u", "", "username")
	flags.StringVarP(&password, "password", "p", "", "password")
	flags.BoolVar(&passwordStdin, "password-stdin", false, "take the password from stdin")
	return cmd
}

func prompt(w io.Writer, in *bufio.Reader, label string) (string, error) {
	fmt.Fprint(w, label)
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (a *app) logoutCommand() *cobra.Command {
	cmd := newCommand("logout [SERVER]", "Log out from a registry", nil, nil)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires at most 1 argument", cmd.CommandPath()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		server := ""
		if len(args) == 1 {
			server = args[0]
		}
		host := registryHost(server)
		removed, err := images.OpenCredentials(a.cfg.CredentialsFile()).Remove(host)
		if err != nil {
			return err
		}
		if !removed {
			fmt.Fprintln(a.stdout, "Not logged in to", host)
			return nil
		}
		fmt.Fprintln(a.stdout, "Removing login credentials for", host)
		return nil
	}
	return cmd
}
