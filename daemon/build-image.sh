#!/usr/bin/env bash
# Builds the daemon image of daemon/Dockerfile reproducibly, and says what it recorded:
#   daemon/build-image.sh registry.example.com/meshgate:0.1.0 [--push] [docker buildx build args]
# * the two bases are pinned by digest: each tag daemon/Dockerfile names is resolved here, when
#   the image is built (docker buildx imagetools inspect), unless BUILD_BASE_DIGEST or
#   RUNTIME_BASE_DIGEST is set (rebuilding an earlier image: use the digests it recorded);
# * the commit and its time go in as REVISION and SOURCE_DATE_EPOCH: the jar carries them
#   (`meshgate version`), BuildKit stamps the image config and, with rewrite-timestamp, every
#   file of the layers with that time, so a rebuild of the commit on the same bases is the same
#   image, digest for digest.
# Needs docker with buildx and BuildKit 0.13 or later (rewrite-timestamp): a docker-container
# builder (docker buildx create --use) or Docker's containerd image store.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [[ $1 == -* ]]; then
  echo "usage: daemon/build-image.sh IMAGE[:TAG] [--push] [docker buildx build arguments]" >&2
  exit 64
fi
image=$1
shift
push=false
if [ "${1:-}" = "--push" ]; then
  push=true
  shift
fi

# the image records a commit: it must be the one whose files it was built from, so nothing the
# Dockerfile copies may differ from it, untracked files included (the build context sends them)
context=(pom.xml .mvn src deploy/crds schemas rules daemon)
if [ -n "$(git status --porcelain --untracked-files=all -- "${context[@]}")" ]; then
  echo "build-image.sh: uncommitted or untracked files in what the image is built from" \
    "(${context[*]}); commit or remove them first (the image records the commit it was built from):" >&2
  git status --short --untracked-files=all -- "${context[@]}" >&2
  exit 65
fi
revision=$(git rev-parse HEAD)
epoch=$(git log -1 --format=%ct HEAD)
# as src/build/git-commit.sh writes it for the jar (git's own formatting: no GNU date needed)
created=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)

# the default of `ARG NAME=value` in the Dockerfile: the tag to resolve
tag() {
  sed -n "s/^ARG $1=//p" daemon/Dockerfile
}

# the digest the registry serves for a tag now: its index, all platforms
digest() {
  docker buildx imagetools inspect "$1" | awk '$1 == "Digest:" { print $2; exit }'
}

build_base=$(tag BUILD_BASE)
runtime_base=$(tag RUNTIME_BASE)
build_digest=${BUILD_BASE_DIGEST:-$(digest "$build_base")}
runtime_digest=${RUNTIME_BASE_DIGEST:-$(digest "$runtime_base")}
for pinned in "$build_base@$build_digest" "$runtime_base@$runtime_digest"; do
  if [[ ! $pinned =~ @sha256:[0-9a-f]{64}$ ]]; then
    echo "build-image.sh: could not resolve ${pinned%@*} to a digest (got '${pinned#*@}')" >&2
    exit 69
  fi
done

metadata=$(mktemp)
trap 'rm -f "$metadata"' EXIT
docker buildx build \
  -f daemon/Dockerfile \
  --build-arg "BUILD_BASE_DIGEST=$build_digest" \
  --build-arg "RUNTIME_BASE_DIGEST=$runtime_digest" \
  --build-arg "REVISION=$revision" \
  --build-arg "SOURCE_DATE_EPOCH=$epoch" \
  --build-arg "CREATED=$created" \
  --output "type=image,name=$image,rewrite-timestamp=true,push=$push" \
  --metadata-file "$metadata" \
  "$@" .

echo "image:    $image"
echo "digest:   $(grep -o '"containerimage.digest": *"[^"]*"' "$metadata" | sed 's/.*"\(sha256:[^"]*\)"/\1/')"
echo "commit:   $revision ($created, SOURCE_DATE_EPOCH=$epoch)"
echo "build:    $build_base@$build_digest"
echo "runtime:  $runtime_base@$runtime_digest"
echo "rebuild:  BUILD_BASE_DIGEST=$build_digest RUNTIME_BASE_DIGEST=$runtime_digest daemon/build-image.sh IMAGE"
