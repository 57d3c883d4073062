#!/usr/bin/env bash
# Prepares berth's offline demo: a busybox image imported from Debian's
# busybox-static and three containers that give every screen something to
# show. `demo.sh clean` removes them. Uses berth's normal data root unless
# BERTH_ROOT / BERTH_RUN_ROOT say otherwise.
set -euo pipefail
BERTH=${BERTH:-berth}
names=(demo-web demo-logger demo-disk)

if [ "${1:-}" = clean ]; then
	"$BERTH" rm -f "${names[@]}" >/dev/null 2>&1 || true
	"$BERTH" rmi busybox:latest >/dev/null 2>&1 || true
	echo "demo removed"
	exit 0
fi

if [ ! -x /bin/busybox ]; then
	echo "demo: /bin/busybox missing: apt-get install busybox-static" >&2
	exit 1
fi

if ! "$BERTH" image inspect busybox:latest >/dev/null 2>&1; then
	rootfs=$(mktemp -d)
	trap 'rm -rf "$rootfs"' EXIT
	mkdir -p "$rootfs"/{bin,etc,tmp,root,www,proc,sys,dev}
	chmod 1777 "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nwww:x:33:33:www:/www:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nwww:x:33:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
	printf '<h1>served by berth</h1>\n' >"$rootfs/www/index.html"
	tar -C "$rootfs" -c . | "$BERTH" import --change 'CMD ["sh"]' - busybox:latest >/dev/null
	echo "imported busybox:latest"
fi

"$BERTH" rm -f "${names[@]}" >/dev/null 2>&1 || true
# The web server is on the default bridge, published on the host's port 18080.
"$BERTH" run -d --name demo-web -p 18080:80 --restart unless-stopped busybox \
	httpd -f -p 80 -h /www >/dev/null
"$BERTH" run -d --name demo-logger --restart always -m 64m busybox \
	sh -c 'i=0; while :; do i=$((i+1)); echo "request $i served in $((i % 97))ms"; [ $((i % 10)) = 0 ] && echo "warning: slow request $i" >&2; sleep 0.2; done' >/dev/null
"$BERTH" run -d --name demo-disk --pids-limit 64 busybox \
	sh -c 'while :; do dd if=/dev/urandom of=/tmp/blob bs=1M count=16 conv=fsync 2>/dev/null; cat /tmp/blob >/dev/null; sleep 3; done' >/dev/null
"$BERTH" ps
