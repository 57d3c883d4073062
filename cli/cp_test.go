package cli

import (
	"errors"
	"testing"
)

func TestSplitCpArg(t *testing.T) {
	for _, tc := range []struct{ arg, container, path string }{
		{"web:/etc/hosts", "web", "/etc/hosts"},
		{"web:", "web", ""},
		{"web:rel/p", "web", "rel/p"},
		{"/abs/with:colon", "", "/abs/with:colon"},
		{"./file:name", "", "./file:name"},
		{"plain", "", "plain"},
		{"-", "", "-"},
		{"a:b:c", "a", "b:c"},
	} {
		c, p := splitCpArg(tc.arg)
		if c != tc.container || p != tc.path {
			t.Errorf("splitCpArg(%q) = %q, %q; want %q, %q", tc.arg, c, p, tc.container, tc.path)
		}
	}
}

func TestPlanCopy(t *testing.T) {
	for _, tc := range []struct {
		name                string
		src                 string
		srcIsDir            bool
		dst                 string
		dstExists, dstIsDir bool
		want                cpTarget
		err                 error
	}{
		{"file into a directory", "/a/f", false, "/d", true, true, cpTarget{"/d", "f"}, nil},
		{"file over a file", "/a/f", false, "/d/g", true, false, cpTarget{"/d", "g"}, nil},
		{"file to a new name", "/a/f", false, "/d/new", false, false, cpTarget{"/d", "new"}, nil},
		{"file to a missing directory", "/a/f", false, "/d/new/", false, false, cpTarget{}, errDirNotExists},
		{"directory into a directory", "/a/s", true, "/d", true, true, cpTarget{"/d", "s"}, nil},
		{"directory content into a directory", "/a/s/.", true, "/d", true, true, cpTarget{"/d", "."}, nil},
		{"directory to a new name", "/a/s", true, "/d/new", false, false, cpTarget{"/d", "new"}, nil},
		{"directory content to a new name", "/a/s/.", true, "/d/new", false, false, cpTarget{"/d", "new"}, nil},
		{"directory to a missing directory", "/a/s", true, "/d/new/", false, false, cpTarget{"/d", "new"}, nil},
		{"directory over a file", "/a/s", true, "/d/g", true, false, cpTarget{}, errCannotCopyDir},
		{"root directory", "/", true, "/d", true, true, cpTarget{"/d", "/"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := planCopy(tc.src, tc.srcIsDir, tc.dst, tc.dstExists, tc.dstIsDir)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("planCopy = %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestCheckCommitChanges(t *testing.T) {
	for _, tc := range []struct {
		change string
		err    string
	}{
		{"CMD [\"sh\"]", ""},
		{"cmd sh", ""},
		{"ENTRYPOINT /bin/x", ""},
		{"ENV A=1", ""},
		{"EXPOSE 80/tcp", ""},
		{"LABEL a=b", ""},
		{"USER nobody", ""},
		{"VOLUME /data", ""},
		{"WORKDIR /w", ""},
		{"STOPSIGNAL SIGINT", ""},
		{"ONBUILD RUN true", ""},
		{"  env\tA=1", ""},
		{"RUN true", "run is not a valid change command"},
		{"FROM x", "from is not a valid change command"},
		{"COPY a b", "copy is not a valid change command"},
		{"", "empty change command"},
	} {
		err := checkCommitChanges([]string{tc.change})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("checkCommitChanges(%q) = %q, want %q", tc.change, got, tc.err)
		}
	}
}
