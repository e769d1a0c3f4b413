#!/usr/bin/env bash
# Builds the images in images/ with clusterbox's own builder, busybox first (the others start FROM it), into the
# data directory's image store (CLUSTERBOX_DATA_DIR or ~/.clusterbox). RUN steps need root.
# Usage: images/build.sh [CLUSTERBOX_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-clusterbox}"
"$here/busybox/build.sh" "$binary"
for dir in "$here"/*/; do
  name="$(basename "$dir")"
  [ "$name" = busybox ] && continue
  [ -f "$dir/Dockerfile" ] || continue
  "$binary" image build "$dir" -t "$name:latest"
done
