package containerinit

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// User is who a command in the container runs as.
type User struct {
	UID, GID int
	Groups   []int  // supplementary groups, without GID unless listed
	Home     string // "/" when the account has none
	Shell    string // the login shell from /etc/passwd; "" when unknown
}

// ResolveUser resolves a -u spec ("name", "uid", "uid:gid",
// "name:group"; "" is root) against a container's /etc/passwd and
// /etc/group, as the container's init does; exec uses it too.
func ResolveUser(spec string, passwd, group io.Reader) (User, error) {
	return resolveUser(spec, passwd, group)
}

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	Name     string
	UID, GID int
	Home     string
	Shell    string
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	Name    string
	GID     int
	Members []string
}

// parsePasswd reads /etc/passwd lines, skipping comments and lines it
// cannot parse, as libc does.
func parsePasswd(r io.Reader) ([]passwdEntry, error) {
	var out []passwdEntry
	err := eachLine(r, func(f []string) {
		if len(f) < 4 {
			return
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return
		}
		e := passwdEntry{Name: f[0], UID: uid, GID: gid}
		if len(f) > 5 {
			e.Home = f[5]
		}
		if len(f) > 6 {
			e.Shell = f[6]
		}
		out = append(out, e)
	})
	return out, err
}

// UserNames maps UIDs to names from an /etc/passwd, the first entry of a
// UID winning, as ps shows them; unreadable lines are skipped.
func UserNames(passwd io.Reader) map[int]string {
	entries, _ := parsePasswd(passwd)
	names := make(map[int]string, len(entries))
	for _, e := range entries {
		if _, dup := names[e.UID]; !dup {
			names[e.UID] = e.Name
		}
	}
	return names
}

// parseGroup reads /etc/group lines, skipping what it cannot parse.
func parseGroup(r io.Reader) ([]groupEntry, error) {
	var out []groupEntry
	err := eachLine(r, func(f []string) {
		if len(f) < 3 {
			return
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			return
		}
		e := groupEntry{Name: f[0], GID: gid}
		if len(f) > 3 && f[3] != "" {
			e.Members = strings.Split(f[3], ",")
		}
		out = append(out, e)
	})
	return out, err
}

func eachLine(r io.Reader, fn func(fields []string)) error {
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	return s.Err()
}

// resolveUser resolves docker's -u ("name", "uid", "uid:gid", "name:group",
// "" for root) against a rootfs's /etc/passwd and /etc/group, as runc does:
// a numeric uid or gid need not exist, a name must; the user's
// supplementary groups apply only when no group is given.
func resolveUser(spec string, passwd, group io.Reader) (User, error) {
	userArg, groupArg, hasGroup := strings.Cut(spec, ":")
	if userArg == "" {
		userArg = "0"
	}
	users, err := parsePasswd(passwd)
	if err != nil {
		return User{}, fmt.Errorf("read passwd: %w", err)
	}
	uidArg, uidErr := parseID(userArg)
	u := User{Home: "/"}
	name := ""
	found := false
	for _, e := range users {
		if e.Name == userArg || (uidErr == nil && e.UID == uidArg) {
			u.UID, u.GID, name, found = e.UID, e.GID, e.Name, true
			u.Shell = e.Shell
			if e.Home != "" {
				u.Home = e.Home
			}
			break
		}
	}
	if !found {
		if uidErr != nil {
			return User{}, fmt.Errorf("unable to find user %s: %w", userArg, ErrUnknownUser)
		}
		u.UID = uidArg
	}
	if hasGroup && groupArg == "" {
		return User{}, fmt.Errorf("user %q: empty group", spec)
	}
	if !hasGroup && name == "" {
		return u, nil
	}
	groups, err := parseGroup(group)
	if err != nil {
		return User{}, fmt.Errorf("read group: %w", err)
	}
	if !hasGroup {
		for _, g := range groups {
			for _, m := range g.Members {
				if m == name {
					u.Groups = append(u.Groups, g.GID)
					break
				}
			}
		}
		return u, nil
	}
	gidArg, gidErr := parseID(groupArg)
	for _, g := range groups {
		if g.Name == groupArg || (gidErr == nil && g.GID == gidArg) {
			u.GID = g.GID
			return u, nil
		}
	}
	if gidErr != nil {
		return User{}, fmt.Errorf("unable to find group %s: %w", groupArg, ErrUnknownGroup)
	}
	u.GID = gidArg
	return u, nil
}

// parseID parses a uid or gid: a decimal in [0, 2^31).
func parseID(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 31)
	return int(n), err
}

// AdditionalGroups resolves --group-add entries against a container's
// /etc/group, as docker does: a name must exist there, a number is a GID
// whether it exists or not. Duplicates are dropped; the order is the
// arguments'.
func AdditionalGroups(add []string, group io.Reader) ([]int, error) {
	if len(add) == 0 {
		return nil, nil
	}
	groups, err := parseGroup(group)
	if err != nil {
		return nil, fmt.Errorf("read group: %w", err)
	}
	var gids []int
	for _, a := range add {
		gid, numErr := parseID(a)
		found := false
		for _, g := range groups {
			if g.Name == a || (numErr == nil && g.GID == gid) {
				gid, found = g.GID, true
				break
			}
		}
		if !found && numErr != nil {
			return nil, fmt.Errorf("unable to find group %s: %w", a, ErrUnknownGroup)
		}
		if !slices.Contains(gids, gid) {
			gids = append(gids, gid)
		}
	}
	return gids, nil
}

// SupplementaryGroups is what a process of u gets from setgroups, as
// docker gives it: the primary group first, then the user's groups from
// /etc/group, then extra (--group-add), each once.
func (u User) SupplementaryGroups(extra []int) []int {
	out := []int{u.GID}
	for _, g := range append(append([]int(nil), u.Groups...), extra...) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}
