#!/usr/bin/env bash
# Builds the image of ImageTasksEndToEndTests with umoci, as Tests/BoxImagesTests/Fixtures/make-images.sh does:
# busybox-static with --install -s /bin, /etc/passwd and /etc/group with nobody, /hello.txt, /data owned by
# nobody (a task can write there, into its own overlay upper), and the config Cmd ["cat","/hello.txt"] with
# PATH=/bin and no User (the executor's default, 65534). Writes WORKDIR/busybox.tar, a tar of the OCI layout.
#
# Needs root (chroot, owners kept by umoci). Usage: make-busybox-image.sh WORKDIR
set -euo pipefail
work=$1
busybox=${BUSYBOX:-/bin/busybox}
mkdir -p "$work"
cd "$work"

root=$work/rootfs
mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,data}
cp "$busybox" "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s /bin
chmod 1777 "$root/tmp"
chown 65534:65534 "$root/data"
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo "hello from the busybox:test image" > "$root/hello.txt"
chmod 644 "$root/hello.txt"

umoci init --layout layout
umoci new --image layout:test
umoci insert --image layout:test "$root" /
umoci config --image layout:test --config.cmd cat --config.cmd /hello.txt --config.env PATH=/bin \
  --config.workingdir /
tar -C layout -cf busybox.tar .
echo "made $work/busybox.tar"
