package network

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"berth/internal/atomicfile"
)

// The store keeps one JSON file per network under <dir>/networks/<id>.json,
// holding the network and its endpoints (so the addresses in use are in
// the same file as the subnet they come from). Every change happens under
// an exclusive flock on <dir>/lock, held across the kernel work it
// describes, and is written atomically (temp file, fsync, rename): two
// `berth run`s in two processes never take the same address, and a reader
// never sees half a file. A change of a network waits for the rename to
// reach the disk too; a change of its endpoints alone does not (see
// saveEndpoints).

// record is a network's file.
type record struct {
	Network   Network              `json:"network"`
	Endpoints map[string]*endpoint `json:"endpoints"` // by container ID
	// BridgeUp says the network's bridge was made and its rules written:
	// from its first container until the network is removed or pruned.
	BridgeUp bool `json:"bridgeUp,omitempty"`
	// AutoSubnet says berth picked the subnet (the user gave none): until
	// its bridge is made, the network may pick another when the host
	// took this one meanwhile (another root's bridge).
	AutoSubnet bool `json:"autoSubnet,omitempty"`
}

// endpoint is what berth keeps about one attachment.
type endpoint struct {
	ContainerID string     `json:"containerId"`
	EndpointID  string     `json:"endpointId"`
	Name        string     `json:"name"`
	Hostname    string     `json:"hostname"`
	Aliases     []string   `json:"aliases,omitempty"`
	IP          netip.Addr `json:"ip"`
	HostVeth    string     `json:"hostVeth"`
	IfName      string     `json:"ifName"`
	HostsPath   string     `json:"hostsPath,omitempty"`
	// Domainname, ExtraHosts (HostGateway resolved) and MAC are
	// --domainname, --add-host and links, and --mac-address ("" is the
	// one derived from IP).
	Domainname string      `json:"domainname,omitempty"`
	ExtraHosts []HostEntry `json:"extraHosts,omitempty"`
	MAC        string      `json:"mac,omitempty"`
}

// mac is the endpoint's MAC address as docker shows it.
func (ep *endpoint) mac() string { return cmpOr(ep.MAC, macAddress(ep.IP).String()) }

func (r *record) public() *Network {
	n := r.Network
	n.Containers = map[string]Endpoint{}
	subnet, _, _ := n.Subnet()
	for id, ep := range r.Endpoints {
		n.Containers[id] = Endpoint{
			Name:        ep.Name,
			EndpointID:  ep.EndpointID,
			MacAddress:  ep.mac(),
			IPv4Address: netip.PrefixFrom(ep.IP, subnet.Bits()).String(),
			Aliases:     ep.Aliases,
		}
	}
	return &n
}

func (m *Manager) networksDir() string { return filepath.Join(m.opts.Dir, "networks") }
func (m *Manager) recordPath(id string) string {
	return filepath.Join(m.networksDir(), id+".json")
}

// loadAll reads every network's record, sorted by name.
func (m *Manager) loadAll() ([]*record, error) {
	entries, err := os.ReadDir(m.networksDir())
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var recs []*record
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		r, err := m.load(strings.TrimSuffix(e.Name(), ".json"))
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Network.Name < recs[j].Network.Name })
	return recs, nil
}

func (m *Manager) load(id string) (*record, error) {
	b, err := os.ReadFile(m.recordPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read network %s: %w", id, err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read network %s: %w", id, err)
	}
	if r.Endpoints == nil {
		r.Endpoints = map[string]*endpoint{}
	}
	return &r, nil
}

func (m *Manager) save(r *record) error {
	return m.write(r, atomicfile.WriteFile)
}

// saveEndpoints saves r after a change of its endpoints alone (and of
// BridgeUp with them), not waiting for the rename to reach the disk: a
// crash that loses it is a reboot, after which no endpoint is alive and
// none up, and the record before the change says as much as the one
// after (dropDead forgets the endpoints whose veths are gone).
func (m *Manager) saveEndpoints(r *record) error {
	return m.write(r, atomicfile.Replace)
}

func (m *Manager) write(r *record, replace func(string, []byte, os.FileMode) error) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode network %s: %w", r.Network.Name, err)
	}
	err = m.opts.Reserve.Do(func() error { return replace(m.recordPath(r.Network.ID), b, 0o600) })
	if err != nil {
		return fmt.Errorf("save network %s: %w", r.Network.Name, err)
	}
	return nil
}

func (m *Manager) delete(r *record) error {
	if err := os.Remove(m.recordPath(r.Network.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove network %s: %w", r.Network.Name, err)
	}
	return nil
}

// find resolves a name, a full ID or a unique ID prefix, as docker does.
func find(recs []*record, ref string) (*record, error) {
	for _, r := range recs {
		if r.Network.Name == ref || r.Network.ID == ref {
			return r, nil
		}
	}
	var found *record
	for _, r := range recs {
		if ref != "" && strings.HasPrefix(r.Network.ID, ref) {
			if found != nil {
				return nil, fmt.Errorf("%w: %s", ErrAmbiguous, ref)
			}
			found = r
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	return found, nil
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
