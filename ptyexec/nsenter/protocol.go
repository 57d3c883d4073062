package nsenter

// What the launcher (Cmd.Start) and the re-executed berth exchange.

// Environment variables that carry the request to the constructor in
// nsenter.c. Only the re-executed berth ever has them.
const (
	envTarget     = "_BERTH_NSENTER"
	envNamespaces = "_BERTH_NSENTER_NS"
	envSync       = "_BERTH_NSENTER_SYNC"
	// envTasks is how many cgroup tasks files the child holds, on the
	// descriptors right below the sync socket.
	envTasks = "_BERTH_NSENTER_TASKS"
)

// childConfig is what the launcher sends the entered process: Config
// without what only the launcher needs.
type childConfig struct {
	Args            []string `json:"args"`
	Env             []string `json:"env"`
	Dir             string   `json:"dir"`
	UID             uint32   `json:"uid"`
	GID             uint32   `json:"gid"`
	Groups          []uint32 `json:"groups"`
	Capabilities    uint64   `json:"capabilities"`
	NoNewPrivileges bool     `json:"noNewPrivileges"`
	Seccomp         []byte   `json:"seccomp,omitempty"`
	Rlimits         []Rlimit `json:"rlimits,omitempty"`
}

// report is what the entered process (or the constructor) sends back: the
// child's host PID, or why it failed. A successful exec closes the socket.
type report struct {
	Pid   int    `json:"pid,omitempty"`
	Error string `json:"error,omitempty"`
	Code  int    `json:"code,omitempty"`
}

// Exit codes the child reports, as docker exec uses them.
const (
	codeEnter         = 125
	codeNotExecutable = 126
	codeNotFound      = 127
)

// Rlimit is one resource limit (docker's --ulimit): Resource is a
// unix.RLIMIT_* number.
type Rlimit struct {
	Resource int    `json:"resource"`
	Soft     uint64 `json:"soft"`
	Hard     uint64 `json:"hard"`
}
