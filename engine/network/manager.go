package network

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"time"
)

// Defaults of Options.
const (
	DefaultSubnet     = "10.203.0.0/24" // clashes with neither docker's 172.17+ nor podman's 10.88
	DefaultBridgeName = "berth0"
	DefaultSubnetPool = "10.204.0.0/14" // user networks without --subnet get a /24 from here
	DefaultTable      = "berth"         // nftables table (family ip) holding berth's NAT rules
)

// Options configures a Manager. The zero value of each field is its
// default.
type Options struct {
	// Dir holds the network store (networks/*.json and a lock file),
	// e.g. <data root>/network. Required.
	Dir string
	// DefaultSubnet is the subnet of the default "bridge" network.
	// Changed while containers are attached, it takes effect once they
	// are gone.
	DefaultSubnet string
	// DefaultGateway is the default bridge's own address (docker's "bip"
	// without the length); "" is the subnet's first address.
	DefaultGateway string
	// DefaultBridge names the default network's Linux bridge.
	DefaultBridge string
	// SubnetPool is where user networks created without a subnet get
	// theirs: the first /24 overlapping no other network and no address
	// of the host.
	SubnetPool string
	// Table is the nftables table (family ip) berth owns; every rule of
	// berth's is in it and it is deleted when no network needs it.
	Table string
}

// Manager owns berth's networks: the store of network files, the bridges,
// the containers' veth pairs and addresses, and the masquerade rules. It is
// safe for concurrent use, and several Managers in several processes may
// share one Dir.
type Manager struct {
	opts          Options
	defaultSubnet netip.Prefix
	defaultGW     netip.Addr
	pool          netip.Prefix
}

// Open opens (creating when needed) the store under opts.Dir, with the
// pre-defined networks bridge, host and none.
func Open(opts Options) (*Manager, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("open network store: %w: no directory", ErrInvalidConfig)
	}
	opts.DefaultSubnet = cmpOr(opts.DefaultSubnet, DefaultSubnet)
	opts.DefaultBridge = cmpOr(opts.DefaultBridge, DefaultBridgeName)
	opts.SubnetPool = cmpOr(opts.SubnetPool, DefaultSubnetPool)
	opts.Table = cmpOr(opts.Table, DefaultTable)
	m := &Manager{opts: opts}
	var err error
	if m.defaultSubnet, m.defaultGW, err = parseSubnet(opts.DefaultSubnet, opts.DefaultGateway); err != nil {
		return nil, fmt.Errorf("open network store: default subnet: %w", err)
	}
	if m.pool, _, err = parseSubnet(opts.SubnetPool, ""); err != nil || m.pool.Bits() > 24 {
		return nil, fmt.Errorf("open network store: %w: subnet pool %q must be a subnet of /24 or larger", ErrInvalidConfig, opts.SubnetPool)
	}
	if err := checkBridgeName(opts.DefaultBridge); err != nil {
		return nil, fmt.Errorf("open network store: %w", err)
	}
	if err := os.MkdirAll(m.networksDir(), 0o700); err != nil {
		return nil, fmt.Errorf("open network store: %w", err)
	}
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return m, m.ensurePredefined()
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ensurePredefined creates bridge, host and none when missing, and brings
// the default bridge's settings up to date when nothing is attached to it.
func (m *Manager) ensurePredefined() error {
	recs, err := m.loadAll()
	if err != nil {
		return err
	}
	want := map[string]Network{
		NameBridge: {Driver: DriverBridge,
			IPAM:    IPAM{Driver: "default", Config: []IPAMConfig{{Subnet: m.defaultSubnet.String(), Gateway: m.defaultGW.String()}}},
			Options: map[string]string{BridgeNameOption: m.opts.DefaultBridge}},
		NameHost: {Driver: DriverHost, IPAM: IPAM{Driver: "default", Config: []IPAMConfig{}}, Options: map[string]string{}},
		NameNone: {Driver: DriverNull, IPAM: IPAM{Driver: "default", Config: []IPAMConfig{}}, Options: map[string]string{}},
	}
	for _, r := range recs {
		if p, _, ok := r.Network.Subnet(); ok && r.Network.Name != NameBridge && p.Overlaps(m.defaultSubnet) {
			return fmt.Errorf("open network store: %w: default subnet %s overlaps network %s (%s)", ErrOverlap, m.defaultSubnet, r.Network.Name, p)
		}
	}
	for _, name := range []string{NameBridge, NameHost, NameNone} {
		w := want[name]
		r, err := find(recs, name)
		switch {
		case errors.Is(err, ErrNotFound):
			w.Name, w.ID, w.Created, w.Scope, w.Labels = name, newID(), time.Now().UTC(), "local", map[string]string{}
			r = &record{Network: w, Endpoints: map[string]*endpoint{}}
		case err != nil:
			return err
		case len(r.Endpoints) == 0 && (!slices.Equal(r.Network.IPAM.Config, w.IPAM.Config) || r.Network.Bridge() != w.Bridge()):
			if r.BridgeUp {
				if err := m.takeDown(recs, r); err != nil {
					return err
				}
			}
			r.Network.IPAM, r.Network.Options = w.IPAM, w.Options
		default:
			continue
		}
		if err := m.save(r); err != nil {
			return err
		}
	}
	return nil
}

// List returns every network, sorted by name.
func (m *Manager) List() ([]*Network, error) {
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	out := make([]*Network, len(recs))
	for i, r := range recs {
		out[i] = r.public()
	}
	return out, nil
}

// Inspect returns one network by name, ID or unique ID prefix.
func (m *Manager) Inspect(ref string) (*Network, error) {
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	r, err := find(recs, ref)
	if err != nil {
		return nil, err
	}
	return r.public(), nil
}

// Create makes a user-defined bridge network. Its bridge is made when the
// first container attaches.
func (m *Manager) Create(opts CreateOptions) (*Network, error) {
	n, err := m.create(opts)
	if err != nil {
		return nil, fmt.Errorf("create network %s: %w", opts.Name, err)
	}
	return n, nil
}

func (m *Manager) create(opts CreateOptions) (*Network, error) {
	if err := checkName(opts.Name); err != nil {
		return nil, err
	}
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	if _, err := find(recs, opts.Name); err == nil {
		return nil, fmt.Errorf("%w: network with name %s already exists", ErrExists, opts.Name)
	}
	var taken []netip.Prefix
	for _, r := range recs {
		if p, _, ok := r.Network.Subnet(); ok {
			taken = append(taken, p)
		}
	}
	var subnet netip.Prefix
	var gateway netip.Addr
	if opts.Subnet != "" {
		if subnet, gateway, err = parseSubnet(opts.Subnet, opts.Gateway); err != nil {
			return nil, err
		}
		for _, t := range taken {
			if t.Overlaps(subnet) {
				return nil, fmt.Errorf("%w: %s overlaps %s", ErrOverlap, subnet, t)
			}
		}
	} else {
		if opts.Gateway != "" {
			return nil, fmt.Errorf("%w: --gateway needs --subnet", ErrInvalidConfig)
		}
		hostNets, err := hostPrefixes()
		if err != nil {
			return nil, err
		}
		if subnet, err = pickSubnet(m.pool, 24, append(taken, hostNets...)); err != nil {
			return nil, err
		}
		gateway = subnet.Addr().Next()
	}
	id := newID()
	bridge := cmpOr(opts.Bridge, "br-"+id[:12])
	if err := checkBridgeName(bridge); err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.Network.Bridge() == bridge {
			return nil, fmt.Errorf("%w: bridge %s is used by network %s", ErrExists, bridge, r.Network.Name)
		}
	}
	labels := opts.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	r := &record{Network: Network{
		Name: opts.Name, ID: id, Created: time.Now().UTC(), Scope: "local", Driver: DriverBridge,
		IPAM:    IPAM{Driver: "default", Config: []IPAMConfig{{Subnet: subnet.String(), Gateway: gateway.String()}}},
		Options: map[string]string{BridgeNameOption: bridge},
		Labels:  labels,
	}, Endpoints: map[string]*endpoint{}}
	if err := m.save(r); err != nil {
		return nil, err
	}
	return r.public(), nil
}

// Remove deletes a user-defined network, refusing while containers are
// attached to it.
func (m *Manager) Remove(ref string) error {
	if err := m.remove(ref); err != nil {
		return fmt.Errorf("remove network %s: %w", ref, err)
	}
	return nil
}

func (m *Manager) remove(ref string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := m.loadAll()
	if err != nil {
		return err
	}
	r, err := find(recs, ref)
	if err != nil {
		return err
	}
	if r.Network.Predefined() {
		return fmt.Errorf("%w: %s", ErrPredefined, r.Network.Name)
	}
	if err := m.dropDead(r); err != nil {
		return err
	}
	if len(r.Endpoints) > 0 {
		return fmt.Errorf("%w: %s (%d attached)", ErrInUse, r.Network.Name, len(r.Endpoints))
	}
	if err := m.takeDown(recs, r); err != nil {
		return err
	}
	return m.delete(r)
}

// Prune removes the user-defined networks no container is attached to, as
// `docker network prune`, and takes down the bridge of every other
// network without containers (the default one's too): with nothing
// running, berth then leaves no bridge and no rule on the host. It
// returns the names of the networks removed.
func (m *Manager) Prune() ([]string, error) {
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, r := range recs {
		if err := m.dropDead(r); err != nil {
			return removed, err
		}
		if len(r.Endpoints) > 0 || r.Network.Driver != DriverBridge {
			continue
		}
		if err := m.takeDown(recs, r); err != nil {
			return removed, err
		}
		if r.Network.Predefined() {
			continue
		}
		if err := m.delete(r); err != nil {
			return removed, err
		}
		removed = append(removed, r.Network.Name)
	}
	return removed, nil
}

// takeDown deletes a network's bridge and rules, and records it. A bridge
// may exist without BridgeUp (made by an attach that was killed), so it is
// deleted either way.
func (m *Manager) takeDown(recs []*record, r *record) error {
	if err := deleteLink(r.Network.Bridge()); err != nil {
		return err
	}
	if !r.BridgeUp {
		return nil
	}
	r.BridgeUp = false
	if err := m.syncRules(recs); err != nil {
		r.BridgeUp = true
		return err
	}
	return m.save(r)
}

// dropDead forgets endpoints whose host veth is gone: their namespace died
// with its container (a killed shim, a reboot) without a Detach. Under the
// lock this is exact, since an endpoint is recorded only once its veth
// exists and its veth is deleted only by whoever forgets it.
func (m *Manager) dropDead(r *record) error {
	changed := false
	for id, ep := range r.Endpoints {
		exists, err := linkExists(ep.HostVeth)
		if err != nil {
			return err
		}
		if !exists {
			delete(r.Endpoints, id)
			changed = true
		}
	}
	if changed {
		return m.save(r)
	}
	return nil
}

// rules is the masquerade rule of each network whose bridge is up, in the
// order of recs.
func rules(recs []*record) []masquerade {
	var out []masquerade
	for _, r := range recs {
		subnet, _, ok := r.Network.Subnet()
		if r.Network.Driver == DriverBridge && ok && r.BridgeUp {
			out = append(out, masquerade{Subnet: subnet, Bridge: r.Network.Bridge()})
		}
	}
	return out
}

// syncRules makes berth's nftables table say what recs need (see
// nft_linux.go), or deletes it when no bridge is up. Rewriting the table
// costs the kernel some milliseconds, which is why it happens only when a
// bridge goes up or down, not for every container.
func (m *Manager) syncRules(recs []*record) error {
	want := rules(recs)
	if len(want) > 0 {
		if err := enableForwarding(); err != nil {
			return err
		}
	}
	return syncMasquerade(m.opts.Table, want)
}

// vethName is the host end's name for an endpoint: "vb" and 10 hex
// digits of a hash of network and container, so that it is stable,
// unique in practice, and within the 15 bytes an interface name has.
func vethName(networkID, containerID string) string {
	h := sha256.Sum256([]byte(networkID + "/" + containerID))
	return "vb" + hex.EncodeToString(h[:5])
}
