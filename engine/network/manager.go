package network

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"

	"berth/internal/diskspace"
)

// Defaults of Options. The subnet, bridge and table are the default data
// root's; another root's are its own (see RootNames and AutoSubnetRange).
const (
	DefaultSubnet     = "10.203.0.0/24" // clashes with neither docker's 172.17+ nor podman's 10.88
	DefaultBridgeName = "berth0"
	DefaultSubnetPool = "10.204.0.0/14" // user networks without --subnet get a /24 from here
	DefaultTable      = "berth"         // nftables table (family ip) holding the root's NAT rules
)

// Options configures a Manager. The zero value of each field is its
// default.
type Options struct {
	// Dir holds the network store (networks/*.json and a lock file),
	// e.g. <data root>/network. Required.
	Dir string
	// Root is the data root these networks belong to. Its path marks
	// every bridge they make, and names the default bridge and the table
	// when DefaultBridge and Table are empty (RootNames). Required.
	Root string
	// DefaultRoot says Root is the host's default data root: its default
	// bridge is berth0, its table berth and its default subnet
	// DefaultSubnet. Another root (false) gets names of its own and,
	// without a DefaultSubnet, a /24 of AutoSubnetRange picked once and
	// kept in the store.
	DefaultRoot bool
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
	// Table is the nftables table (family ip) this root owns; every rule
	// of its networks is in it and it is deleted when no network needs
	// it.
	Table string
	// Reserve is the data root's reserve of space, which saving a
	// network spends when the disk is full (a container's release must
	// work then); nil saves without one.
	Reserve *diskspace.Reserve `json:"-"`
	// Event, when set, is told of what happens to networks, as docker's
	// network events: action "create", "destroy", "connect" or
	// "disconnect", the network's ID, and docker's attributes (name,
	// type, and container for connect and disconnect). nil tells no one.
	Event func(action, networkID string, attrs map[string]string) `json:"-"`
}

// Manager owns berth's networks: the store of network files, the bridges,
// the containers' veth pairs and addresses, and the masquerade rules. It is
// safe for concurrent use, and several Managers in several processes may
// share one Dir.
type Manager struct {
	opts          Options
	mark          string // the alias of this root's bridges
	autoSubnet    bool   // the default subnet is picked, not configured
	defaultSubnet netip.Prefix
	defaultGW     netip.Addr
	pool          netip.Prefix
}

// Open opens (creating when needed) the store under opts.Dir, with the
// pre-defined networks bridge, host and none.
func Open(opts Options) (*Manager, error) {
	if opts.Dir == "" || opts.Root == "" {
		return nil, fmt.Errorf("open network store: %w: no directory or data root", ErrInvalidConfig)
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("open network store: %w", err)
	}
	opts.Root = root
	bridge, table := RootNames(root, opts.DefaultRoot)
	opts.DefaultBridge = cmpOr(opts.DefaultBridge, bridge)
	opts.Table = cmpOr(opts.Table, table)
	opts.SubnetPool = cmpOr(opts.SubnetPool, DefaultSubnetPool)
	autoSubnet := opts.DefaultSubnet == "" && !opts.DefaultRoot
	if opts.DefaultRoot {
		opts.DefaultSubnet = cmpOr(opts.DefaultSubnet, DefaultSubnet)
	}
	m := &Manager{opts: opts, mark: ownerMark(root), autoSubnet: autoSubnet}
	if autoSubnet && opts.DefaultGateway != "" {
		return nil, fmt.Errorf("open network store: %w: a default gateway needs a default subnet", ErrInvalidConfig)
	}
	if !autoSubnet {
		if m.defaultSubnet, m.defaultGW, err = parseSubnet(opts.DefaultSubnet, opts.DefaultGateway); err != nil {
			return nil, fmt.Errorf("open network store: default subnet: %w", err)
		}
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
	subnet, gateway := m.defaultSubnet, m.defaultGW
	if m.autoSubnet {
		if subnet, gateway, err = m.pickDefaultSubnet(recs, false); err != nil {
			return fmt.Errorf("open network store: %w", err)
		}
	}
	want := map[string]Network{
		NameBridge: {Driver: DriverBridge,
			IPAM:    IPAM{Driver: "default", Config: []IPAMConfig{{Subnet: subnet.String(), Gateway: gateway.String()}}},
			Options: map[string]string{BridgeNameOption: m.opts.DefaultBridge}},
		NameHost: {Driver: DriverHost, IPAM: IPAM{Driver: "default", Config: []IPAMConfig{}}, Options: map[string]string{}},
		NameNone: {Driver: DriverNull, IPAM: IPAM{Driver: "default", Config: []IPAMConfig{}}, Options: map[string]string{}},
	}
	for _, r := range recs {
		if p, _, ok := r.Network.Subnet(); ok && r.Network.Name != NameBridge && p.Overlaps(subnet) {
			return fmt.Errorf("open network store: %w: default subnet %s overlaps network %s (%s)", ErrOverlap, subnet, r.Network.Name, p)
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

// pickDefaultSubnet is the default bridge's subnet and gateway of a root
// whose configuration names none: the one in the store while it is one
// autoSubnet could have picked and, when recheck is set, overlaps no
// address of the host; else a new pick, overlapping neither the host's
// addresses nor the root's other networks.
func (m *Manager) pickDefaultSubnet(recs []*record, recheck bool) (netip.Prefix, netip.Addr, error) {
	var taken []netip.Prefix
	var current netip.Prefix
	var currentGW netip.Addr
	for _, r := range recs {
		p, gw, ok := r.Network.Subnet()
		switch {
		case !ok:
		case r.Network.Name == NameBridge:
			current, currentGW = p, gw
		default:
			taken = append(taken, p)
		}
	}
	keep := current.IsValid() && inAutoRange(current) && !overlapsAny(current, taken)
	if keep && !recheck {
		return current, currentGW, nil
	}
	addrs, err := hostAddresses()
	if err != nil {
		return netip.Prefix{}, netip.Addr{}, err
	}
	if _, clash := hostOverlap(current, m.opts.DefaultBridge, addrs); keep && !clash {
		return current, currentGW, nil
	}
	p, err := autoSubnet(m.opts.Root, append(taken, prefixes(addrs)...))
	if err != nil {
		return netip.Prefix{}, netip.Addr{}, err
	}
	return p, p.Addr().Next(), nil
}

// claimSubnet is called before r's bridge is made: its subnet must
// overlap no address of the host (another root's bridge, the LAN). The
// default bridge of a root whose subnet was picked, with nothing
// attached, picks another instead, and records it. It returns the subnet
// and gateway to use.
func (m *Manager) claimSubnet(recs []*record, r *record) (netip.Prefix, netip.Addr, error) {
	subnet, gateway, _ := r.Network.Subnet()
	if m.autoSubnet && r.Network.Name == NameBridge && len(r.Endpoints) == 0 {
		p, gw, err := m.pickDefaultSubnet(recs, true)
		if err != nil || (p == subnet && gw == gateway) {
			return p, gw, err
		}
		r.Network.IPAM.Config = []IPAMConfig{{Subnet: p.String(), Gateway: gw.String()}}
		return p, gw, m.save(r)
	}
	addrs, err := hostAddresses()
	if err != nil {
		return netip.Prefix{}, netip.Addr{}, err
	}
	a, clash := hostOverlap(subnet, r.Network.Bridge(), addrs)
	if clash && r.AutoSubnet && !r.BridgeUp && len(r.Endpoints) == 0 {
		// Picked at create, taken by the host since (another root
		// made its bridge in between): pick again, as the default
		// bridge does.
		var taken []netip.Prefix
		for _, o := range recs {
			if p, _, ok := o.Network.Subnet(); ok && o.Network.ID != r.Network.ID {
				taken = append(taken, p)
			}
		}
		p, err := pickSubnet(m.pool, 24, append(taken, prefixes(addrs)...))
		if err != nil {
			return netip.Prefix{}, netip.Addr{}, err
		}
		gw := p.Addr().Next()
		r.Network.IPAM.Config = []IPAMConfig{{Subnet: p.String(), Gateway: gw.String()}}
		return p, gw, m.save(r)
	}
	if clash {
		return netip.Prefix{}, netip.Addr{}, &conflictError{fmt.Sprintf("subnet %s of network %s overlaps %s on interface %s of the host; %s",
			subnet, r.Network.Name, a.Prefix, a.Link, conflictHint(r, false))}
	}
	return subnet, gateway, nil
}

// conflictHint says which setting gives network r another bridge (or
// with bridge false, another subnet).
func conflictHint(r *record, bridge bool) string {
	switch {
	case r.Network.UserDefined() && bridge:
		return "create the network with another " + BridgeNameOption
	case r.Network.UserDefined():
		return "create the network with another --subnet"
	case bridge:
		return `set "bridge" and "bip" in the config`
	default:
		return `set "bip" in the config`
	}
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
	m.emit("create", n, "")
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
		addrs, err := hostAddresses()
		if err != nil {
			return nil, err
		}
		if subnet, err = pickSubnet(m.pool, 24, append(taken, prefixes(addrs)...)); err != nil {
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
		Labels:  labels, Internal: opts.Internal,
	}, Endpoints: map[string]*endpoint{}, AutoSubnet: opts.Subnet == ""}
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
	if err := m.delete(r); err != nil {
		return err
	}
	m.emit("destroy", &r.Network, "")
	return nil
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
		m.emit("destroy", &r.Network, "")
		removed = append(removed, r.Network.Name)
	}
	return removed, nil
}

// takeDown deletes a network's bridge and rules, and records it. A bridge
// may exist without BridgeUp (made by an attach that was killed), so it is
// deleted either way.
func (m *Manager) takeDown(recs []*record, r *record) error {
	if err := deleteBridge(r.Network.Bridge(), m.mark); err != nil {
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
		return m.saveEndpoints(r)
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
			out = append(out, masquerade{Subnet: subnet, Bridge: r.Network.Bridge(), Internal: r.Network.Internal})
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

// emit tells Options.Event of a network event; containerID is "" but for
// connect and disconnect.
func (m *Manager) emit(action string, n *Network, containerID string) {
	if m.opts.Event == nil {
		return
	}
	attrs := map[string]string{"name": n.Name, "type": n.Driver}
	if containerID != "" {
		attrs["container"] = containerID
	}
	m.opts.Event(action, n.ID, attrs)
}
