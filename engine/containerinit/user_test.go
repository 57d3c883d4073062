package containerinit

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	passwdFile = `# comment
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
broken line
bad:x:notanumber:0::/:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
nohome:x:1001:1001
`
	groupFile = `root:x:0:
wheel:x:10:root
audio:x:29:alice,bob
staff:x:50:alice
alice:x:1000:
nogroup:x:65534:
`
)

func TestResolveUser(t *testing.T) {
	tests := []struct {
		spec string
		want User
		err  error
	}{
		{"", User{UID: 0, GID: 0, Groups: []int{10}, Home: "/root", Shell: "/bin/sh"}, nil},
		{"root", User{UID: 0, GID: 0, Groups: []int{10}, Home: "/root", Shell: "/bin/sh"}, nil},
		{"0", User{UID: 0, GID: 0, Groups: []int{10}, Home: "/root", Shell: "/bin/sh"}, nil},
		{"alice", User{UID: 1000, GID: 1000, Groups: []int{29, 50}, Home: "/home/alice", Shell: "/bin/sh"}, nil},
		{"1000", User{UID: 1000, GID: 1000, Groups: []int{29, 50}, Home: "/home/alice", Shell: "/bin/sh"}, nil},
		{"alice:staff", User{UID: 1000, GID: 50, Home: "/home/alice", Shell: "/bin/sh"}, nil},
		{"alice:29", User{UID: 1000, GID: 29, Home: "/home/alice", Shell: "/bin/sh"}, nil},
		{"alice:4242", User{UID: 1000, GID: 4242, Home: "/home/alice", Shell: "/bin/sh"}, nil},
		{"nobody", User{UID: 65534, GID: 65534, Home: "/nonexistent", Shell: "/bin/false"}, nil},
		{"4242", User{UID: 4242, GID: 0, Home: "/"}, nil},
		{"4242:4343", User{UID: 4242, GID: 4343, Home: "/"}, nil},
		{"4242:staff", User{UID: 4242, GID: 50, Home: "/"}, nil},
		{"nohome", User{UID: 1001, GID: 1001, Home: "/"}, nil},
		{"nope", User{}, ErrUnknownUser},
		{"nope:0", User{}, ErrUnknownUser},
		{"alice:nope", User{}, ErrUnknownGroup},
		{"-1", User{}, ErrUnknownUser},
		{"99999999999", User{}, ErrUnknownUser},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := resolveUser(tt.spec, strings.NewReader(passwdFile), strings.NewReader(groupFile))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveUserWithoutFiles(t *testing.T) {
	got, err := resolveUser("123:456", strings.NewReader(""), strings.NewReader(""))
	if err != nil || !reflect.DeepEqual(got, User{UID: 123, GID: 456, Home: "/"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	if _, err := resolveUser("root", strings.NewReader(""), strings.NewReader("")); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("root without passwd: %v, want ErrUnknownUser", err)
	}
}

func TestParseGroup(t *testing.T) {
	got, err := parseGroup(strings.NewReader("a:x:1:\nb:x:2:u,v\nbad:x:z:\n#c:x:3:\n"))
	want := []groupEntry{{Name: "a", GID: 1}, {Name: "b", GID: 2, Members: []string{"u", "v"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v", got, err)
	}
}
