package network

import (
	"errors"
	"fmt"
	"io/fs"
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

// HostsFile is the hosts file of a container on no network yet (or on
// none at all): the standard lines and its hostname on 127.0.1.1. The
// engine writes it at create; a join rewrites it.
func HostsFile(hostname string) []byte { return hostsContent(hostname, nil, nil) }

// hostsLine is one line of a hosts file: an address and its names.
type hostsLine struct {
	IP    string
	Names []string
}

// hostsContent is a container's hosts file: the standard header, its own
// lines (or 127.0.1.1 with hostname when it is on no network), then its
// peers'. Names repeated on one line are dropped.
func hostsContent(hostname string, own, peers []hostsLine) []byte {
	var b strings.Builder
	b.WriteString(hostsHeader)
	if len(own) == 0 && hostname != "" {
		own = []hostsLine{{IP: "127.0.1.1", Names: []string{hostname}}}
	}
	for _, l := range append(own, peers...) {
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
// record; hostname is used when the container is on none of them.
func hostsFor(recs []*record, containerID, hostname string) []byte {
	var own, peers []hostsLine
	for _, r := range recs {
		self, ok := r.Endpoints[containerID]
		if !ok {
			continue
		}
		hostname = self.Hostname
		names := []string{self.Hostname}
		if r.Network.UserDefined() {
			names = append(append(names, self.Name), self.Aliases...)
			for _, id := range sortedKeys(r.Endpoints) {
				if p := r.Endpoints[id]; id != containerID {
					peers = append(peers, hostsLine{IP: p.IP.String(),
						Names: append(append([]string{p.Name}, p.Aliases...), p.Hostname)})
				}
			}
		}
		own = append(own, hostsLine{IP: self.IP.String(), Names: names})
	}
	return hostsContent(hostname, own, peers)
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
