package runopts

import (
	"reflect"
	"strings"
	"testing"

	"berth/engine"
)

func TestParseVolume(t *testing.T) {
	abs := func(p string) (string, error) { return "/work/" + strings.TrimPrefix(p, "./"), nil }
	tests := []struct {
		in, bind, anonymous string
		wantErr             string
	}{
		{in: "/data:/data", bind: "/data:/data"},
		{in: "/data:/mnt/x:ro", bind: "/data:/mnt/x:ro"},
		{in: "/data/:/mnt/x/", bind: "/data:/mnt/x"},
		{in: "/data:/mnt:ro,rprivate", bind: "/data:/mnt:ro,rprivate"},
		{in: "/data:/mnt:rshared", bind: "/data:/mnt:rshared"},
		{in: "/missing/dir:/mnt", bind: "/missing/dir:/mnt"}, // the engine creates it, as docker
		{in: "./dir:/mnt", bind: "/work/dir:/mnt"},
		{in: "myvol:/mnt", bind: "myvol:/mnt"},
		{in: "myvol:/mnt:ro,nocopy", bind: "myvol:/mnt:ro,nocopy"},
		{in: "/mnt", anonymous: "/mnt"},
		{in: "/mnt/x/", anonymous: "/mnt/x"},
		{in: "mnt", wantErr: "invalid mount path: 'mnt' mount path must be absolute"},
		{in: "/", wantErr: "destination can't be '/'"},
		{in: "", wantErr: "invalid empty volume spec"},
		{in: "/data:mnt", wantErr: "invalid mount path: 'mnt' mount path must be absolute"},
		{in: "/data:/", wantErr: "destination can't be '/'"},
		{in: "/data:/mnt:x", wantErr: "invalid mode: x"},
		{in: "/data:/mnt:ro,rw", wantErr: "invalid mode: ro,rw"},
		{in: "/data:/mnt:", wantErr: "invalid mode: "},
		{in: ":/mnt", wantErr: "invalid volume specification"},
		{in: "/a:/b:ro:x", wantErr: "invalid volume specification"},
	}
	for _, tt := range tests {
		bind, anonymous, err := parseVolume(tt.in, abs)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseVolume(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || bind != tt.bind || anonymous != tt.anonymous {
			t.Errorf("parseVolume(%q) = %q, %q, %v; want %q, %q", tt.in, bind, anonymous, err, tt.bind, tt.anonymous)
		}
	}
}

func TestParseMount(t *testing.T) {
	tests := []struct {
		in      string
		want    engine.Mount
		wantErr string
	}{
		{in: "type=bind,src=/srv,dst=/data", want: engine.Mount{Type: "bind", Source: "/srv", Target: "/data"}},
		{in: "type=bind,source=/srv,target=/data,readonly,bind-propagation=rshared",
			want: engine.Mount{Type: "bind", Source: "/srv", Target: "/data", ReadOnly: true, BindOptions: &engine.BindOptions{Propagation: "rshared"}}},
		{in: "type=bind,src=/srv,destination=/data,ro=false", want: engine.Mount{Type: "bind", Source: "/srv", Target: "/data"}},
		{in: "src=vol,dst=/data", want: engine.Mount{Type: "volume", Source: "vol", Target: "/data"}},
		{in: "type=volume,dst=/data,volume-nocopy", want: engine.Mount{Type: "volume", Target: "/data", VolumeOptions: &engine.VolumeOptions{NoCopy: true}}},
		{in: `type=volume,src=v,dst=/d,volume-label=a=b,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=1m,mode=700"`,
			want: engine.Mount{Type: "volume", Source: "v", Target: "/d", VolumeOptions: &engine.VolumeOptions{
				Labels: map[string]string{"a": "b"},
				DriverConfig: &engine.VolumeDriver{Name: "local", Options: map[string]string{
					"type": "tmpfs", "device": "tmpfs", "o": "size=1m,mode=700"}}}}},
		{in: "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770",
			want: engine.Mount{Type: "tmpfs", Target: "/t", TmpfsOptions: &engine.TmpfsOptions{SizeBytes: 1 << 20, Mode: 0o1770}}},
		{in: "type=image,src=busybox,dst=/img,ro", want: engine.Mount{Type: "image", Source: "busybox", Target: "/img", ReadOnly: true}},
		{in: "type=image,dst=/img", wantErr: "source is required"},
		{in: "type=image,src=busybox,dst=/etc2,image-subpath=etc",
			want: engine.Mount{Type: "image", Source: "busybox", Target: "/etc2", ImageOptions: &engine.ImageOptions{Subpath: "etc"}}},
		{in: "type=bind,src=/a,dst=/b,image-subpath=etc", wantErr: "cannot mix 'image-*' options with mount type 'bind'"},
		{in: "type=bind,src=/srv", wantErr: "target is required"},
		{in: "type=nfs,dst=/d", wantErr: `mount type "nfs" is not supported`},
		{in: "type=bind,src=/a,dst=/b,volume-nocopy", wantErr: "cannot mix 'volume-*' options with mount type 'bind'"},
		{in: "type=volume,dst=/b,bind-propagation=shared", wantErr: "cannot mix 'bind-*' options with mount type 'volume'"},
		{in: "type=bind,src=/a,dst=/b,tmpfs-size=1m", wantErr: "cannot mix 'tmpfs-*' options with mount type 'bind'"},
		{in: "type=tmpfs,dst=/t,tmpfs-size=lots", wantErr: "invalid value for tmpfs-size: lots"},
		{in: "type=tmpfs,dst=/t,tmpfs-mode=999", wantErr: "invalid value for tmpfs-mode: 999"},
		{in: "type=bind,src=/a,dst=/b,color=red", wantErr: "unexpected key 'color'"},
		{in: "type=bind,src=/a,dst=/b,ro=maybe", wantErr: "invalid value for ro: maybe"},
		{in: "type=bind,/a", wantErr: "invalid field '/a' must be a key=value pair"},
	}
	for _, tt := range tests {
		got, err := parseMount(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseMount(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseMount(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
