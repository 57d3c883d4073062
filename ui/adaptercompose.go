package ui

import (
	"context"
	"fmt"

	"berth/compose"
)

// ComposeUp loads the project from the files its labels name and brings
// it up on this host, as `compose up -d` in its directory.
func (b *EngineBackend) ComposeUp(ctx context.Context, labels map[string]string, progress func(string)) error {
	name := labels[compose.LabelProject]
	if labels[compose.LabelWorkingDir] == "" && labels[compose.LabelConfigFiles] == "" {
		return fmt.Errorf("project %s: %w", name, ErrNoComposeFile)
	}
	p, err := compose.Load(ctx, compose.ReloadOptions(labels))
	if err != nil {
		return fmt.Errorf("load project %s: %w", name, err)
	}
	log := &lineWriter{emit: progress}
	defer log.flush()
	return compose.Up(ctx, b.e, p, compose.UpOptions{Progress: log, BuildOutput: log, Registry: b.registry})
}

// ComposeDown removes the project's containers and networks.
func (b *EngineBackend) ComposeDown(ctx context.Context, project string, progress func(string)) error {
	log := &lineWriter{emit: progress}
	defer log.flush()
	return compose.Down(ctx, b.e, project, compose.DownOptions{Progress: log})
}
