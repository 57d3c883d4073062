package network

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// Name resolution on user-defined networks is /etc/hosts, kept up to date:
// every container's hosts file (which the engine bind-mounts at
// /etc/hosts) lists its own address and hostname and, for each
// user-defined network it is on, every other member's address with its
// name and aliases. A join or a leave rewrites the files of every member
// of that network, under the store's lock. Files are rewritten in place
// (truncate and write on the same inode): a bind-mounted file keeps its
// inode, so a rename would never reach the container.

const hostsHeader = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`

// HostGateway is docker's --add-host address that stands for the host:
// an attach writes the gateway of the network in its place.
const HostGateway = "host-gateway"

// HostEntry is one line a container's hosts file has beside its networks'
// (--add-host, and a legacy --link): names for an address. IP may be
// HostGateway.
type HostEntry struct {
	IP    string   `json:"ip"`
	Names []string `json:"names"`
}

// HostsFile is the hosts file of a container on no network yet (or on
// none at all): the standard lines, extra, and its hostname (with its
// domain name) on 127.0.1.1. The engine writes it at create; a join
// rewrites it.
func HostsFile(hostname, domainname string, extra []HostEntry) []byte {
	return hostsContent(ownNames(hostname, domainname), entryLines(extra, netip.Addr{}), nil, nil)
}

// hostsLine is one line of a hosts file: an address and its names.
type hostsLine struct {
	IP    string
	Names []string
}

// ownNames are the names a container's own address has: the fully
// qualified one first, then the bare hostname, as docker writes them.
func ownNames(hostname, domainname string) []string {
	fqdn := hostname
	if domainname != "" && hostname != "" {
		fqdn = hostname + "." + domainname
	}
	if short, _, ok := strings.Cut(fqdn, "."); ok {
		return []string{fqdn, short}
	}
	return []string{fqdn}
}

// entryLines turns extra entries into lines, HostGateway into gateway
// (an entry for it is dropped when there is none).
func entryLines(extra []HostEntry, gateway netip.Addr) []hostsLine {
	var out []hostsLine
	for _, e := range extra {
		ip := e.IP
		if ip == HostGateway {
			if !gateway.IsValid() {
				continue
			}
			ip = gateway.String()
		}
		out = append(out, hostsLine{IP: ip, Names: e.Names})
	}
	return out
}

// resolveGateway is extra with HostGateway replaced by gateway.
func resolveGateway(extra []HostEntry, gateway netip.Addr) []HostEntry {
	var out []HostEntry
	for _, l := range entryLines(extra, gateway) {
		out = append(out, HostEntry{IP: l.IP, Names: slices.Clone(l.Names)})
	}
	return out
}

// hostsContent is a container's hosts file: the standard header, the
// extra lines, its own lines (or 127.0.1.1 with self's names when it is
// on no network), then its peers'. Names repeated on one line are
// dropped.
func hostsContent(self []string, extra, own, peers []hostsLine) []byte {
	var b strings.Builder
	b.WriteString(hostsHeader)
	if len(own) == 0 {
		own = []hostsLine{{IP: "127.0.1.1", Names: self}}
	}
	for _, l := range slices.Concat(extra, own, peers) {
		var names []string
		for _, n := range l.Names {
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s\t%s\n", l.IP, strings.Join(names, " "))
	}
	return []byte(b.String())
}

// hostsFor computes the hosts file of one container from every network's
// record; self (the endpoint that is leaving, when it was the last) gives
// its names and extra lines when it is on none of them.
func hostsFor(recs []*record, containerID string, self *endpoint) []byte {
	var own, peers []hostsLine
	found := false
	for _, r := range recs {
		ep, ok := r.Endpoints[containerID]
		if !ok {
			continue
		}
		if !found {
			self, found = ep, true
		}
		names := ownNames(ep.Hostname, ep.Domainname)
		if r.Network.UserDefined() {
			names = append(append(names, ep.Name), ep.Aliases...)
			for _, id := range sortedKeys(r.Endpoints) {
				if p := r.Endpoints[id]; id != containerID {
					peers = append(peers, hostsLine{IP: p.IP.String(),
						Names: append(append([]string{p.Name}, p.Aliases...), p.Hostname)})
				}
			}
		}
		own = append(own, hostsLine{IP: ep.IP.String(), Names: names})
	}
	if self == nil {
		self = &endpoint{}
	}
	return hostsContent(ownNames(self.Hostname, self.Domainname), entryLines(self.ExtraHosts, netip.Addr{}), own, peers)
}

// writeInPlace rewrites an existing file on its own inode; a file that is
// gone (its container removed) is not recreated.
func writeInPlace(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
