// Package network gives berth's containers docker's bridge networking:
// networks with their own subnets, an address for each container, a veth
// pair from its namespace to the network's bridge, outbound masquerade,
// isolation between networks, published ports, and names that resolve on
// user-defined networks.
//
// The engine uses two doors. session.go is the shim's: one Session per
// container (Validate at create, NewSession, Connect(pid) in every run's
// BeforeRun, Disconnect after the run, Close at the end, Sweep once the
// exit is told) does attachments and published ports together and returns
// docker's NetworkSettings. The
// Manager's own methods are the rest: `network ls/inspect/create/rm`, and
// Release when a container is removed or its shim is found dead.
//
// Underneath, start with manager.go: Open a Manager on a directory, then
// Create, List, Inspect and Remove networks (store.go keeps them as JSON
// files under a flock; the pre-defined bridge, host and none always
// exist). attach.go connects a container: Attach takes its network
// namespace (/proc/<pid>/ns/net), picks an address (ipam.go), makes the
// bridge on first use and the veth pair (link_linux.go, netlink), and
// writes the masquerade and isolation rules (nft_linux.go, a table of
// berth's own). Detach and Release undo the container's part,
// idempotently; after a run's exit, Disconnect takes the veth pairs down
// and leaves their deletion, which makes the kernel wait out an RCU
// barrier, to the dying namespace. The bridge and its rules stay up, as docker0 does, until
// the network is removed or Prune takes down the idle ones. A container
// that died without a Release (its namespace, and so its veth, gone) is
// forgotten by the next Attach, Remove or Prune on its network.
// hosts.go keeps every member's /etc/hosts up to date: that is how names
// resolve on user-defined networks, with no DNS server to run.
//
// Each data root owns its default bridge, that bridge's subnet and its
// nftables table, and marks the bridges it makes (roots.go): two roots
// on one host never share an address or rewrite each other's rules.
//
// Published ports are a userland proxy (proxy.go) that lives in the
// container's shim: PortMappings (ports.go) parses docker's port
// bindings, NewProxy(...).Start listens, Retarget follows a restarted
// container, Close stops. ContainerCounters (netdev.go) is a container's
// RX/TX for stats.
//
// The package does not create network namespaces (the container's init is
// cloned into a new one), does not write resolv.conf, and has no IPv6.
package network
