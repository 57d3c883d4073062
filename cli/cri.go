package cli

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"berth/config"
	"berth/cri"
	"berth/host"
)

// criCommand is `berth cri`: the Kubernetes Container Runtime Interface
// on a unix socket, for kubelet and crictl.
func (a *app) criCommand() *cobra.Command {
	cmd := newCommand("cri [OPTIONS]", "Serve the Kubernetes Container Runtime Interface", noArgs, nil)
	cmd.Annotations = map[string]string{localOnly: "true"}
	cmd.Long = "Serve the Kubernetes Container Runtime Interface (CRI " + cri.APIVersion + ", the\n" +
		"RuntimeService and the ImageService) until interrupted, so that kubelet\n" +
		"and crictl run pods on berth: --container-runtime-endpoint unix://PATH.\n" +
		"The default socket is cri.sock in berth's run directory, usable by root\n" +
		"only. Pods and containers keep running when the server stops."
	var listen string
	cmd.Flags().StringVar(&listen, "listen", "", "where to serve: unix://PATH (default unix://<run root>/cri.sock)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		path := filepath.Join(a.cfg.RunRoot, "cri.sock")
		if listen != "" {
			p, ok := strings.CutPrefix(listen, "unix://")
			if !ok || p == "" {
				return usageError(cmd.CommandPath(), fmt.Errorf("invalid --listen %q: unix://PATH", listen))
			}
			path = p
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		local, ok := eng.(host.Local)
		if !ok {
			return errors.New("the CRI is served by this machine's engine only")
		}
		srv, err := cri.New(cri.Options{
			Local:      local,
			CgroupRoot: config.DefaultCgroupRoot,
			Root:       filepath.Join(a.cfg.DataRoot, "cri"),
			RunRoot:    filepath.Join(a.cfg.RunRoot, "cri"),
			Registry:   local.RegistryDefaults(),
			Log:        a.log,
		})
		if err != nil {
			return err
		}
		l, err := listenUnix(path)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		a.log.Info("serving the CRI", "socket", path)
		return srv.Serve(ctx, l)
	}
	return cmd
}
