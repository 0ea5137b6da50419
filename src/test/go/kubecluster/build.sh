#!/usr/bin/env bash
# Builds the test control plane (etcd + kube-apiserver + kube-controller-manager from the
# Kubernetes Go modules) once per content: the binary is cached under
# ~/.cache/meshgate/kubecluster/<hash>/, the hash taken over go.mod, go.sum, the Go sources and
# this script, so only the first run on a machine pays the compile (minutes on 2 cores).
#
#   src/test/go/kubecluster/build.sh [LINK]
#
# prints the binary's path and, given LINK, points a symlink there (the Maven build passes
# target/kubecluster). Go missing or older than go.mod wants: installs Debian's golang-go when
# root, then lets the go command fetch the toolchain go.mod names from the Go module proxy.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
link=${1:-}
cache=${MESHGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshgate}/kubecluster
hash=$(cd "$here" && cat go.mod go.sum build.sh $(ls -- *.go | LC_ALL=C sort) | sha256sum | cut -c1-16)
binary=$cache/$hash/kubecluster
required=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$here/go.mod")
# the Kubernetes release built, so that the API server reports it (/version, kubectl version)
kube=$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/go.mod")
kube_minor=$(echo "$kube" | cut -d. -f2)

publish() {
  if [ -n "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$binary" "$link"
  fi
  echo "$binary"
}

if [ -x "$binary" ]; then
  publish
  exit 0
fi

say() { echo "kubecluster: $*" >&2; }

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
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go >&2; }
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

say "building the test control plane with $("$go_bin" version | awk '{print $3}') (first run on this machine: several minutes)"
mkdir -p "$cache/$hash"
started=$(date +%s)
(
  cd "$here"
  "$go_bin" mod download
  # one line per hundred packages compiled, so a long first build shows progress
  # (package paths have no spaces; compiler messages do and are shown whole)
  version=k8s.io/component-base/version
  "$go_bin" build -v -trimpath -o "$binary.tmp" \
    -ldflags="-s -w -X $version.gitVersion=$kube -X $version.gitMajor=1 -X $version.gitMinor=$kube_minor -X $version.gitTreeState=clean" \
    . 2>&1 \
    | awk '/ / {print; fflush(); next} {n++} n % 100 == 0 {print "kubecluster: " n " packages compiled"; fflush()}' >&2
)
mv "$binary.tmp" "$binary"
say "built $binary in $(( $(date +%s) - started ))s"
# binaries of earlier sources are not needed again (the Go build cache makes a rebuild cheap)
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -exec rm -rf {} +
publish
