package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

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
		"only. Pods and containers keep running when the server stops.\n\n" +
		"Exec, attach and port-forward stream through a second server, over\n" +
		"HTTP on --stream-address and --stream-port (default: 127.0.0.1 on a free\n" +
		"port); the CRI calls answer its URLs, which kubelet and crictl open."
	var listen, streamAddress string
	var streamPort int
	cmd.Flags().StringVar(&listen, "listen", "", "where to serve: unix://PATH (default unix://<run root>/cri.sock)")
	cmd.Flags().StringVar(&streamAddress, "stream-address", "127.0.0.1", "the address the streaming server (exec, attach, port-forward) listens on")
	cmd.Flags().IntVar(&streamPort, "stream-port", 0, "the streaming server's port (0: a free one)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		path := filepath.Join(a.cfg.RunRoot, "cri.sock")
		if listen != "" {
			p, ok := strings.CutPrefix(listen, "unix://")
			if !ok || p == "" {
				return usageError(cmd.CommandPath(), fmt.Errorf("invalid --listen %q: unix://PATH", listen))
			}
			path = p
		}
		if streamPort < 0 || streamPort > 65535 {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid --stream-port %d", streamPort))
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		local, ok := eng.(host.Local)
		if !ok {
			return errors.New("the CRI is served by this machine's engine only")
		}
		// The streaming server's library logs through klog: into berth's log.
		klog.SetSlogLogger(a.log)
		srv, err := cri.New(cri.Options{
			Local:         local,
			CgroupRoot:    config.DefaultCgroupRoot,
			Root:          filepath.Join(a.cfg.DataRoot, "cri"),
			RunRoot:       filepath.Join(a.cfg.RunRoot, "cri"),
			Registry:      local.RegistryDefaults(),
			StreamAddress: net.JoinHostPort(streamAddress, strconv.Itoa(streamPort)),
			Log:           a.log,
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
		a.log.Info("serving the CRI", "socket", path, "streams", srv.StreamAddress().String())
		return srv.Serve(ctx, l)
	}
	return cmd
}
