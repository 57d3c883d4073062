package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/images"
)

// createContainer is POST /containers/create: the body is moby's
// CreateRequest, turned into the engine's CreateOptions. What berth cannot
// do is refused with the field's name rather than dropped; the image must
// be local (a client pulls it with POST /images/create first, as it does
// after dockerd's 404).
func (s *Server) createContainer(w http.ResponseWriter, r *http.Request) error {
	var req legacyCreateRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	opts, err := createOptions(req.CreateRequest)
	if err != nil {
		return err
	}
	if opts.Config.MacAddress == "" {
		opts.Config.MacAddress = req.MacAddress
	}
	opts.Name = r.URL.Query().Get("name")
	opts.Platform = r.URL.Query().Get("platform")
	if opts.Config.Image == "" {
		return invalidf("config.Image: an image is required")
	}
	if _, err := s.host.Images().Lookup(opts.Config.Image); err != nil {
		if errors.Is(err, images.ErrNotFound) {
			return notFoundf("No such image: %s", opts.Config.Image)
		}
		return err
	}
	warnings := []string{} // what the engine dropped, for the client to show
	opts.Warn = func(msg string) { warnings = append(warnings, msg) }
	c, err := s.host.Create(r.Context(), opts)
	if err != nil {
		return createError(err)
	}
	return writeJSON(w, http.StatusCreated, container.CreateResponse{ID: c.ID, Warnings: warnings})
}

// legacyCreateRequest is the create body with what the 1.57 types
// dropped and older clients still send: Config.MacAddress (before API
// 1.44; the docker 20.10 CLI's --mac-address), the default network's MAC
// when the endpoint names none.
type legacyCreateRequest struct {
	container.CreateRequest
	MacAddress string `json:",omitempty"`
}

// createError is the engine's refusal of a create in dockerd's words,
// without the engine's "create container: " (docker create prints the
// daemon's message after "Error response from daemon: "); its kind, and
// so its status, stays the engine error's.
func createError(err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "create container: ")
	if !ok {
		return err
	}
	return kindError{errors.New(msg), err}
}

// createOptions turns moby's request into the engine's options. The
// engine's ContainerConfig and HostConfig carry docker's JSON keys, so
// what both have goes across as JSON; a field only moby has must be
// empty or a default a client sends unasked.
func createOptions(req container.CreateRequest) (engine.CreateOptions, error) {
	var opts engine.CreateOptions
	cfg := req.Config
	if cfg == nil {
		cfg = &container.Config{}
	}
	hc := req.HostConfig
	if hc == nil {
		hc = &container.HostConfig{}
	}
	refused, err := unsupportedFields("Config", cfg, &opts.Config)
	if err != nil {
		return opts, err
	}
	more, err := unsupportedFields("HostConfig", hc, &opts.HostConfig)
	if err != nil {
		return opts, err
	}
	if refused = append(refused, more...); len(refused) > 0 {
		return opts, invalidf("%s: not supported by berth", strings.Join(refused, ", "))
	}
	if err := convertJSON(cfg, &opts.Config); err != nil {
		return opts, invalidf("Config: %v", err)
	}
	if err := convertJSON(hc, &opts.HostConfig); err != nil {
		return opts, invalidf("HostConfig: %v", err)
	}
	if req.NetworkingConfig != nil {
		if err := endpointOptions(req.NetworkingConfig.EndpointsConfig, &opts); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// endpointOptions takes the container's one network endpoint: its
// aliases, links, IPv4 address and MAC address. berth connects a container to
// one network at create; more come with POST /networks/{id}/connect.
func endpointOptions(endpoints map[string]*network.EndpointSettings, opts *engine.CreateOptions) error {
	if len(endpoints) > 1 {
		return invalidf("NetworkingConfig.EndpointsConfig: berth connects a container to one network when it is created, connect it to more afterwards")
	}
	for name, ep := range endpoints {
		mode := opts.HostConfig.NetworkMode
		if mode == "" || mode == "default" {
			opts.HostConfig.NetworkMode = name
		} else if mode != name {
			return invalidf("NetworkingConfig.EndpointsConfig: network %s is not the container's network mode %s", name, mode)
		}
		if ep == nil {
			continue
		}
		// The docker CLI sends --link on a user-defined network both in
		// HostConfig.Links and here; the engine takes the links of such a
		// network off HostConfig.Links itself.
		for _, l := range ep.Links {
			if !slices.Contains(opts.HostConfig.Links, l) {
				opts.HostConfig.Links = append(opts.HostConfig.Links, l)
			}
		}
		switch {
		case len(ep.DriverOpts) > 0:
			return invalidf("NetworkingConfig.EndpointsConfig.%s.DriverOpts: not supported by berth", name)
		case ep.IPAMConfig != nil && (ep.IPAMConfig.IPv6Address.IsValid() || len(ep.IPAMConfig.LinkLocalIPs) > 0):
			return invalidf("NetworkingConfig.EndpointsConfig.%s.IPAMConfig: berth sets an IPv4 address only", name)
		}
		opts.NetworkAliases = ep.Aliases
		if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
			opts.IP = ep.IPAMConfig.IPv4Address.String()
		}
		if len(ep.MacAddress) > 0 {
			opts.Config.MacAddress = ep.MacAddress.String()
		}
	}
	return nil
}

// clientDefaults are values of fields berth does not have that clients
// send when the user asked for nothing: they mean "as the daemon likes".
var clientDefaults = map[string][]string{
	"HostConfig.MemorySwappiness": {"-1"},
	"HostConfig.Isolation":        {`"default"`},
	"HostConfig.CgroupnsMode":     {`"private"`},
}

// ignoredFields are fields berth takes without acting on them, whatever
// their value, and why that is harmless.
var ignoredFields = map[string]string{
	// The docker CLI (API 1.42 on) sends its terminal's size with a tty
	// container, and resizes it once it started too.
	"HostConfig.ConsoleSize": "the client resizes after the start",
}

// unsupportedFields names, sorted, the fields of given (a moby type) that
// have a value and no counterpart in berth (the engine type berth points
// to).
func unsupportedFields(section string, given, berth any) ([]string, error) {
	raw, err := json.Marshal(given)
	if err != nil {
		return nil, invalidf("%s: %v", section, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, invalidf("%s: %v", section, err)
	}
	known := jsonKeys(reflect.TypeOf(berth).Elem())
	var refused []string
	for key, v := range fields {
		name := section + "." + key
		if _, ignored := ignoredFields[name]; ignored || known[key] || emptyJSON(v) || slices.Contains(clientDefaults[name], string(v)) {
			continue
		}
		refused = append(refused, name)
	}
	slices.Sort(refused)
	return refused, nil
}

// emptyJSON reports whether v is a JSON zero value: null, false, 0, "",
// [] or {}.
func emptyJSON(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case "null", "false", "0", `""`, "[]", "{}":
		return true
	}
	return false
}

// jsonKeys are the JSON keys of struct type t, those of embedded structs
// included.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k := range jsonKeys(f.Type) {
				keys[k] = true
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys[name] = true
	}
	return keys
}

// convertJSON copies from into to through their common JSON form.
func convertJSON(from, to any) error {
	raw, err := json.Marshal(from)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, to); err != nil {
		return fmt.Errorf("convert to berth's configuration: %w", err)
	}
	return nil
}
