package runopts

import (
	"fmt"

	"github.com/spf13/pflag"

	"berth/engine"
)

// nsFlags are the run/create flags of name resolution and shared
// namespaces: --add-host, --dns, --dns-search, --dns-option, --domainname,
// --mac-address, --link, --pid, --ipc, --uts. The engine checks them
// against each other and against the containers they name.
type nsFlags struct {
	addHosts, dns, dnsSearch, dnsOptions, links []string
	domainname, macAddress, pid, ipc, uts       string
}

func (n *nsFlags) register(flags *pflag.FlagSet) {
	flags.StringArrayVar(&n.addHosts, "add-host", nil, "add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)")
	flags.StringArrayVar(&n.dns, "dns", nil, "set custom DNS servers")
	flags.StringArrayVar(&n.dnsSearch, "dns-search", nil, "set custom DNS search domains")
	flags.StringArrayVar(&n.dnsOptions, "dns-option", nil, "set DNS options")
	flags.StringArrayVar(&n.dnsOptions, "dns-opt", nil, "set DNS options")
	_ = flags.MarkHidden("dns-opt") // docker's old name, kept hidden as docker keeps it
	flags.StringArrayVar(&n.links, "link", nil, "add link to another container (NAME[:ALIAS])")
	flags.StringVar(&n.domainname, "domainname", "", "container NIS domain name")
	flags.StringVar(&n.macAddress, "mac-address", "", "container MAC address (e.g. 92:d0:c6:0a:29:33)")
	flags.StringVar(&n.pid, "pid", "", "PID namespace to use: host or container:NAME")
	flags.StringVar(&n.ipc, "ipc", "", `IPC mode to use: "private" (default), "shareable", "host", "none" or "container:NAME"`)
	flags.StringVar(&n.uts, "uts", "", "UTS namespace to use: host")
}

// apply checks the flags as docker's client does and puts them into the
// container's configuration.
func (n *nsFlags) apply(opts *engine.CreateOptions) error {
	hc, cc := &opts.HostConfig, &opts.Config
	for _, h := range n.addHosts {
		if _, _, err := engine.ParseExtraHost(h); err != nil {
			return fmt.Errorf("invalid argument %q for \"--add-host\" flag: %w", h, err)
		}
	}
	for _, d := range n.dns {
		if err := engine.CheckDNS(d); err != nil {
			return fmt.Errorf("invalid argument %q for \"--dns\" flag: %w", d, err)
		}
	}
	for _, d := range n.dnsSearch {
		if err := engine.CheckDNSSearch(d); err != nil {
			return fmt.Errorf("invalid argument %q for \"--dns-search\" flag: %w", d, err)
		}
	}
	for _, o := range n.dnsOptions {
		if err := engine.CheckDNSOption(o); err != nil {
			return fmt.Errorf("invalid argument %q for \"--dns-option\" flag: %w", o, err)
		}
	}
	for _, l := range n.links {
		if _, _, err := engine.ParseLink(l); err != nil {
			return fmt.Errorf("invalid argument %q for \"--link\" flag: %w", l, err)
		}
	}
	if n.macAddress != "" {
		if _, err := engine.ParseMAC(n.macAddress); err != nil {
			return err
		}
	}
	for _, check := range []func() error{
		func() error { return engine.CheckPidMode(n.pid) },
		func() error { return engine.CheckIpcMode(n.ipc) },
		func() error { return engine.CheckUTSMode(n.uts) },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	hc.ExtraHosts, hc.DNS, hc.DNSSearch, hc.DNSOptions, hc.Links = n.addHosts, n.dns, n.dnsSearch, n.dnsOptions, n.links
	hc.PidMode, hc.IpcMode, hc.UTSMode = n.pid, n.ipc, n.uts
	cc.Domainname, cc.MacAddress = n.domainname, n.macAddress
	return nil
}
