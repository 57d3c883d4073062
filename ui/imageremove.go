package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Removing an image follows docker rmi (host.RemoveImage): an image a
// container is made from is refused; forcing it is a second, explicit
// choice in a menu whose first choice keeps the image.

const (
	imageKeep  = "keep it"
	imageForce = "remove by force (rmi -f: untag it; its containers keep their files)"
)

// removeImageDialog asks before removing im (named name, removed by ref)
// on sh's host.
func removeImageDialog(sh *shared, im Image, name, ref string) dialog {
	remove := func(force bool) tea.Cmd {
		done := "removed image " + name
		if force {
			done = fmt.Sprintf("removed image %s by force (used by %s)", name, plural(im.Containers, "container"))
		}
		return actionCmd("remove image "+name, done, func() error {
			return sh.backend.RemoveImage(sh.ctx, ref, force)
		})
	}
	if im.Containers == 0 {
		return confirmDialog(&sh.keys, "Remove image "+name+"?", shortID(im.ID), func() tea.Cmd { return remove(false) })
	}
	title := fmt.Sprintf("Image %s is used by %s: rmi refuses to remove it", name, plural(im.Containers, "container"))
	return menuDialog(&sh.keys, title, []string{imageKeep, imageForce}, 0, func(choice string) tea.Cmd {
		if choice != imageForce {
			return nil
		}
		return remove(true)
	})
}
