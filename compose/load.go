package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadOptions say where a project is: compose's -f, -p, --profile,
// --env-file and --project-directory.
type LoadOptions struct {
	Files       []string // "" or none: compose.yaml (or docker-compose.yml) in ProjectDir and above
	ProjectName string   // -p; "" takes COMPOSE_PROJECT_NAME, the file's name: or the directory's
	ProjectDir  string   // "" is the first file's directory, or the working directory
	Profiles    []string
	EnvFiles    []string // "" or none: ProjectDir/.env when it exists
	// Env is the environment variables are interpolated from (with .env
	// under it); nil is this process's.
	Env []string
}

// ErrNoFile is a project without a compose file where one was looked
// for.
var ErrNoFile = errors.New("no configuration file provided: not found")

// Load reads a project: every file merged in order, .env and the
// environment interpolated, extends resolved, profiles applied (services
// of other profiles are left out), env_file read into each service's
// environment and paths made absolute. A bad file is refused with the
// file, and where the library knows them the line and the key.
func Load(ctx context.Context, o LoadOptions) (*types.Project, error) {
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(o.ProjectDir),
		cli.WithEnv(env),
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithDefaultProfiles(o.Profiles...),
		cli.WithResolvedPaths(true),
		cli.WithName(o.ProjectName),
	}
	po, err := cli.NewProjectOptions(o.Files, opts...)
	if err != nil {
		return nil, loadError(err)
	}
	if len(po.ConfigPaths) == 0 {
		return nil, ErrNoFile
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, loadError(locate(po.ConfigPaths, err))
	}
	if p, err = p.WithServicesEnvironmentResolved(true); err != nil {
		return nil, loadError(locate(po.ConfigPaths, err))
	}
	if p, err = p.WithServicesLabelsResolved(true); err != nil {
		return nil, loadError(locate(po.ConfigPaths, err))
	}
	return p, nil
}

// loadError keeps the library's message, which names the file and the
// key, and says that it is the compose file that is wrong.
func loadError(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return &missingFile{err}
	}
	return failure(ParseFailure, err, "")
}

// ReloadOptions are the LoadOptions of the project a container was
// started from, read back from its labels: its working directory and
// files, as `compose up` was given them.
func ReloadOptions(labels map[string]string) LoadOptions {
	o := LoadOptions{
		ProjectName: labels[LabelProject],
		ProjectDir:  labels[LabelWorkingDir],
	}
	if files := labels[LabelConfigFiles]; files != "" {
		for f := range strings.SplitSeq(files, ",") {
			if !filepath.IsAbs(f) && o.ProjectDir != "" {
				f = filepath.Join(o.ProjectDir, f)
			}
			o.Files = append(o.Files, f)
		}
	}
	if env := labels[LabelEnvironmentFile]; env != "" {
		o.EnvFiles = strings.Split(env, ",")
	}
	return o
}
