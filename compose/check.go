package compose

import (
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine/volumes"
)

// checkProject is what up checks before it touches the host: each
// service's container options, each network and volume berth would
// make, each secret or config taken from the environment. What berth
// refuses or cannot read is a ParseFailure naming the file, the line
// and the key, so that a bad file leaves the host as it was.
func checkProject(p *types.Project) error {
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if _, err := createOptions(p, s, 1, ""); err != nil {
			return failure(ParseFailure, locateService(p.ComposeFiles, err), "")
		}
		refs, err := fileRefs(p, s)
		if err != nil {
			return failure(ParseFailure, err, "service %q: %w", s.Name)
		}
		for _, r := range refs {
			if r.obj.File == "" && s.ReadOnly {
				return failure(ParseFailure, placed(p, "services."+s.Name+"."+r.kind+"s", errReadOnlyFile(r)), "")
			}
			if r.obj.Environment == "" {
				continue
			}
			if _, ok := p.Environment[r.obj.Environment]; ok {
				continue
			}
			if _, ok := os.LookupEnv(r.obj.Environment); !ok {
				return failure(ParseFailure, placed(p, r.kind+"s."+r.name+".environment", errVariableUnset(r.obj.Environment)), "")
			}
		}
	}
	used := usedNetworks(p)
	for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
		nw := p.Networks[key]
		if !used[key] || bool(nw.External) {
			continue
		}
		if _, err := networkOptions(p, key, nw); err != nil {
			return failure(ParseFailure, placed(p, "networks."+key, err), "")
		}
	}
	for _, key := range slices.Sorted(maps.Keys(p.Volumes)) {
		v := p.Volumes[key]
		if bool(v.External) {
			continue
		}
		if v.Driver != "" && v.Driver != volumes.LocalDriver {
			return failure(ParseFailure, placed(p, "volumes."+key+".driver", fmt.Errorf("volume driver %q: berth has the local driver only", v.Driver)), "")
		}
		if err := volumes.CheckName(v.Name); err != nil {
			return failure(ParseFailure, placed(p, "volumes."+key, err), "")
		}
		if err := volumes.CheckOptions(v.DriverOpts); err != nil {
			return failure(ParseFailure, placed(p, "volumes."+key+".driver_opts", err), "")
		}
	}
	return nil
}

// placed is err about key of p's files, at its line.
func placed(p *types.Project, key string, err error) error {
	if len(p.ComposeFiles) == 0 {
		return err
	}
	file, line, _ := lookup(p.ComposeFiles, "", key, "")
	return &FileError{File: file, Line: line, Key: key, Err: err, msg: err.Error()}
}
