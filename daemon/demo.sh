#!/usr/bin/env bash
# The README's demo command: builds meshgate with the Maven wrapper, installs Prometheus when it
# is missing (Debian/Ubuntu, as root; otherwise it says what to run), then runs `meshgate demo`.
# Arguments go to the demo: daemon/demo.sh --scenario latency-regression
set -euo pipefail
cd "$(dirname "$0")/.."
bash daemon/ensure-tools.sh --prometheus-only
echo "meshgate: building target/meshgate.jar" >&2
./mvnw -B -q -DskipTests package
exec java -jar target/meshgate.jar demo "$@"
