package engine

import (
	"time"

	"berth/engine/network"
)

// snapshotRecord is a brief record (briefOf) as a list snapshot holds
// it: only the fields briefOf keeps, so that a line is a few hundred
// bytes rather than a whole record's thousands, most of them the zero
// values of settings a list never shows. Slices and maps keep null
// apart from empty; TestSnapshotRecordKeepsBrief checks that it holds
// all briefOf keeps.
type snapshotRecord struct {
	ID              string             `json:"id"`
	Created         time.Time          `json:"created"`
	Name            string             `json:"name"`
	Image           string             `json:"image"`
	Path            string             `json:"path"`
	Args            []string           `json:"args"`
	RestartCount    int                `json:"restarts,omitempty"`
	Mounts          []MountPoint       `json:"mounts"`
	State           snapshotState      `json:"state"`
	Config          snapshotConfig     `json:"config"`
	HostConfig      snapshotHostConfig `json:"host"`
	NetworkSettings *network.Settings  `json:"net"`
	ShimPID         int                `json:"shimPid,omitempty"`
	ShimStart       uint64             `json:"shimStart,omitempty"`
	ShimBoot        string             `json:"shimBoot,omitempty"`
}

// snapshotState is a State without docker's booleans derived from its
// status, and a brief record's health (status and failing streak).
type snapshotState struct {
	Status     Status          `json:"status"`
	OOMKilled  bool            `json:"oom,omitempty"`
	Pid        int             `json:"pid,omitempty"`
	ExitCode   int             `json:"exit,omitempty"`
	Error      string          `json:"error,omitempty"`
	StartedAt  time.Time       `json:"started"`
	FinishedAt time.Time       `json:"finished"`
	Health     *snapshotHealth `json:"health,omitempty"`
}

type snapshotHealth struct {
	Status        string `json:"status"`
	FailingStreak int    `json:"failing,omitempty"`
}

type snapshotConfig struct {
	Image        string              `json:"image"`
	Labels       map[string]string   `json:"labels"`
	Cmd          []string            `json:"cmd"`
	Entrypoint   []string            `json:"entrypoint"`
	Tty          bool                `json:"tty,omitempty"`
	OpenStdin    bool                `json:"stdin,omitempty"`
	StopTimeout  *int                `json:"stopTimeout,omitempty"`
	ExposedPorts map[string]struct{} `json:"exposed"`
}

type snapshotHostConfig struct {
	NetworkMode   string                   `json:"network"`
	PortBindings  map[string][]PortBinding `json:"ports"`
	RestartPolicy RestartPolicy            `json:"restart"`
	AutoRemove    bool                     `json:"rm,omitempty"`
	CgroupParent  string                   `json:"cgroupParent,omitempty"`
	NanoCPUs      int64                    `json:"nanoCpus,omitempty"`
}

// toSnapshotRecord is the brief record b as a snapshot line holds it.
func toSnapshotRecord(b *record) snapshotRecord {
	hc := &b.HostConfig
	return snapshotRecord{
		ID: b.ID, Created: b.Created, Name: b.Name, Image: b.Image, Path: b.Path, Args: b.Args,
		RestartCount: b.RestartCount, Mounts: b.Mounts, State: toSnapshotState(b.State),
		Config: snapshotConfig{
			Image: b.Config.Image, Labels: b.Config.Labels, Cmd: b.Config.Cmd, Entrypoint: b.Config.Entrypoint,
			Tty: b.Config.Tty, OpenStdin: b.Config.OpenStdin, StopTimeout: b.Config.StopTimeout,
			ExposedPorts: b.Config.ExposedPorts,
		},
		HostConfig: snapshotHostConfig{
			NetworkMode: hc.NetworkMode, PortBindings: hc.PortBindings, RestartPolicy: hc.RestartPolicy,
			AutoRemove: hc.AutoRemove, CgroupParent: hc.CgroupParent, NanoCPUs: hc.NanoCPUs,
		},
		NetworkSettings: b.NetworkSettings,
		ShimPID:         b.ShimPID, ShimStart: b.ShimStart, ShimBoot: b.ShimBoot,
	}
}

// record is s as the brief record it was.
func (s *snapshotRecord) record() *record {
	b := &record{ShimPID: s.ShimPID, ShimStart: s.ShimStart, ShimBoot: s.ShimBoot}
	b.ID, b.Created, b.Name, b.Image, b.Path, b.Args = s.ID, s.Created, s.Name, s.Image, s.Path, s.Args
	b.RestartCount, b.Mounts, b.State = s.RestartCount, s.Mounts, s.State.state()
	b.Config = ContainerConfig{
		Image: s.Config.Image, Labels: s.Config.Labels, Cmd: s.Config.Cmd, Entrypoint: s.Config.Entrypoint,
		Tty: s.Config.Tty, OpenStdin: s.Config.OpenStdin, StopTimeout: s.Config.StopTimeout,
		ExposedPorts: s.Config.ExposedPorts,
	}
	hc := &b.HostConfig
	hc.NetworkMode, hc.PortBindings, hc.RestartPolicy = s.HostConfig.NetworkMode, s.HostConfig.PortBindings, s.HostConfig.RestartPolicy
	hc.AutoRemove, hc.CgroupParent, hc.NanoCPUs = s.HostConfig.AutoRemove, s.HostConfig.CgroupParent, s.HostConfig.NanoCPUs
	b.NetworkSettings = s.NetworkSettings
	return b
}

func toSnapshotState(st State) snapshotState {
	out := snapshotState{Status: st.Status, OOMKilled: st.OOMKilled, Pid: st.Pid, ExitCode: st.ExitCode,
		Error: st.Error, StartedAt: st.StartedAt, FinishedAt: st.FinishedAt}
	if h := st.Health; h != nil {
		out.Health = &snapshotHealth{Status: h.Status, FailingStreak: h.FailingStreak}
	}
	return out
}

func (s snapshotState) state() State {
	out := State{Status: s.Status, OOMKilled: s.OOMKilled, Pid: s.Pid, ExitCode: s.ExitCode,
		Error: s.Error, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt}
	if h := s.Health; h != nil {
		out.Health = &Health{Status: h.Status, FailingStreak: h.FailingStreak}
	}
	return out
}
