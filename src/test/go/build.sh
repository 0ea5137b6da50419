#!/usr/bin/env bash
# Builds a test-only Go module of src/test/go once per content: its programs land in
# ~/.cache/meshgate/<module>/<hash>/, the hash taken over the module's go.mod, go.sum and Go
# sources and this script, so only the first run on a machine pays the compile (minutes on 2
# cores). Every module shares the go command's one build cache (go env GOCACHE), so packages two
# modules have in common (client-go, gRPC, ...) compile once.
#
#   src/test/go/build.sh MODULE [LINK]
#
#   kubecluster  etcd + kube-apiserver + kube-controller-manager from the Kubernetes Go modules, and
#                kubectl of the same release (with its kustomize)
#   istio        pilot-discovery (istiod) and istioctl from istio.io/istio, and the Gateway API
#                CRDs (standard channel) of the sigs.k8s.io/gateway-api version istio.io/istio
#                requires, in gateway-api-crds/
#   prometheus   prometheus and promtool of Prometheus 3 (github.com/prometheus/prometheus), with no
#                service discovery but static and file (the tests need no other)
#   alertmanager alertmanager and amtool (github.com/prometheus/alertmanager)
#   thanos       thanos (github.com/thanos-io/thanos): the sidecar and the querier
#   deploy       helm (Helm's own CLI, helm.sh/helm/v4) and argocd-health (Argo CD's way of running
#                a health.lua, on gopher-lua)
#
# prints the directory holding them and, given LINK, points a symlink there (the tests pass
# target/<module>). Go missing or older than go.mod wants: installs Debian's golang-go when root,
# then lets the go command fetch the toolchain go.mod names from the Go module proxy.
#
#   src/test/go/build.sh --background MODULE...
#
# builds the modules one after another in a process of its own and returns at once (output in
# background.log of the cache), so that the Maven build runs the unit tests and the integration
# tests that need none of them meanwhile; a build.sh MODULE run in the meantime (a test asking for
# its programs) waits for that module's build under way instead of racing it (a lock per module).
set -euo pipefail

root=${MESHGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate}
if [ "${1:-}" = "--background" ]; then
  shift
  mkdir -p "$root"
  nohup bash "$0" --in-turn "$@" >"$root/background.log" 2>&1 </dev/null &
  echo "build.sh: building $* in the background (log: $root/background.log)" >&2
  exit 0
fi
if [ "${1:-}" = "--in-turn" ]; then
  shift
  for each in "$@"; do
    bash "$0" "$each" >/dev/null || echo "build.sh: $each failed; a test that needs it builds it again and says why" >&2
  done
  exit 0
fi

module=${1:?usage: build.sh kubecluster|istio|prometheus|alertmanager|thanos|deploy [LINK] | --background MODULE...}
link=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/$module
[ -f "$src/go.mod" ] || { echo "build.sh: no Go module $src" >&2; exit 64; }
cache=$root/$module
hash=$(cd "$src" && cat go.mod go.sum "$here/build.sh" $(ls -- *.go 2>/dev/null | LC_ALL=C sort) | sha256sum | cut -c1-16)
out=$cache/$hash
required=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$src/go.mod")

publish() {
  if [ -n "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$out" "$link"
  fi
  echo "$out"
}

if [ -f "$out/.complete" ]; then
  publish
  exit 0
fi

say() { echo "$module: $*" >&2; }

# one build of a module at a time: a second one waits and then finds it built
mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  say "waiting for the build under way (see $root/background.log)"
  flock 9
fi
if [ -f "$out/.complete" ]; then
  publish
  exit 0
fi

# The go command: on PATH, else Debian's package (root only). Go before 1.21 cannot switch
# toolchains by itself, so the one go.mod needs is taken from the module proxy as a module.
find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  elif [ -x /usr/lib/go/bin/go ]; then
    echo /usr/lib/go/bin/go
  fi
}
go_bin=$(find_go)
if [ -z "$go_bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "no go command; installing Debian's golang-go"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q golang-go >&2 \
      || { apt-get -o DPkg::Lock::Timeout=600 update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q golang-go >&2; }
    go_bin=$(find_go)
  fi
  if [ -z "$go_bin" ]; then
    say "no go command found. Install Go $required or newer (https://go.dev/doc/install), or as root: apt-get install golang-go"
    exit 1
  fi
fi
go_version=$("$go_bin" env GOVERSION 2>/dev/null || "$go_bin" version | awk '{print $3}')
minor=$(echo "$go_version" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -n "$minor" ] && [ "$minor" -lt 21 ]; then
  toolchain="golang.org/toolchain@v0.0.1-go${required}.linux-$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  say "$go_version cannot build this module (go.mod wants go $required); fetching $toolchain from the Go module proxy"
  # outside the module: a go this old cannot read its go.mod
  dir=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod GO111MODULE=on "$go_bin" mod download -json "$toolchain" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  # module zips keep no file modes: make the toolchain's programs executable again
  [ -n "$dir" ] && chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/* 2>/dev/null
  if [ -z "$dir" ] || [ ! -x "$dir/bin/go" ]; then
    say "could not fetch $toolchain; install Go $required or newer (https://go.dev/doc/install)"
    exit 1
  fi
  go_bin=$dir/bin/go
fi
# go 1.21+ fetches the toolchain go.mod names when it is older itself
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

# go build -v prints one line per package compiled: one line per hundred of them shows that a long
# first build progresses (package paths have no spaces; compiler messages do and are shown whole)
go_build() {
  "$go_bin" build -v -trimpath "$@" 2>&1 \
    | awk -v m="$module" '/ / {print; fflush(); next} {n++} n % 100 == 0 {print m ": " n " packages compiled"; fflush()}' >&2
}

# The module's version as go.mod requires it (in a require block or on a require line), e.g. v1.36.3 or v0.0.0-20260827124520-eed52ebb66ad.
required_version() {
  sed -n "s#^[[:space:]]*\(require[[:space:]]*\)\{0,1\}$1 \(v[^ ]*\).*#\2#p" "$src/go.mod" | head -1
}

build_kubecluster() {
  # the Kubernetes release built, so that the API server reports it (/version, kubectl version)
  local kube kube_minor version=k8s.io/component-base/version
  kube=$(required_version k8s.io/kubernetes)
  kube_minor=$(echo "$kube" | cut -d. -f2)
  go_build -o "$1/kubecluster" \
    -ldflags="-s -w -X $version.gitVersion=$kube -X $version.gitMajor=1 -X $version.gitMinor=$kube_minor -X $version.gitTreeState=clean" \
    .
  # the tests' kubectl, so that they need none on the machine: the client of the API server's
  # release, which also renders kustomizations (kubectl kustomize)
  go_build -o "$1/kubectl" \
    -ldflags="-s -w -X $version.gitVersion=$kube -X $version.gitMajor=1 -X $version.gitMinor=$kube_minor -X $version.gitTreeState=clean" \
    k8s.io/kubernetes/cmd/kubectl
}

build_istio() {
  # istio.io/istio is served only as a snapshot of Istio's main branch (a pseudo-version): the
  # binaries say so, as Istio's own dev builds do (VERSION file + "-dev"), with the commit
  local commit istio_dir flags version=istio.io/istio/pkg/version
  "$go_bin" mod download istio.io/istio sigs.k8s.io/gateway-api
  commit=$(required_version istio.io/istio | sed 's/.*-//')
  istio_dir=$("$go_bin" list -m -f '{{.Dir}}' istio.io/istio)
  flags="-s -w -X $version.buildVersion=$(cat "$istio_dir/VERSION")-dev -X $version.buildGitRevision=$commit"
  flags="$flags -X $version.buildStatus=Clean -X $version.buildTag=$commit -X $version.buildHub=docker.io/istio"
  go_build -o "$1/pilot-discovery" -ldflags="$flags" istio.io/istio/pilot/cmd/pilot-discovery
  go_build -o "$1/istioctl" -ldflags="$flags" istio.io/istio/istioctl/cmd/istioctl
  mkdir -p "$1/gateway-api-crds"
  cp "$("$go_bin" list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api)"/config/crd/standard/*.yaml "$1/gateway-api-crds/"
  chmod u+w "$1"/gateway-api-crds/*.yaml
}

# Prometheus's modules are tagged v0.<300 + minor>.<patch> for release 3.<minor>.<patch>; the binaries
# report the release as the project's own builds do (prometheus --version, /api/v1/status/buildinfo)
prometheus_version_flags() {
  local version=github.com/prometheus/common/version
  echo "-s -w -X $version.Version=$1 -X $version.Revision=$2 -X $version.Branch=module -X $version.BuildUser=meshgate"
}

build_prometheus() {
  local version release
  version=$(required_version github.com/prometheus/prometheus)
  release=$(echo "$version" | awk -F. '{sub(/^v0/, "", $1); printf "%d.%d.%s", $2 / 100, $2 % 100, $3}')
  # remove_all_sd: Prometheus's own build tag leaving out every service discovery (cloud SDKs
  # are most of its compile time); static_configs and file_sd_configs stay
  go_build -tags remove_all_sd -o "$1/" -ldflags="$(prometheus_version_flags "$release" "$version")" \
    github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
}

build_alertmanager() {
  local version source
  version=$(required_version github.com/prometheus/alertmanager)
  # The web UI is built by npm into ui/app/dist, which the module zip leaves out while ui/web.go
  # embeds it: build from a copy of the module with a one-page placeholder UI (the tests use the
  # API, never the UI), through a go.mod that replaces the module with that copy.
  "$go_bin" mod download github.com/prometheus/alertmanager
  source=$1/alertmanager-src
  cp -r "$("$go_bin" list -m -f '{{.Dir}}' github.com/prometheus/alertmanager)" "$source"
  chmod -R u+w "$source"
  for ui in elm mantine; do
    mkdir -p "$source/ui/app/dist/$ui"
    echo '<!doctype html><title>Alertmanager</title><p>UI not built (meshgate test build): use the API.' \
      >"$source/ui/app/dist/$ui/index.html"
  done
  cp go.mod go.sum "$1/"
  "$go_bin" mod edit -modfile="$1/go.mod" -replace "github.com/prometheus/alertmanager=$source"
  go_build -modfile="$1/go.mod" -o "$1/" -ldflags="$(prometheus_version_flags "${version#v}" "$version")" \
    github.com/prometheus/alertmanager/cmd/alertmanager github.com/prometheus/alertmanager/cmd/amtool
  rm -rf "$source" "$1/go.mod" "$1/go.sum"
}

build_thanos() {
  local version
  version=$(required_version github.com/thanos-io/thanos)
  # slicelabels: Thanos's own build sets it (.promu.yml); without it the sidecar panics on the
  # querier's first call (makeslice: len out of range, pkg/extgrpc/client.go)
  go_build -tags slicelabels -o "$1/" -ldflags="$(prometheus_version_flags "${version#v}" "$version")" \
    github.com/thanos-io/thanos/cmd/thanos
}

build_deploy() {
  local version
  version=$(required_version helm.sh/helm/v4)
  # helm version reports the module's release, as Helm's own builds do (internal/version)
  go_build -o "$1/helm" -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
    helm.sh/helm/v4/cmd/helm
  go_build -o "$1/argocd-health" .
}

say "building with $("$go_bin" version | awk '{print $3}') (first run on this machine: several minutes)"
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)
(
  cd "$src"
  "build_$module" "$out"
)
touch "$out/.complete"
say "built $out in $(( $(date +%s) - started ))s"
# builds of earlier sources are not needed again (the Go build cache makes a rebuild cheap)
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -exec rm -rf {} +
publish
