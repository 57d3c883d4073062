package host

import (
	"context"

	"berth/config"
	"berth/engine"
	"berth/engine/network"
)

// Local is this machine: the engine and the image store it runs
// containers from, and the settings it was opened with.
type Local struct {
	*engine.Engine
	settings *config.Config
}

var _ Host = Local{}

// Open opens this machine's stores with the resolved settings; warn (nil:
// nowhere) receives what the stores repaired on their own.
func Open(c *config.Config, warn func(string)) (Local, error) {
	subnet, gateway := c.BridgeSubnet()
	eng, err := engine.New(engine.Options{
		Warn:          warn,
		Root:          c.DataRoot,
		RunRoot:       c.RunRoot,
		CgroupRoot:    config.DefaultCgroupRoot,
		CgroupParent:  c.CgroupParent,
		LogOpts:       c.LogOpts.Map(),
		StorageDriver: c.StorageDriver,
		ConfigFile:    c.File,
		Init:          c.Init,
		MonitorGroup:  c.ContainersPerMonitor,
		Network: network.Options{
			DefaultRoot:    c.IsDefaultDataRoot(),
			DefaultSubnet:  subnet,
			DefaultGateway: gateway,
			DefaultBridge:  c.Bridge,
			SubnetPool:     c.SubnetPool(),
		},
	})
	if err != nil {
		return Local{}, err
	}
	return Local{Engine: eng, settings: c}, nil
}

// Images is the engine's image store.
func (l Local) Images() Images { return l.Engine.Images() }

// Exec starts a process in a running container.
func (l Local) Exec(ctx context.Context, ref string, opts engine.ExecOptions) (ExecSession, error) {
	return l.Engine.Exec(ctx, ref, opts)
}

// Events is the engine's timeline.
func (l Local) Events() Events { return l.Engine.Events() }

// Networks is the engine's networks.
func (l Local) Networks() Networks { return l.Engine.Networks() }

// Volumes is the engine's volumes.
func (l Local) Volumes() Volumes { return l.Engine.Volumes() }
