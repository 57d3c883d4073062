package network

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"berth/internal/lazyregexp"
)

// Drivers of the networks berth knows.
const (
	DriverBridge = "bridge" // a Linux bridge with veth pairs: the default and every user network
	DriverHost   = "host"   // the host's own network namespace
	DriverNull   = "null"   // a namespace with lo only ("none")
)

// Names of the pre-defined networks, which exist in every store and cannot
// be removed.
const (
	NameBridge = "bridge"
	NameHost   = "host"
	NameNone   = "none"
)

// BridgeNameOption is the Options key that names a network's Linux bridge,
// as docker's.
const BridgeNameOption = "com.docker.network.bridge.name"

// Network is one network as `berth network inspect` shows it, in docker's
// shape. Containers lists the attached (running) containers by ID.
type Network struct {
	Name       string              `json:"Name"`
	ID         string              `json:"Id"`
	Created    time.Time           `json:"Created"`
	Scope      string              `json:"Scope"`
	Driver     string              `json:"Driver"`
	EnableIPv6 bool                `json:"EnableIPv6"`
	IPAM       IPAM                `json:"IPAM"`
	Internal   bool                `json:"Internal"`
	Attachable bool                `json:"Attachable"`
	Containers map[string]Endpoint `json:"Containers"`
	Options    map[string]string   `json:"Options"`
	Labels     map[string]string   `json:"Labels"`
}

// IPAM is a network's address management, as docker shows it.
type IPAM struct {
	Driver string       `json:"Driver"`
	Config []IPAMConfig `json:"Config"`
}

// IPAMConfig is one subnet of a network and its gateway (the bridge's
// address), both in text form ("10.203.0.0/24", "10.203.0.1").
type IPAMConfig struct {
	Subnet  string `json:"Subnet"`
	Gateway string `json:"Gateway"`
}

// Endpoint is one container's attachment to a network.
type Endpoint struct {
	Name        string   `json:"Name"` // the container's name, without "/"
	EndpointID  string   `json:"EndpointID"`
	MacAddress  string   `json:"MacAddress"`
	IPv4Address string   `json:"IPv4Address"` // with the prefix length: "10.203.0.2/24"
	IPv6Address string   `json:"IPv6Address"`
	Aliases     []string `json:"Aliases,omitempty"`
}

// Bridge is the name of the network's Linux bridge ("" for host and none).
func (n *Network) Bridge() string { return n.Options[BridgeNameOption] }

// Predefined reports whether the network is one of bridge, host and none.
func (n *Network) Predefined() bool {
	return n.Name == NameBridge || n.Name == NameHost || n.Name == NameNone
}

// UserDefined reports whether containers on the network find each other by
// name: true for bridge networks the user created, as docker's.
func (n *Network) UserDefined() bool { return n.Driver == DriverBridge && n.Name != NameBridge }

// Subnet is the network's IPv4 subnet and gateway; ok is false for host and
// none.
func (n *Network) Subnet() (subnet netip.Prefix, gateway netip.Addr, ok bool) {
	if len(n.IPAM.Config) == 0 {
		return netip.Prefix{}, netip.Addr{}, false
	}
	c := n.IPAM.Config[0]
	subnet, err1 := netip.ParsePrefix(c.Subnet)
	gateway, err2 := netip.ParseAddr(c.Gateway)
	return subnet, gateway, err1 == nil && err2 == nil
}

// CreateOptions is `berth network create`'s flags.
type CreateOptions struct {
	Name string
	// Subnet in CIDR form; "" picks a free /24 from 10.204.0.0/14.
	Subnet string
	// Gateway is the bridge's address; "" is the subnet's first address.
	Gateway string
	// Bridge names the Linux bridge (≤ 15 bytes); "" is "br-" and the
	// first 12 hex digits of the network's ID.
	Bridge   string
	Internal bool // no masquerade: containers reach only each other
	Labels   map[string]string
}

var validName = lazyregexp.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// checkName checks a network name as docker does.
func checkName(name string) error {
	if !validName().MatchString(name) {
		return fmt.Errorf("%w: invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", ErrInvalidConfig, name)
	}
	return nil
}

// checkBridgeName checks a Linux interface name.
func checkBridgeName(name string) error {
	if name == "" || len(name) > 15 || slices.ContainsFunc([]byte(name), func(c byte) bool {
		return c == '/' || c == ':' || c <= ' ' || c >= 0x7f
	}) || name == "." || name == ".." {
		return fmt.Errorf("%w: invalid bridge name %q", ErrInvalidConfig, name)
	}
	return nil
}
