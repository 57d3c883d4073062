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
// on sh's host. The removal is a job (jobs.go): its row says Removing…
// until it ends, and after a quit `berth rmi` finishes it.
func removeImageDialog(sh *shared, im Image, name, ref string) dialog {
	remove := func(force bool) tea.Cmd {
		done := "removed image " + name
		cli := []string{"rmi", ref}
		if force {
			done = fmt.Sprintf("removed image %s by force (used by %s)", name, plural(im.Containers, "container"))
			cli = []string{"rmi", "-f", ref}
		}
		return askJobCmd(&job{
			sh: sh, state: "Removing", what: "image " + name, rows: []string{rowKey(sh, im.ID)},
			failed: "remove image " + name, cli: cli,
			run: func(func(string)) (string, error) { return done, sh.backend.RemoveImage(sh.ctx, ref, force) },
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

// pruneImagesJob removes the dangling images of sh's host (`berth image
// prune`): those of list (each of whose host hostOf says) without a tag
// and not used by a container say Removing… until it ends.
func pruneImagesJob(sh *shared, list []Image, hostOf []int) *job {
	var rows []string
	for i, im := range list {
		if hostOf[i] == sh.host && im.Dangling && im.Containers == 0 {
			rows = append(rows, rowKey(sh, im.ID))
		}
	}
	return &job{
		sh: sh, state: "Removing", what: "dangling images" + sh.onHost(), rows: rows,
		failed: "prune images", cli: []string{"image", "prune", "-f"},
		run: func(func(string)) (string, error) {
			n, freed, err := sh.backend.PruneImages(sh.ctx)
			return fmt.Sprintf("removed %d dangling images, freed %s", n, humanBytes(freed)), err
		},
	}
}
