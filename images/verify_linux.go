package images

import (
	"io/fs"
	"syscall"
)

// identityOf is the identity of a file as the verification cache keeps it.
func identityOf(fi fs.FileInfo) blobIdentity {
	id := blobIdentity{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino = uint64(st.Dev), st.Ino
		id.Ctime = st.Ctim.Sec*1e9 + st.Ctim.Nsec
	}
	return id
}
