#!/usr/bin/env bash
# Installs the real Prometheus/Alertmanager tools the integration tests and the demo start, and
# the headless Chromium that renders the replay's HTML report in its test.
# On a machine where we cannot install (not root, no apt-get) it says what to do and fails.
# With --prometheus-only (the demo) Alertmanager, amtool and Chromium are not needed.
set -euo pipefail
packages=(prometheus prometheus-alertmanager chromium)
tools=(prometheus promtool amtool chromium)
if [ "${1:-}" = "--prometheus-only" ]; then
  packages=(prometheus)
  tools=(prometheus)
fi
missing=()
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# Debian installs Alertmanager as prometheus-alertmanager, upstream releases as alertmanager
if [ ${#packages[@]} -gt 1 ] && ! command -v alertmanager >/dev/null 2>&1 \
    && ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  missing+=(alertmanager)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "meshgate: missing ${missing[*]}; installing Debian packages ${packages[*]}" >&2
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "meshgate: cannot install them here (needs root and apt-get)." >&2
  echo "  Run: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The packages start system services where an init system runs; our tests start their own.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
echo "meshgate: installed $(prometheus --version 2>&1 | head -1)" >&2
