package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/engine/containerinit"
	"berth/engine/seccomp"
	"berth/images"
)

// BuildRunner runs a Dockerfile's RUN steps in real containers, for
// images.Store.Build: each step gets new namespaces, the default
// capabilities and seccomp profile (as docker build's), a cgroup of its
// own, the host's network (as podman's and `docker build --network
// host`'s RUN do: no bridge to set up per step, and the network the user
// has) and the step's root filesystem. Steps run this very program
// re-executed as container init (containerinit.Start), which any program
// linking the engine is: the containerinit package takes such a process
// over as it is initialised.
func (e *Engine) BuildRunner() images.Runner { return buildRunner{e} }

type buildRunner struct{ e *Engine }

func (r buildRunner) Run(ctx context.Context, step images.RunStep) (err error) {
	var root images.Mount
	var extra []containerinit.Mount
	for _, m := range step.Mounts {
		if m.Target == "" {
			root = m
		} else {
			extra = append(extra, mountSpec(m).initMount())
		}
	}
	// Named after the step, for releaseBuildStep to find after a kill.
	dir := filepath.Join(r.e.opts.RunRoot, step.ID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	defer func() {
		if rerr := os.RemoveAll(dir); rerr != nil && err == nil {
			err = fmt.Errorf("run build step: %w", rerr)
		}
	}()
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	for _, f := range []string{"/etc/resolv.conf", "/etc/hosts"} {
		if _, err := os.Stat(f); err == nil {
			extra = append(extra, containerinit.Mount{Type: "bind", Source: f, Target: f, Options: []string{"rbind", "ro"}})
		}
	}
	caps := containerinit.DefaultCapabilities()
	filter, err := r.e.compileSeccomp(seccomp.Default(), caps)
	if err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	cg, err := newBuildCgroup(r.e, step.ID)
	if err != nil {
		return err
	}
	defer func() {
		if derr := cg.Destroy(); derr != nil && err == nil {
			err = fmt.Errorf("run build step: %w", derr)
		}
	}()
	exe, err := r.e.sealedSelf()
	if err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	defer func() { _ = exe.Close() }() // a read-only sealed copy

	// One pipe when the step's streams are one writer (a build log), so
	// its lines keep their order and no two goroutines write it at once.
	var copies sync.WaitGroup
	drain := func(dst io.Writer, src *os.File) {
		defer copies.Done()
		defer func() { _ = src.Close() }() // read to the end
		if dst == nil {
			dst = io.Discard
		}
		// The step's exit status decides the build; a log that cannot be
		// written loses output only, and the copy must drain the pipe.
		_, _ = io.Copy(dst, src)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	errW := outW
	copies.Add(1)
	go drain(step.Stdout, outR)
	if step.Stderr != step.Stdout {
		var errR *os.File
		if errR, errW, err = os.Pipe(); err != nil {
			_ = outW.Close() // a pipe's close cannot fail
			copies.Wait()
			return fmt.Errorf("run build step: %w", err)
		}
		copies.Add(1)
		go drain(step.Stderr, errR)
	}

	proc, err := containerinit.Start(&containerinit.Config{
		Rootfs:        rootfs,
		RootMount:     mountSpec(root).initMount(),
		Mounts:        extra,
		Hostname:      step.ID[:min(12, len(step.ID))],
		Args:          step.Args,
		Env:           step.Env,
		Cwd:           step.WorkingDir,
		User:          step.User,
		Capabilities:  caps,
		Seccomp:       filter,
		MaskedPaths:   containerinit.DefaultMaskedPaths(),
		ReadonlyPaths: containerinit.DefaultReadonlyPaths(),
		Network:       buildNetwork(step.Network),
	}, containerinit.StartOptions{Stdout: outW, Stderr: errW, BeforeRun: cg.Add, Exe: exe})
	_ = outW.Close() // pipes: closing the parent's ends cannot fail
	if errW != outW {
		_ = errW.Close()
	}
	if err != nil {
		copies.Wait()
		var ee *containerinit.ExecError
		if errors.As(err, &ee) {
			return &ExitError{Code: ee.Code, Err: errors.New(ee.Msg)}
		}
		return err
	}
	// A group that cannot be killed leaves Wait to return when the step
	// ends; the cgroup's removal then reports what is left.
	stop := context.AfterFunc(ctx, func() { _ = cg.Kill(unix.SIGKILL) })
	defer stop()
	code, _, err := proc.Wait()
	copies.Wait()
	if err != nil {
		return fmt.Errorf("run build step: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if code != 0 {
		return &StepExitError{Code: code}
	}
	return nil
}

// newBuildCgroup makes the cgroup of one build step, under the engine's
// cgroup parent, with no limits and docker's default device allowlist
// (as BuildKit gives its steps).
// releaseBuildStep undoes what Run made for a step whose build was killed
// (the image store found its rootfs): it kills what still runs in the
// step's cgroup, removes the cgroup and the step's run directory.
func releaseBuildStep(opts Options, id string) error {
	cg, err := cgroups.New(opts.CgroupRoot, opts.CgroupParent, id)
	if err != nil {
		return fmt.Errorf("release build step %s: %w", id, err)
	}
	if err := cg.Destroy(); err != nil {
		return fmt.Errorf("release build step %s: %w", id, err)
	}
	if err := os.RemoveAll(filepath.Join(opts.RunRoot, id)); err != nil {
		return fmt.Errorf("release build step %s: %w", id, err)
	}
	return nil
}

func newBuildCgroup(e *Engine, id string) (cgroups.Manager, error) {
	cg, err := cgroups.New(e.opts.CgroupRoot, e.opts.CgroupParent, id)
	if err != nil {
		return nil, err
	}
	res := cgroupResources(Resources{})
	res.Devices = cgroups.DefaultDeviceRules()
	if err := cg.Create(res); err != nil {
		return nil, fmt.Errorf("run build step: create cgroup: %w", err)
	}
	return cg, nil
}

// buildNetwork is the init's network of a RUN step: the host's unless the
// build asked for none (`build --network none`).
func buildNetwork(mode string) string {
	if mode == "none" {
		return "none"
	}
	return "host"
}
