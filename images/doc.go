// Package images owns berth's image store: OCI blobs, image records, the
// references file (name:tag → image ID) and the layer store that unpacks each
// layer once per chain ID for the overlay2 or vfs driver.
//
// Start reading at store.go (Open, the on-disk layout and locking), then
// import.go (how a tarball becomes an image) and layerstore.go (how layers
// are unpacked and shared). Extraction lives in unpack.go; it can never write
// outside the layer directory. rootfs.go describes the mounts a container
// needs; this package never performs a mount itself.
//
// On disk, under the root passed to Open:
//
//	lock                     flock taken by every mutation
//	repositories.json        references, written atomically
//	blobs/sha256/<hex>       content: layer tars, configs, manifests
//	images/<id>.json         one record per image (manifest descriptor, layer sizes)
//	layers/<driver>/<chain>  unpacked layers, one per chain ID and driver
//	containers/<id>          container writable layers (overlay2: diff, work; vfs: rootfs)
//	tmp/                     work in progress; nothing here is visible as stored
//
// The image ID is the digest of the image's config blob. Blobs are the truth:
// a layer missing for the current driver is unpacked again from its blob.
package images
