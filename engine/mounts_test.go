package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseBind(t *testing.T) {
	tests := []struct {
		in      string
		want    bind
		wantErr string
	}{
		{in: "/srv:/data", want: bind{Source: "/srv", Destination: "/data"}},
		{in: "/srv/:/data/:ro", want: bind{Source: "/srv", Destination: "/data", Mode: "ro", ReadOnly: true}},
		{in: "/srv:/data:rw,rshared", want: bind{Source: "/srv", Destination: "/data", Mode: "rw,rshared", Propagation: "rshared"}},
		{in: "vol:/data", want: bind{Source: "vol", Destination: "/data", Volume: true}},
		{in: "vol:/data:ro,nocopy", want: bind{Source: "vol", Destination: "/data", Mode: "ro,nocopy", ReadOnly: true, NoCopy: true, Volume: true}},
		{in: "vol:/data:z", want: bind{Source: "vol", Destination: "/data", Mode: "z", Volume: true}},
		{in: "/srv:/data:nocopy", wantErr: "nocopy is for volumes"},
		{in: "vol:/data:shared", wantErr: "propagation is for host paths"},
		{in: "/srv:/data:ro,rw", wantErr: "invalid mode: ro,rw"},
		{in: "/srv:/data:bogus", wantErr: "invalid mode: bogus"},
		{in: "/srv:data", wantErr: "mount path must be absolute"},
		{in: "../x:/data", wantErr: "includes invalid characters for a local volume name"},
		{in: "a/b:/data", wantErr: "includes invalid characters"},
		{in: ":/data", wantErr: "invalid volume specification"},
		{in: "/data", wantErr: "invalid volume specification"},
		{in: "/a:/b:ro:x", wantErr: "invalid volume specification"},
	}
	for _, tt := range tests {
		got, err := parseBind(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("parseBind(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseBind(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckMounts(t *testing.T) {
	tests := []struct {
		m       Mount
		wantErr string
	}{
		{Mount{Type: "bind", Source: "/srv", Target: "/data"}, ""},
		{Mount{Type: "volume", Target: "/data"}, ""},
		{Mount{Type: "tmpfs", Target: "/t", TmpfsOptions: &TmpfsOptions{SizeBytes: 1}}, ""},
		{Mount{Type: "bind", Target: "/data"}, "field Source must not be empty"},
		{Mount{Type: "bind", Source: "rel", Target: "/data"}, "mount path must be absolute"},
		{Mount{Type: "bind", Source: "/srv", Target: "/data", BindOptions: &BindOptions{Propagation: "sideways"}}, "invalid propagation mode"},
		{Mount{Type: "volume", Source: "a/b", Target: "/data"}, "includes invalid characters"},
		{Mount{Type: "volume", Target: "/data", VolumeOptions: &VolumeOptions{DriverConfig: &VolumeDriver{Name: "nfs"}}}, `plugin "nfs" not found`},
		{Mount{Type: "tmpfs", Source: "x", Target: "/t"}, "Source must not be specified"},
		{Mount{Type: "tmpfs", Target: "t"}, "mount path must be absolute"},
		{Mount{Type: "volume", Target: "/proc/sys"}, "inside /proc"},
		{Mount{Type: "volume", Target: "/"}, "destination can't be '/'"},
		{Mount{Type: "npipe", Target: "/x"}, "mount type unknown"},
	}
	for _, tt := range tests {
		err := checkMounts(&HostConfig{Mounts: []Mount{tt.m}})
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("checkMounts(%+v) = %v, want %q", tt.m, err, tt.wantErr)
		}
	}
	for spec, ok := range map[string]bool{"web": true, "web:ro": true, "web:rw": true, "web:rx": false, ":ro": false} {
		if err := checkMounts(&HostConfig{VolumesFrom: []string{spec}}); (err == nil) != ok {
			t.Errorf("--volumes-from %q: %v", spec, err)
		}
	}
}

func TestMergeConfigVolumes(t *testing.T) {
	got, err := mergeConfig(ContainerConfig{Cmd: []string{"sh"}, Volumes: map[string]struct{}{"/mine": {}}},
		imageDefaults{Volumes: map[string]struct{}{"/data": {}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]struct{}{"/mine": {}, "/data": {}}; !reflect.DeepEqual(got.Volumes, want) {
		t.Errorf("Volumes = %v, want the image's and -v's", got.Volumes)
	}
}

func TestMountPointShape(t *testing.T) {
	tests := []struct {
		m    containerMount
		want MountPoint
	}{
		{containerMount{Type: "bind", Source: "/srv", Target: "/d"},
			MountPoint{Type: "bind", Source: "/srv", Destination: "/d", RW: true, Propagation: "rprivate"}},
		{containerMount{Type: "bind", Source: "/srv", Target: "/d", Mode: "ro", ReadOnly: true, Propagation: "rshared"},
			MountPoint{Type: "bind", Source: "/srv", Destination: "/d", Mode: "ro", Propagation: "rshared"}},
		{containerMount{Type: "volume", Source: "/v/x/_data", Target: "/d", Volume: "x", Mode: "z"},
			MountPoint{Type: "volume", Name: "x", Source: "/v/x/_data", Destination: "/d", Driver: "local", Mode: "z", RW: true}},
		{containerMount{Type: "tmpfs", Target: "/t"}, MountPoint{Type: "tmpfs", Destination: "/t", RW: true}},
	}
	for _, tt := range tests {
		if got := tt.m.mountPoint(); got != tt.want {
			t.Errorf("%+v shows as %+v, want %+v", tt.m, got, tt.want)
		}
	}
}
