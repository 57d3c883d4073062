package cri

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/host"
	"berth/images"
)

// imageService is CRI's ImageService over the engine's image store.
type imageService struct {
	runtimeapi.UnimplementedImageServiceServer
	s *Server
}

func (m *imageService) store() *images.Store { return m.s.eng.Images() }

// ListImages lists the images, or the one the filter names.
func (m *imageService) ListImages(ctx context.Context, req *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	if ref := req.GetFilter().GetImage().GetImage(); ref != "" {
		img, err := m.store().Lookup(ref)
		if errors.Is(err, images.ErrNotFound) {
			return &runtimeapi.ListImagesResponse{}, nil
		}
		if err != nil {
			return nil, grpcError(err)
		}
		return &runtimeapi.ListImagesResponse{Images: []*runtimeapi.Image{criImage(img)}}, nil
	}
	list, err := m.store().List()
	if err != nil {
		return nil, grpcError(fmt.Errorf("list images: %w", err))
	}
	resp := &runtimeapi.ListImagesResponse{}
	for _, img := range list {
		resp.Images = append(resp.Images, criImage(img))
	}
	return resp, nil
}

// ImageStatus is one image, nil when it is not in the store (as the CRI
// asks); verbose adds its runtime config as JSON under "info".
func (m *imageService) ImageStatus(ctx context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	img, err := m.store().Lookup(req.GetImage().GetImage())
	if errors.Is(err, images.ErrNotFound) {
		return &runtimeapi.ImageStatusResponse{}, nil
	}
	if err != nil {
		return nil, grpcError(err)
	}
	resp := &runtimeapi.ImageStatusResponse{Image: criImage(img)}
	if req.GetVerbose() {
		info := map[string]any{"config": img.Config, "os": img.OS, "architecture": img.Arch, "created": img.Created, "layers": img.Layers}
		if resp.Info, err = verboseInfo("image status "+img.ID, info); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// PullImage pulls with the request's credentials (for the image's own
// registry only) and the settings' mirrors and insecure registries.
func (m *imageService) PullImage(ctx context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	ref := req.GetImage().GetImage()
	opts := m.s.opts.Registry
	user, pass, err := pullAuth(req.GetAuth())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "pull %s: %v", ref, err)
	}
	if user != "" || pass != "" {
		registry := registryOf(ref)
		stored := opts.Credentials
		opts.Credentials = func(r string) (string, string, bool) {
			if r == registry {
				return user, pass, true
			}
			if stored != nil {
				return stored(r)
			}
			return "", "", false
		}
	}
	img, err := m.store().Pull(ctx, ref, images.PullOptions{Registry: opts})
	if err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.PullImageResponse{ImageRef: imageID(img.ID)}, nil
}

// RemoveImage removes an image and all its tags when named by ID, or
// the tag named; an image that is gone already is not an error. An image
// a container uses stays.
func (m *imageService) RemoveImage(ctx context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	ref := req.GetImage().GetImage()
	img, err := m.store().Lookup(ref)
	if errors.Is(err, images.ErrNotFound) {
		return &runtimeapi.RemoveImageResponse{}, nil
	}
	if err != nil {
		return nil, grpcError(err)
	}
	use, err := host.ListImageUse(ctx, m.s.opts.Local)
	if err != nil {
		return nil, grpcError(err)
	}
	if isTagOf(ref, img) {
		// One name of several goes; the last one takes the image.
		_, err = m.store().Remove(ref, images.RemoveOptions{InUse: use.InUse})
	} else if c, used := use.InUse(img.ID); used {
		err = status.Errorf(codes.FailedPrecondition, "remove image %s: container %s uses it", ref, c)
	} else {
		// By ID every tag goes: the CRI removes the image, not a name.
		_, err = m.store().Remove(img.ID, images.RemoveOptions{Force: true})
	}
	if err != nil && !errors.Is(err, images.ErrNotFound) {
		return nil, grpcError(err)
	}
	return &runtimeapi.RemoveImageResponse{}, nil
}

// ImageFsInfo is the image store's filesystem: the bytes and inodes of
// its unpacked layers and blobs.
func (m *imageService) ImageFsInfo(ctx context.Context, req *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	du, err := m.store().DiskUsage()
	if err != nil {
		return nil, grpcError(fmt.Errorf("image filesystem info: %w", err))
	}
	inodes, err := countInodes(m.store().Root())
	if err != nil {
		return nil, grpcError(fmt.Errorf("image filesystem info: %w", err))
	}
	usage := &runtimeapi.FilesystemUsage{
		Timestamp:  time.Now().UnixNano(),
		FsId:       &runtimeapi.FilesystemIdentifier{Mountpoint: m.store().Root()},
		UsedBytes:  &runtimeapi.UInt64Value{Value: uint64(du.LayersSize + du.BlobsSize)},
		InodesUsed: &runtimeapi.UInt64Value{Value: inodes},
	}
	return &runtimeapi.ImageFsInfoResponse{ImageFilesystems: []*runtimeapi.FilesystemUsage{usage}}, nil
}

// criImage is an image as the CRI shows it: full references
// ("docker.io/library/busybox:latest"), the ID with its "sha256:", the
// user it runs as (a UID when numeric, else a name).
func criImage(img *images.Image) *runtimeapi.Image {
	out := &runtimeapi.Image{Id: imageID(img.ID), Size: uint64(max(img.Size, 0)), Pinned: false}
	for _, t := range img.RepoTags {
		out.RepoTags = append(out.RepoTags, fullName(t))
	}
	for _, d := range img.RepoDigests {
		out.RepoDigests = append(out.RepoDigests, fullName(d))
	}
	user, _, _ := strings.Cut(img.Config.User, ":")
	if uid, err := strconv.ParseInt(user, 10, 64); err == nil {
		out.Uid = &runtimeapi.Int64Value{Value: uid}
	} else {
		out.Username = user
	}
	out.Spec = &runtimeapi.ImageSpec{Image: out.Id}
	return out
}

func imageID(id string) string { return "sha256:" + id }

// fullName is a familiar reference in full: "busybox:latest" is
// "docker.io/library/busybox:latest".
func fullName(familiar string) string {
	named, err := reference.ParseNormalizedNamed(familiar)
	if err != nil {
		return familiar
	}
	return named.String()
}

// isTagOf reports whether ref names img by one of its tags.
func isTagOf(ref string, img *images.Image) bool {
	want := fullName(ref)
	for _, t := range img.RepoTags {
		if fullName(t) == want {
			return true
		}
	}
	return false
}

// registryOf is the registry host of ref ("docker.io" for Docker Hub's).
func registryOf(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	return reference.Domain(named)
}

// pullAuth is the login a PullImage request carries: username and
// password, or docker's base64 "user:password" auth.
func pullAuth(a *runtimeapi.AuthConfig) (user, pass string, err error) {
	if a == nil {
		return "", "", nil
	}
	if a.GetAuth() == "" {
		return a.GetUsername(), a.GetPassword(), nil
	}
	raw, err := base64.StdEncoding.DecodeString(a.GetAuth())
	if err != nil {
		return "", "", fmt.Errorf("decode auth: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New("decode auth: not user:password")
	}
	return user, pass, nil
}
