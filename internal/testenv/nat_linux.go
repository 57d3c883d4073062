package testenv

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// NATBridges lists, for each masquerade rule of berth's nftables table
// (family ip, chain postrouting), the bridge it is for (its `oifname !=
// BRIDGE`), sorted; nil when there is no such table.
func NATBridges(t testing.TB, table string) []string {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	tab := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: table}
	rules, err := c.GetRules(tab, &nftables.Chain{Name: "postrouting", Table: tab})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("rules of table %s: %v", table, err)
	}
	var out []string
	for _, r := range rules {
		for _, e := range r.Exprs {
			if cmp, ok := e.(*expr.Cmp); ok && cmp.Op == expr.CmpOpNeq {
				out = append(out, strings.TrimRight(string(cmp.Data), "\x00"))
			}
		}
	}
	slices.Sort(out)
	return out
}
