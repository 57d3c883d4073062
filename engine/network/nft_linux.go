package network

import (
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// Outbound NAT lives in one nftables table (family ip) per data root
// (named by RootNames: berth for the default root, berth_<hash> for
// another), written through the kernel's netlink API with
// github.com/google/nftables: no nft or iptables binary is needed at run
// time, and the table is replaced in one atomic batch, so a reader never
// sees half the rules and two berths of one root never interleave (they
// write under the store's lock). A root rewrites only its own table, so
// the rules of another root's networks never go missing. The table holds
// two chains:
//
//	chain postrouting { type nat hook postrouting priority srcnat;
//	    ip saddr <subnet> oifname != "<bridge>" masquerade  # one per network whose bridge is up, but internal ones
//	}
//	chain forward { type filter hook forward priority filter; policy accept;
//	    iifname "<bridge a>" oifname "<bridge b>" drop      # each ordered pair: networks are isolated, as docker's
//	    iifname "<internal>" oifname != "<internal>" drop   # two per --internal network: nothing is
//	    oifname "<internal>" iifname != "<internal>" drop   # forwarded out of it or into it
//	}
//
// Rules of other programs (docker's, podman's, the user's) are never
// touched, and the table is deleted when no berth bridge is up.

// masquerade is one network's rule: traffic from the subnet leaving by any
// interface but its own bridge takes the outgoing interface's address.
// An Internal network (network create --internal) has no masquerade, and
// nothing is forwarded between its bridge and any other interface: its
// containers reach each other and the host's address on the bridge only,
// as docker's.
type masquerade struct {
	Subnet   netip.Prefix
	Bridge   string
	Internal bool
}

// syncMasquerade replaces the table with one holding exactly rules (and
// the isolation of their bridges from each other), or deletes it when
// rules is empty.
func syncMasquerade(table string, rules []masquerade) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: table}
	// Adding before deleting makes the delete succeed whether or not the
	// table existed; both happen in the same transaction as the rebuild.
	conn.AddTable(t)
	conn.DelTable(t)
	if len(rules) > 0 {
		conn.AddTable(t)
		chain := conn.AddChain(&nftables.Chain{
			Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
			Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource,
		})
		for _, r := range rules {
			if !r.Internal {
				conn.AddRule(&nftables.Rule{Table: t, Chain: chain, Exprs: masqueradeExprs(r)})
			}
		}
		accept := nftables.ChainPolicyAccept
		forward := conn.AddChain(&nftables.Chain{
			Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &accept,
		})
		for _, a := range rules {
			for _, b := range rules {
				if a.Bridge != b.Bridge {
					conn.AddRule(&nftables.Rule{Table: t, Chain: forward, Exprs: isolationExprs(a.Bridge, b.Bridge)})
				}
			}
			if a.Internal {
				conn.AddRule(&nftables.Rule{Table: t, Chain: forward, Exprs: internalExprs(expr.MetaKeyIIFNAME, expr.MetaKeyOIFNAME, a.Bridge)})
				conn.AddRule(&nftables.Rule{Table: t, Chain: forward, Exprs: internalExprs(expr.MetaKeyOIFNAME, expr.MetaKeyIIFNAME, a.Bridge)})
			}
		}
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("write nftables table %s: %w", table, err)
	}
	return nil
}

// masqueradeExprs is `ip saddr SUBNET oifname != BRIDGE masquerade`.
func masqueradeExprs(r masquerade) []expr.Any {
	addr := r.Subnet.Masked().Addr().As4()
	mask := ipNet(r.Subnet).Mask
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: ifname(r.Bridge)},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: addr[:]},
		&expr.Masq{},
	}
}

// isolationExprs is `iifname FROM oifname TO drop`.
func isolationExprs(from, to string) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(from)},
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(to)},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// internalExprs is `iifname BRIDGE oifname != BRIDGE drop` (this, other
// = IIFNAME, OIFNAME) or its mirror (OIFNAME, IIFNAME).
func internalExprs(this, other expr.MetaKey, bridge string) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: this, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(bridge)},
		&expr.Meta{Key: other, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: ifname(bridge)},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// ifname is an interface name as nftables compares it: 16 bytes, NUL
// padded.
func ifname(name string) []byte {
	b := make([]byte, 16)
	copy(b, name)
	return b
}
