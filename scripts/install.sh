#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs a built checkout of cairn onto a system (or into DESTDIR for packaging):
#   PREFIX/lib/cairn/                 dist/src, production node_modules, the native addon, package.json
#   PREFIX/bin/cairn                  wrapper running node on PREFIX/lib/cairn/bin/cairn
#   PREFIX/lib/systemd/system/        units (+ a cairn-update.timer drop-in when a schedule is given)
#   PREFIX/share/dbus-1/system.d/     bus policy (admin group rewritten), system-services/ activation
#                                     file, interfaces/ introspection XML
#   PREFIX/lib/sysusers.d/cairn.conf  creates the admin group
#   PREFIX/lib/cairn/cairn.conf.d/00-defaults.conf  the commented default configuration
# Environment:
#   PREFIX=/usr  DESTDIR=  ADMIN_GROUP=cairn-admin
#   BUILD_DIR=dist          the tsc output holding src/ (npm run build)
#   NATIVE_ADDON=build/Release/cairn_native.node   ('' to install without it, e.g. in tests)
#   NODE_BIN=$(command -v node)
#   UPDATE_INTERVAL, UPDATE_BOOT_DELAY, UPDATE_RANDOM_DELAY   systemd time spans for cairn-update.timer
#                           (OnUnitActiveSec, OnBootSec, RandomizedDelaySec); unset keeps the defaults
# With an empty DESTDIR it also creates the group and reloads systemd and D-Bus.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr}
DESTDIR=${DESTDIR:-}
ADMIN_GROUP=${ADMIN_GROUP:-cairn-admin}
BUILD_DIR=${BUILD_DIR:-dist}
NATIVE_ADDON=${NATIVE_ADDON-build/Release/cairn_native.node}
NODE_BIN=${NODE_BIN:-$(command -v node)}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

[[ "$ADMIN_GROUP" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "ADMIN_GROUP '$ADMIN_GROUP' is not a valid group name"
[ -f "$BUILD_DIR/src/cli/main.js" ] || die "$BUILD_DIR/src/cli/main.js is missing: run 'npm run build' first"
[ -z "$NATIVE_ADDON" ] || [ -f "$NATIVE_ADDON" ] || die "$NATIVE_ADDON is missing: run 'npm run build:native'"

root="$DESTDIR$PREFIX"
lib="$root/lib/cairn"
units="$root/lib/systemd/system"
dbus="$root/share/dbus-1"

# The program: compiled sources, package.json, the bin script and production dependencies only.
rm -rf "$lib/dist" "$lib/node_modules"
install -d "$lib/dist" "$lib/bin" "$lib/cairn.conf.d" "$root/bin"
cp -a "$BUILD_DIR/src" "$lib/dist/"
install -m 0644 package.json "$lib/package.json"
install -m 0755 bin/cairn "$lib/bin/cairn"
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r dep; do
  cp -a --parents "${dep#"$PWD"/}" "$lib/"
done
if [ -n "$NATIVE_ADDON" ]; then
  install -D -m 0755 "$NATIVE_ADDON" "$lib/build/Release/cairn_native.node"
fi
cat >"$root/bin/cairn" <<WRAPPER
#!/bin/sh
# cairn, installed by scripts/install.sh
exec "$NODE_BIN" "$PREFIX/lib/cairn/bin/cairn" "\$@"
WRAPPER
chmod 0755 "$root/bin/cairn"

# Units, bus files: the paths inside them follow PREFIX.
with_prefix() { sed "s#/usr/bin/cairn#$PREFIX/bin/cairn#g" "$1"; }
install -d "$units" "$dbus/system.d" "$dbus/system-services" "$dbus/interfaces" "$root/lib/sysusers.d"
for unit in cairn.service cairn-boot-hooks.service cairn-update.service cairn-update.timer; do
  with_prefix "systemd/$unit" >"$units/$unit"
  chmod 0644 "$units/$unit"
done
with_prefix systemd/org.cairn.Updater1.service >"$dbus/system-services/org.cairn.Updater1.service"
sed "s#group=\"cairn-admin\"#group=\"$ADMIN_GROUP\"#g" systemd/org.cairn.Updater1.conf >"$dbus/system.d/org.cairn.Updater1.conf"
install -m 0644 systemd/org.cairn.Updater1.xml systemd/com.endlessm.Updater.xml "$dbus/interfaces/"
chmod 0644 "$dbus/system-services/org.cairn.Updater1.service" "$dbus/system.d/org.cairn.Updater1.conf"
printf '# Members may call the methods of org.cairn.Updater1 (see the D-Bus policy).\ng %s -\n' "$ADMIN_GROUP" \
  >"$root/lib/sysusers.d/cairn.conf"

# The timer schedule lives in a drop-in, so the shipped unit stays as it is.
dropin="$units/cairn-update.timer.d/10-schedule.conf"
rm -f "$dropin"
if [ -n "${UPDATE_INTERVAL:-}${UPDATE_BOOT_DELAY:-}${UPDATE_RANDOM_DELAY:-}" ]; then
  install -d "$(dirname "$dropin")"
  {
    echo '# Written by scripts/install.sh'
    echo '[Timer]'
    if [ -n "${UPDATE_BOOT_DELAY:-}" ]; then echo 'OnBootSec='; echo "OnBootSec=$UPDATE_BOOT_DELAY"; fi
    if [ -n "${UPDATE_INTERVAL:-}" ]; then echo 'OnUnitActiveSec='; echo "OnUnitActiveSec=$UPDATE_INTERVAL"; fi
    if [ -n "${UPDATE_RANDOM_DELAY:-}" ]; then echo "RandomizedDelaySec=$UPDATE_RANDOM_DELAY"; fi
  } >"$dropin"
fi

cat >"$lib/cairn.conf.d/00-defaults.conf" <<'CONF'
# cairn default configuration (shipped; do not edit).
# Override in /etc/cairn/cairn.conf or /etc/cairn/cairn.conf.d/*.conf: files in /etc win.
# Every setting below is commented out and shows its default.
CONF
chmod 0644 "$lib/cairn.conf.d/00-defaults.conf"

if [ -z "$DESTDIR" ]; then
  command -v systemd-sysusers >/dev/null && systemd-sysusers "$root/lib/sysusers.d/cairn.conf" || true
  command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
  command -v busctl >/dev/null && busctl call org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus ReloadConfig 2>/dev/null || true
fi
echo "cairn installed into ${DESTDIR:-/}${DESTDIR:+ }(prefix $PREFIX)"
