// Package images owns berth's image store: OCI blobs, image records, the
// references file (name:tag → image ID) and the layer store that unpacks each
// layer once per chain ID for the overlay2 or vfs driver.
//
// Start reading at store.go (Open, the on-disk layout and locking), then
// import.go (how a tarball becomes an image: stage.go stages layers under
// tmp/, commit.go makes them visible under the lock) and layerstore.go (how
// layers are unpacked, shared and garbage collected). Extraction lives in
// unpack.go; it can never write outside the layer directory. rootfs.go
// describes the mounts a container needs; this package never performs a
// mount itself.
//
// An image whose record or config cannot be read is damaged (ErrDamaged):
// List leaves it out, Inventory names it, Remove takes it, and garbage
// collection keeps whatever a damaged image, container layer or cache
// entry might use rather than fail. Image records keep their references
// too, and a repositories.json that cannot be read is rebuilt from them
// (reference.go). check.go finds damage for `system check`.
//
// Then the doors: save.go and load.go (docker-archive and OCI layout),
// prune.go (prune, history), build.go with buildcopy.go, buildcontext.go and
// buildcache.go (Dockerfile builds; RUN goes through the Runner the engine
// implements, and layertar.go turns what it changed back into a layer),
// pull.go, push.go and registry.go (go-containerregistry for the protocol;
// blob checks, storage and unpacking are ours).
//
// layerfiles.go is an image's file tree layer by layer, as dive shows it
// (added, changed, removed; the bytes wasted by what later layers
// overwrite or delete; dive's efficiency score): a pure function over the
// layers' tar headers, read from the layer blobs or from a saved archive
// (layerfiles_read.go); layerfiles_tree.go stacks the layers up to one.
//
// On disk, under the root passed to Open:
//
//	lock                     flock taken by every mutation
//	repositories.json        references, written atomically
//	blobs/sha256/<hex>       content: layer tars, configs, manifests
//	images/<id>.json         one record per image (manifest descriptor, layer sizes, references)
//	layers/<driver>/<chain>  unpacked layers, one per chain ID and driver; whole when
//	                         they hold the marker "complete" (layerstore.go)
//	layers-marked            the layers unpacked before markers existed have theirs
//	verified/<hex>           identity of a blob file last found to match its digest (verify.go)
//	layers/overlay2/l/<name> short links to overlay2 layers, named in mount options (layerlinks.go)
//	containers/<id>          container writable layers (overlay2: diff, work; vfs: rootfs)
//	buildcache/<key>.json    layer stacks of cached build steps
//	tmp/                     work in progress; nothing here is visible as stored
//	tmp/<owner>-<what>-…     named after the process doing it; removed when it is gone (tmpowner.go)
//	tmp/partial-<hex>        a blob download, resumed by the next pull
//
// The image ID is the digest of the image's config blob. Blobs are the truth:
// a layer missing for the current driver is unpacked again from its blob.
// Blobs are checked against their digests when they are used (verify.go
// says when, and how a cache keeps that cheap); a damaged one is a
// DamagedBlobError naming the blob and the image.
package images
