package images

import "errors"

var (
	// ErrDamaged: an image's record, config or manifest cannot be read.
	// The image is left out of List (Inventory names it) and can be
	// removed; nothing else is affected.
	ErrDamaged = errors.New("image cannot be read")
	// ErrNotFound: no image matches the reference or ID.
	ErrNotFound = errors.New("no such image")
	// ErrAmbiguous: an ID prefix matches more than one image.
	ErrAmbiguous = errors.New("ambiguous image ID prefix")
	// ErrInvalidReference: a name that is not a valid image reference.
	ErrInvalidReference = errors.New("invalid reference format")
	// ErrInUse: a container uses the image and removal was not forced.
	ErrInUse = errors.New("image is in use")
	// ErrConflict: the operation needs force, e.g. removing by ID an image
	// with several tags, or reusing a container ID for another image.
	ErrConflict = errors.New("conflict")
	// ErrUnknownDriver: a storage driver other than overlay2 or vfs.
	ErrUnknownDriver = errors.New("unknown storage driver")
	// ErrUnsafeEntry: a layer entry that would reach outside its layer.
	ErrUnsafeEntry = errors.New("unsafe layer entry")
	// ErrInvalidChange: a --change instruction that is unknown or malformed.
	ErrInvalidChange = errors.New("invalid change")
	// ErrUnauthorized: a registry refused the credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNoContext: COPY or ADD of local files in a build without a context.
	ErrNoContext = errors.New("no build context: COPY and ADD need one (build with a context directory)")
)
