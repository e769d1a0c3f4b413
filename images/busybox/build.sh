#!/usr/bin/env bash
# Builds the busybox image from Debian's busybox-static (/bin/busybox) with clusterbox's own builder.
# Usage: images/busybox/build.sh [CLUSTERBOX_BINARY]   (tag: busybox:latest)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-clusterbox}"
cp /bin/busybox "$here/busybox"
trap 'rm -f "$here/busybox"' EXIT
"$binary" image build "$here" -t busybox:latest
