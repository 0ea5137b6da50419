#!/usr/bin/env bash
# Writes git.commit.id and git.commit.time (ISO 8601, UTC) of the checkout to the file $1, as Java
# properties, for the build (pom.xml: `meshgate version` and project.build.outputTimestamp).
# Without a checkout of this project (a source tarball, the image build) or without git, the file
# is empty: the build goes on and `meshgate version` says "unknown".
set -euo pipefail
out=$1
basedir=$(cd "$(dirname "$0")/../.." && pwd -P)
mkdir -p "$(dirname "$out")"
# a tarball unpacked inside another repository must not report that repository's commit
if [ "$(git -C "$basedir" rev-parse --show-toplevel 2>/dev/null)" = "$basedir" ]; then
  {
    echo "git.commit.id=$(git -C "$basedir" rev-parse HEAD)"
    echo "git.commit.time=$(TZ=UTC git -C "$basedir" log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)"
  } >"$out"
else
  : >"$out"
fi
