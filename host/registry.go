package host

import (
	"berth/config"
	"berth/images"
)

// RegistryOptions are the settings' mirrors, insecure registries and
// stored logins (berth login), as every face's pulls and pushes use them.
func RegistryOptions(c *config.Config, maxConcurrent int) images.RegistryOptions {
	return images.RegistryOptions{
		Mirrors:       c.RegistryMirrors,
		Insecure:      c.InsecureRegistries,
		Credentials:   images.OpenCredentials(c.CredentialsFile()).Get,
		MaxConcurrent: maxConcurrent,
	}
}

// RegistryDefaults are this machine's registry settings, for the pulls and
// pushes that reach it through the API: a client's own login comes first.
// A Local made without settings (tests) has none.
func (l Local) RegistryDefaults() images.RegistryOptions {
	if l.settings == nil {
		return images.RegistryOptions{}
	}
	return RegistryOptions(l.settings, l.settings.MaxConcurrentDownloads)
}
