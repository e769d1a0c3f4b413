#!/usr/bin/env bash
# Builds the test images of BoxImagesTests with umoci and skopeo (Debian packages), as runtime.md §5.3 shows:
#
#   layout/ (OCI layout)  base  busybox-static with --install -s /bin, /etc/passwd and /etc/group, /data
#                         v2    base, then `umoci repack` after deleting bin/vi and data/old (.wh. whiteouts)
#                               and adding data/new.txt
#                         v3    v2 plus two hand-made layers (hand-layer.py): an opaque whiteout of /data, a 0600
#                               file owned by 65534, a symlink, a hard link, setuid and sticky modes, a fifo
#                               (pax format); long names and link targets (GNU format)
#   v3.oci.tar            skopeo copy oci:layout:v3 oci-archive:…   (and v3.oci.tar.gz, gzip of it)
#   v3.docker.tar         skopeo copy oci:layout:v3 docker-archive:…:clusterbox/test:v3 (docker save format)
#   expected/rootfs       umoci unpack of v3: what our unpacking must reproduce
#
# Needs root (chroot, and umoci unpack keeps owners). Usage: make-images.sh WORKDIR
set -euo pipefail
work=$1
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
mkdir -p "$work"
cd "$work"

base=$work/base
mkdir -p "$base"/{bin,etc,proc,sys,dev,tmp,home/app,data/old}
cp "$busybox" "$base/bin/busybox"
chroot "$base" /bin/busybox --install -s /bin
chmod 1777 "$base/tmp"
cat > "$base/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$base/etc/group" <<'GROUP'
root:x:0:
staff:x:50:app,nobody
app:x:1000:
nogroup:x:65534:
GROUP
echo "old a" > "$base/data/old/a"
echo "old b" > "$base/data/old/b"
echo "kept below" > "$base/data/keep"
echo "hello from the base layer" > "$base/etc/motd"
chown -R 1000:1000 "$base/home/app"

umoci init --layout layout
umoci new --image layout:base
umoci insert --image layout:base "$base" /
umoci config --image layout:base --config.entrypoint /bin/sh --config.cmd -c --config.cmd 'cat /etc/motd' \
  --config.env PATH=/bin --config.workingdir / --config.user 65534:65534

# v2: deleted files become .wh. whiteouts.
umoci unpack --image layout:base bundle2 >/dev/null
rm bundle2/rootfs/bin/vi
rm -r bundle2/rootfs/data/old
echo "added in v2" > bundle2/rootfs/data/new.txt
umoci repack --image layout:v2 bundle2
rm -rf bundle2

# v3: hand-made layers umoci does not make (opaque whiteout, pax and GNU long names).
python3 "$here/hand-layer.py" pax hand-pax.tar
python3 "$here/hand-layer.py" gnu hand-gnu.tar
umoci raw add-layer --image layout:v2 --tag v3 hand-pax.tar
umoci raw add-layer --image layout:v3 hand-gnu.tar
umoci config --image layout:v3 --config.entrypoint /bin/sh --config.cmd -c \
  --config.cmd 'cat /data/fresh.txt' --config.env PATH=/bin --config.env GREETING=hi --config.workingdir /data \
  --config.user nobody --config.label org.example.test=v3

skopeo --insecure-policy copy -q oci:layout:v3 oci-archive:v3.oci.tar:v3
gzip -c v3.oci.tar > v3.oci.tar.gz
skopeo --insecure-policy copy -q oci:layout:v3 docker-archive:v3.docker.tar:clusterbox/test:v3
umoci unpack --image layout:v3 expected >/dev/null
echo "made $work"
