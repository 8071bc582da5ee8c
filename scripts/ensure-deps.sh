#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what `npm test` and `npm run demo` need on a fresh Debian 12 machine, and nothing when it is
# all there already: system packages (as root or through sudo), npm dependencies, the native addon.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ostree libostree-dev pkg-config build-essential python3 dbus gnupg e2fsprogs util-linux systemd)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "cairn: installing system packages: ${missing[*]}"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "cairn: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

if [ ! -f build/Release/cairn_native.node ] || [ -n "$(find native binding.gyp -newer build/Release/cairn_native.node 2>/dev/null | head -1)" ]; then
  echo "cairn: building the native addon"
  npm run --silent build:native
fi
