package engine

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"berth/engine/network"
	"berth/internal/lazyregexp"
)

// A container's name resolution (--add-host, --dns*, --link,
// --domainname, --mac-address) and the namespaces it may share (--pid,
// --ipc, --uts, --network container:NAME), with docker's rules. The
// parsers are pure and exported for the CLI; checkNamespaces and
// nameFiles run at create, namespaces_linux.go at start.

// Namespace modes, as docker's --pid, --ipc, --uts and --network take them.
const (
	ModeHost      = "host"
	ModePrivate   = "private"   // --ipc: a namespace of its own, nobody may join (docker's default)
	ModeShareable = "shareable" // --ipc: a namespace of its own that others may join
	ModeNone      = "none"      // --ipc: its own namespace, and no /dev/shm
	containerMode = "container:"
)

// ParseExtraHost splits docker's --add-host HOST:IP (IPv6 allowed: only
// the first colon splits; IP may be network.HostGateway).
func ParseExtraHost(s string) (host, ip string, err error) {
	host, ip, ok := strings.Cut(s, ":")
	if !ok || host == "" || strings.ContainsAny(host, " \t\n") {
		return "", "", fmt.Errorf("bad format for add-host: %q", s)
	}
	if ip == network.HostGateway {
		return host, ip, nil
	}
	addr, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil || addr.Zone() != "" {
		return "", "", fmt.Errorf("invalid IP address in add-host: %q", ip)
	}
	return host, addr.String(), nil
}

// CheckDNS checks a --dns nameserver address.
func CheckDNS(s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("%s is not an ip address", s)
	}
	return nil
}

// dnsDomain is docker's rule for a --dns-search domain.
var dnsDomain = lazyregexp.New(`^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?$`)

// CheckDNSSearch checks a --dns-search domain; "." alone means an empty
// search list.
func CheckDNSSearch(s string) error {
	if s == "." {
		return nil
	}
	if len(s) > 255 || !dnsDomain().MatchString(s) {
		return fmt.Errorf("%s is not a valid domain", s)
	}
	return nil
}

// CheckDNSOption checks a --dns-option: one word of resolv.conf's
// options line ("ndots:2", "edns0").
func CheckDNSOption(s string) error {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%q is not a valid DNS option", s)
	}
	return nil
}

// ParseMAC checks a --mac-address: a unicast Ethernet (48-bit) address.
func ParseMAC(s string) (net.HardwareAddr, error) {
	mac, err := net.ParseMAC(s)
	if err != nil || len(mac) != 6 || mac[0]&1 != 0 {
		return nil, fmt.Errorf("%s is not a valid mac address", s)
	}
	return mac, nil
}

// CheckPidMode, CheckIpcMode and CheckUTSMode check --pid, --ipc and
// --uts as docker's client does.
func CheckPidMode(s string) error {
	if s == "" || s == ModeHost || containerRef(s) != "" {
		return nil
	}
	return errors.New("--pid: invalid PID mode")
}

func CheckIpcMode(s string) error {
	switch {
	case s == "", s == ModeHost, s == ModePrivate, s == ModeShareable, s == ModeNone, containerRef(s) != "":
		return nil
	}
	return errors.New("--ipc: invalid IPC mode")
}

func CheckUTSMode(s string) error {
	if s == "" || s == ModeHost {
		return nil
	}
	return errors.New("--uts: invalid UTS mode")
}

// containerRef is NAME of "container:NAME", else "".
func containerRef(mode string) string {
	ref, _ := strings.CutPrefix(mode, containerMode)
	if ref == mode {
		return ""
	}
	return ref
}

// ParseLink splits docker's --link NAME[:ALIAS]; the alias defaults to
// the name.
func ParseLink(s string) (name, alias string, err error) {
	name, alias, _ = strings.Cut(s, ":")
	name = strings.TrimPrefix(name, "/")
	if alias == "" {
		alias = name
	}
	if name == "" || checkName(name) != nil || checkName(alias) != nil {
		return "", "", fmt.Errorf("invalid link %q: want NAME[:ALIAS]", s)
	}
	return name, alias, nil
}

// resolvConfFor is a container's resolv.conf from the host's, as
// docker's: without --dns, --dns-search and --dns-option, the host's
// with its loopback nameservers dropped (they would point into the
// container), and Google's public servers when none is left; with any
// of them, a new file taking each part the flags do not give from the
// host's.
func resolvConfFor(host []byte, dns, search, options []string) []byte {
	var hostNS, hostSearch, hostOptions []string
	var kept strings.Builder
	for _, line := range strings.Split(string(host), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 || isLoopback(f[1]) {
				continue
			}
			hostNS = append(hostNS, f[1])
		case "search", "domain":
			hostSearch = f[1:]
		case "options":
			hostOptions = append(hostOptions, f[1:]...)
		}
		kept.WriteString(line)
		kept.WriteByte('\n')
	}
	defaultNS := []string{"8.8.8.8", "8.8.4.4"}
	if len(dns)+len(search)+len(options) == 0 {
		if len(hostNS) == 0 {
			for _, ns := range defaultNS {
				kept.WriteString("nameserver " + ns + "\n")
			}
		}
		return []byte(kept.String())
	}
	if len(dns) == 0 {
		dns = cmpOrSlice(hostNS, defaultNS)
	}
	if len(search) == 0 {
		search = hostSearch
	}
	if len(options) == 0 {
		options = hostOptions
	}
	var b strings.Builder
	if len(search) > 0 && !(len(search) == 1 && search[0] == ".") {
		b.WriteString("search " + strings.Join(search, " ") + "\n")
	}
	for _, ns := range dns {
		b.WriteString("nameserver " + ns + "\n")
	}
	if len(options) > 0 {
		b.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return []byte(b.String())
}

func isLoopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.IsLoopback()
}

func cmpOrSlice(s, def []string) []string {
	if len(s) == 0 {
		return def
	}
	return s
}

// hostResolvConf is the resolv.conf containers start from: the host's,
// or, when that names only systemd-resolved's stub on 127.0.0.53, the
// servers resolved itself uses, as docker reads them.
func hostResolvConf() []byte {
	b, _ := os.ReadFile("/etc/resolv.conf")
	if !bytesOnlyStub(b) {
		return b
	}
	if up, err := os.ReadFile("/run/systemd/resolve/resolv.conf"); err == nil {
		return up
	}
	return b
}

// bytesOnlyStub reports whether a resolv.conf's only nameserver is
// systemd-resolved's stub.
func bytesOnlyStub(b []byte) bool {
	var ns []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" {
			ns = append(ns, f[1])
		}
	}
	return len(ns) == 1 && ns[0] == "127.0.0.53"
}

// checkNamespaces checks, at create, the namespace and name-resolution
// settings against each other and against the containers they name, as
// docker's daemon does; it resolves --network container:NAME to the
// container's ID, gives --ipc its default, private, and turns each
// --link into "/CHILD:/ALIAS" (nameFiles puts the parent's name in).
func (e *Engine) checkNamespaces(hc *HostConfig, cfg *ContainerConfig) error {
	for _, check := range []func() error{
		func() error { return CheckPidMode(hc.PidMode) },
		func() error { return CheckIpcMode(hc.IpcMode) },
		func() error { return CheckUTSMode(hc.UTSMode) },
	} {
		if err := check(); err != nil {
			return invalidf("%v", err)
		}
	}
	if err := checkNamespacePaths(*hc); err != nil {
		return err
	}
	if hc.IpcMode == "" {
		hc.IpcMode = ModePrivate
	}
	for _, l := range []*[]string{&hc.DNS, &hc.DNSOptions, &hc.DNSSearch} {
		if *l == nil {
			*l = []string{} // docker's inspect shows [] for these three
		}
	}
	for _, h := range hc.ExtraHosts {
		if _, _, err := ParseExtraHost(h); err != nil {
			return invalidf("%v", err)
		}
	}
	for _, d := range hc.DNS {
		if err := CheckDNS(d); err != nil {
			return invalidf("%v", err)
		}
	}
	for _, d := range hc.DNSSearch {
		if err := CheckDNSSearch(d); err != nil {
			return invalidf("%v", err)
		}
	}
	for _, o := range hc.DNSOptions {
		if err := CheckDNSOption(o); err != nil {
			return invalidf("%v", err)
		}
	}
	if cfg.MacAddress != "" {
		if _, err := ParseMAC(cfg.MacAddress); err != nil {
			return invalidf("%v", err)
		}
	}
	if cfg.Domainname != "" && !dnsDomain().MatchString(cfg.Domainname) {
		return invalidf("invalid domain name %q", cfg.Domainname)
	}
	if hc.UTSMode == ModeHost && cfg.Hostname != "" {
		return invalidf("conflicting options: hostname and the UTS mode")
	}
	netRef := containerRef(hc.NetworkMode)
	switch {
	case netRef != "":
		switch {
		case cfg.Hostname != "":
			return invalidf("conflicting options: hostname and the network mode")
		case cfg.MacAddress != "":
			return invalidf("conflicting options: mac-address and the network mode")
		case len(hc.Links) > 0:
			return invalidf("conflicting options: container type network can't be used with links. This would result in undefined behavior")
		case len(hc.DNS)+len(hc.DNSSearch)+len(hc.DNSOptions) > 0:
			return invalidf("conflicting options: dns and the network mode")
		case len(hc.ExtraHosts) > 0:
			return invalidf("conflicting options: custom host-to-IP mapping and the network mode")
		case len(hc.PortBindings) > 0 || hc.PublishAllPorts:
			return invalidf("conflicting options: port publishing and the container type network mode")
		case len(cfg.ExposedPorts) > 0:
			return invalidf("conflicting options: port exposing and the container type network mode")
		}
		donor, err := e.namespaceDonor(netRef, "network")
		if err != nil {
			return err
		}
		if m := donor.HostConfig.NetworkMode; m == network.NameHost || containerRef(m) != "" {
			return invalidf("cannot join network of %s: it shares another's network (--network %s)", donor.DisplayName(), m)
		}
		hc.NetworkMode = containerMode + donor.ID
	case hc.NetworkMode == network.NameHost:
		if len(hc.Links) > 0 {
			return invalidf("conflicting options: host type networking can't be used with links. This would result in undefined behavior")
		}
		if cfg.MacAddress != "" {
			return invalidf("conflicting options: mac-address and the network mode")
		}
	}
	for _, mode := range []struct{ kind, ref string }{{"PID", containerRef(hc.PidMode)}, {"IPC", containerRef(hc.IpcMode)}} {
		if mode.ref == "" {
			continue
		}
		if _, err := e.namespaceDonor(mode.ref, mode.kind); err != nil {
			return err
		}
	}
	links := hc.Links
	hc.Links = nil
	for _, l := range links {
		name, alias, err := ParseLink(l)
		if err != nil {
			return invalidf("%v", err)
		}
		child, err := e.get(name)
		if err != nil {
			return invalidf("could not get container for %s: %v", name, err)
		}
		hc.Links = append(hc.Links, child.Name+":/"+alias)
	}
	return nil
}

// namespaceDonor is the container whose namespace of kind another asks
// to share (a container being created cannot name itself).
func (e *Engine) namespaceDonor(ref, kind string) (*record, error) {
	d, err := e.get(ref)
	if err != nil {
		return nil, fmt.Errorf("can't join %s of container %s: %w", kind, ref, err)
	}
	return d, nil
}

// nameFiles changes the /etc files create writes for the container's
// name resolution: --dns* in resolv.conf, --add-host and --domainname in
// hosts, the host's name with --uts host; a container on another's
// network uses that container's files, as docker's. It also completes
// the links checkNamespaces left without the parent's name.
func (e *Engine) nameFiles(c *record, files map[string][]byte, hostResolv []byte) error {
	hc := c.HostConfig
	for i, l := range hc.Links {
		child, alias, _ := strings.Cut(l, ":")
		hc.Links[i] = child + ":" + c.Name + alias
	}
	if hc.UTSMode == ModeHost {
		hostname, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("read the host's name: %w", err)
		}
		c.Config.Hostname = hostname
		files[c.HostnamePath] = []byte(hostname + "\n")
	}
	if ref := containerRef(hc.NetworkMode); ref != "" {
		donor, err := e.get(ref)
		if err != nil {
			return err
		}
		for _, p := range []string{c.HostsPath, c.ResolvConfPath, c.HostnamePath} {
			delete(files, p)
		}
		c.HostsPath, c.ResolvConfPath, c.HostnamePath = donor.HostsPath, donor.ResolvConfPath, donor.HostnamePath
		c.Config.Hostname = donor.Config.Hostname
		return nil
	}
	extra, err := e.extraHosts(c, network.NameBridge)
	if err != nil {
		return err
	}
	if hc.NetworkMode == network.NameHost {
		hosts := files[c.HostsPath]
		for _, l := range extra {
			hosts = fmt.Appendf(hosts, "%s\t%s\n", l.IP, strings.Join(l.Names, " "))
		}
		files[c.HostsPath] = hosts
	} else {
		files[c.HostsPath] = network.HostsFile(c.Config.Hostname, c.Config.Domainname, extra)
	}
	if len(hc.DNS)+len(hc.DNSSearch)+len(hc.DNSOptions) > 0 {
		files[c.ResolvConfPath] = resolvConfFor(hostResolv, hc.DNS, hc.DNSSearch, hc.DNSOptions)
	}
	return nil
}

// hostEntries are the container's --add-host lines (checked at
// create), HostGateway left for the network joined to resolve.
func hostEntries(hc HostConfig) []network.HostEntry {
	var out []network.HostEntry
	for _, h := range hc.ExtraHosts {
		if host, ip, err := ParseExtraHost(h); err == nil {
			out = append(out, network.HostEntry{IP: ip, Names: []string{host}})
		}
	}
	return out
}

// extraHosts are hostEntries with HostGateway resolved to the gateway of
// the network gatewayOf: for a container on no bridge, docker's
// host-gateway-ip, the default bridge's address.
func (e *Engine) extraHosts(c *record, gatewayOf string) ([]network.HostEntry, error) {
	out := hostEntries(c.HostConfig)
	for i := range out {
		if out[i].IP != network.HostGateway {
			continue
		}
		n, err := e.networks.Inspect(gatewayOf)
		if err != nil {
			return nil, err
		}
		_, gw, ok := n.Subnet()
		if !ok {
			return nil, invalidf("unable to derive the IP value for host-gateway")
		}
		out[i].IP = gw.String()
	}
	return out, nil
}

// linkTarget is one legacy link of a running container: the linked
// container and its address.
type linkTarget struct {
	alias string
	child *record
	ip    netip.Addr
	// legacy is a link of HostConfig.Links (the default bridge), which
	// gives variables; a user network's link gives its name only.
	legacy bool
}

// links resolves the container's legacy links. A linked container that
// is not running fails the start, as docker's.
func (e *Engine) links(c *record) ([]linkTarget, error) {
	var out []linkTarget
	stored, err := storedLinks(c)
	if err != nil {
		return nil, err
	}
	for _, l := range stored {
		child, alias := l.child, l.alias
		lc, err := e.get(child)
		if err != nil {
			return nil, fmt.Errorf("could not get container for %s: %w", child, err)
		}
		if !lc.State.Status.hasProcess() {
			return nil, invalidf("cannot link to a non running container: /%s AS %s/%s", lc.DisplayName(), c.Name, alias)
		}
		atts, err := e.networks.Attachments(lc.ID)
		if err != nil {
			return nil, err
		}
		a := atts[network.NameBridge]
		if own := joinedNetworks(c); !l.legacy && len(own) > 0 {
			a = atts[own[0]]
		}
		if names := slices.Sorted(maps.Keys(atts)); a == nil && len(names) > 0 {
			a = atts[names[0]]
		}
		if a == nil {
			return nil, invalidf("cannot link to /%s: it has no address on a bridge network", lc.DisplayName())
		}
		out = append(out, linkTarget{alias: alias, child: lc, ip: a.IP, legacy: l.legacy})
	}
	return out, nil
}

// linkHosts are the hosts lines of the container's legacy links, as
// docker writes them: the linked container's address on the default
// bridge, with the alias, its hostname and its name.
func (e *Engine) linkHosts(c *record) ([]network.HostEntry, error) {
	links, err := e.links(c)
	if err != nil {
		return nil, err
	}
	var out []network.HostEntry
	for _, l := range links {
		out = append(out, network.HostEntry{IP: l.ip.String(), Names: []string{l.alias, l.child.Config.Hostname, l.child.DisplayName()}})
	}
	return out, nil
}

// withLinkEnv is env under the variables docker's legacy links give a
// container (ALIAS_NAME, ALIAS_PORT…, ALIAS_ENV_…), which env overrides.
func (e *Engine) withLinkEnv(c *record, env []string) ([]string, error) {
	if len(c.HostConfig.Links) == 0 { // a user network's links give no variables
		return env, nil
	}
	links, err := e.links(c)
	if err != nil {
		return nil, err
	}
	var linkEnv []string
	for _, l := range links {
		if !l.legacy {
			continue
		}
		linkEnv = append(linkEnv, linkVars(c.Name+"/"+l.alias, l.ip.String(), l.child.Config.ExposedPorts, l.child.Config.Env)...)
	}
	return mergeEnv(linkEnv, env), nil
}

// linkVars are one link's variables, as docker's: name is
// "/PARENT/ALIAS", ports the linked container's exposed ports
// ("80/tcp"), env its environment (without HOME and PATH).
func linkVars(name, ip string, ports map[string]struct{}, env []string) []string {
	_, alias, _ := strings.Cut(name[1:], "/")
	prefix := strings.ReplaceAll(strings.ToUpper(alias), "-", "_")
	type port struct {
		num   int
		proto string
	}
	var ps []port
	for p := range ports {
		num, proto, _ := strings.Cut(p, "/")
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		ps = append(ps, port{n, cmp.Or(proto, "tcp")})
	}
	slices.SortFunc(ps, func(a, b port) int {
		if a.num != b.num {
			return a.num - b.num
		}
		return strings.Compare(a.proto, b.proto)
	})
	var out []string
	if len(ps) > 0 {
		out = append(out, fmt.Sprintf("%s_PORT=%s://%s:%d", prefix, ps[0].proto, ip, ps[0].num))
	}
	for _, p := range ps {
		key := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.num, strings.ToUpper(p.proto))
		out = append(out,
			fmt.Sprintf("%s=%s://%s:%d", key, p.proto, ip, p.num),
			fmt.Sprintf("%s_ADDR=%s", key, ip),
			fmt.Sprintf("%s_PORT=%d", key, p.num),
			fmt.Sprintf("%s_PROTO=%s", key, p.proto))
	}
	out = append(out, fmt.Sprintf("%s_NAME=%s", prefix, name))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "HOME" || k == "PATH" {
			continue
		}
		out = append(out, fmt.Sprintf("%s_ENV_%s=%s", prefix, k, v))
	}
	return out
}

// splitStoredLink splits HostConfig.Links' "/CHILD:/PARENT/ALIAS".
func splitStoredLink(l string) (child, alias string, err error) {
	child, rest, ok := strings.Cut(l, ":")
	i := strings.LastIndexByte(rest, '/')
	if !ok || i < 0 {
		return "", "", fmt.Errorf("damaged link %q in the container's record", l)
	}
	return strings.TrimPrefix(child, "/"), rest[i+1:], nil
}

// sessionSpec is what the shim asks of the network: networkSpec with
// the hosts lines of the container's links, whose containers must run.
func (e *Engine) sessionSpec(c *record) (network.SessionSpec, error) {
	spec := networkSpec(c)
	links, err := e.linkHosts(c)
	if err != nil {
		return spec, err
	}
	spec.ExtraHosts = append(spec.ExtraHosts, links...)
	return spec, nil
}
