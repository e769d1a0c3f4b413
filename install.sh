#!/usr/bin/env bash
# clusterbox installer.
#   ./install.sh          install system packages, build a release binary, install it as /usr/local/bin/clusterbox
#   ./install.sh --test   install system packages, build (debug) and run the whole test suite: what CI runs
set -euo pipefail
cd "$(dirname "$0")"

mode=install
case "${1:-}" in
  --test) mode=test ;;
  "") ;;
  -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# System packages. libsqlite3-dev: GRDB (the state database). curl: the acceptance tests and the README's
# examples. procps: ps/pgrep used by the benchmark scripts. Swift itself comes with the machine (/opt/swift).
packages=(libsqlite3-dev curl procps ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
  [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "swift 6.3 is required (expected in PATH or /opt/swift)" >&2; exit 1; }

if [ "$mode" = test ]; then
  say "Building (debug)"
  swift build --build-tests
  say "Running the test suite"
  # The end-to-end tests run the binary this build made.
  swift test --skip-build
  exit 0
fi

say "Building clusterbox (release; a first build takes several minutes)"
swift build -c release --product clusterbox
bin_dir=/usr/local/bin
[ -w "$bin_dir" ] || bin_dir="$HOME/.local/bin"
mkdir -p "$bin_dir"
install -m 0755 "$(swift build -c release --show-bin-path)/clusterbox" "$bin_dir/clusterbox"
say "Installed $bin_dir/clusterbox"
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "Add $bin_dir to your PATH." ;; esac
echo "Next: clusterbox up"
