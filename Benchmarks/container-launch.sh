#!/usr/bin/env bash
# Launch latency of one contained `true`: clusterbox's in-process launcher (cgroups v1 memory+pids+cpu with
# limits, pid/mount/UTS/IPC namespaces, busybox rootfs, pivot_root, uid 65534, no capabilities, no_new_privs, the
# default seccomp filter) beside `crun run` on an equivalent OCI bundle and a plain fork/exec of /bin/true.
# Targets: clusterbox p50 ≤ 0.5 × crun p50; fork/exec p50 ≤ 2 ms.
#
# Usage: sudo Benchmarks/container-launch.sh [RUNS]     (default 100, after 5 warm-up runs)
# Needs: root, busybox-static, crun (apt-get install crun), libseccomp-dev (to build).
#
# The measurement runs in a private mount namespace where the cgroup v2 mount (/sys/fs/cgroup/unified on a hybrid
# host) is lazily unmounted: crun 1.8 refuses a hybrid layout whose v2 tree has controllers ("cgroups in hybrid
# mode not supported"). Nothing leaves that namespace. The rootfs and bundle live in a temporary directory that is
# removed on exit; the cgroups (a private parent per run of the tool) are removed by the tool.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-100}
[ "$(id -u)" = 0 ] || { echo "container-launch.sh: needs root" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "container-launch.sh: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
command -v crun >/dev/null || echo "container-launch.sh: crun missing (apt-get install crun): no comparison" >&2

work=$(mktemp -d /tmp/clusterbox-launch-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A busybox rootfs with relative applet links (they resolve inside the rootfs and from the host alike).
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,dev,sys,tmp,root}
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list-full); do
    [ "$applet" = bin/busybox ] && continue
    up=$(echo "$applet" | awk -F/ '{ s = ""; for (i = 1; i < NF; i++) s = s "../"; print s }')
    ln -sf "${up}bin/busybox" "$rootfs/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

# crun's template; ContainerLaunch rewrites it into the parity config (see its header).
mkdir -p "$work/bundle"
if command -v crun >/dev/null; then (cd "$work/bundle" && crun spec); else echo '{"process":{},"linux":{},"mounts":[]}' >"$work/bundle/config.json"; fi

swift build --package-path "$here" --scratch-path "$here/.build-launch" -c release --product ContainerLaunch >&2
bin=$(swift build --package-path "$here" --scratch-path "$here/.build-launch" -c release --show-bin-path)/ContainerLaunch

unshare --mount --propagation private -- sh -c '
    if grep -q " /sys/fs/cgroup/unified " /proc/self/mountinfo; then umount -l /sys/fs/cgroup/unified; fi
    exec "$@"' sh "$bin" --rootfs "$rootfs" --bundle "$work/bundle" --runs "$runs"
