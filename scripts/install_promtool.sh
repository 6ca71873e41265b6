#!/usr/bin/env bash
# promtool for the metrics tests (`promtool check metrics` on every service's /metrics), from
# Debian's prometheus package: only the binary is unpacked, to $1 (default .venv/bin/promtool),
# because installing the package would also set up and start a Prometheus server.
# Nothing to do when promtool is already there or on PATH.
set -euo pipefail
dest=${1:-.venv/bin/promtool}
if [ -x "$dest" ] || command -v promtool > /dev/null; then
  exit 0
fi
sandbox=()
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq
  sandbox=(-o APT::Sandbox::User=root)  # root downloads into a private temporary folder
elif command -v sudo > /dev/null; then
  sudo apt-get update -qq
fi  # without root or sudo: the package lists as they are
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "${sandbox[@]}" prometheus)
dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -xO ./usr/bin/promtool > "$work/promtool"
mkdir -p "$(dirname "$dest")"
install -m 755 "$work/promtool" "$dest"
"$dest" --version | head -n 1
