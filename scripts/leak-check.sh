#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a small driver that exercises every part of the native addon (repo reads, variant conversion,
# errors, pull with progress and cancellation, summary, deltas, sysroot reads) under valgrind memcheck,
# then judges only "definitely lost" blocks allocated through cairn_native frames.
# Usage: bash scripts/leak-check.sh   (needs a built addon: npm run build:native)
# LEAK_LOG=FILE keeps the full valgrind log.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v valgrind >/dev/null; then
  echo "valgrind is missing: apt-get install -y valgrind" >&2
  exit 2
fi
work="$(mktemp -d /tmp/cairn-leak-XXXXXX)"
trap 'chattr -R -f -i "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# Fixtures: an archive repo with two commits, a static delta and a summary.
mkdir -p "$work/tree/usr/lib/modules/1" "$work/tree/usr/share"
echo 'ID=leakos' >"$work/tree/usr/lib/os-release"
head -c 300000 /dev/urandom >"$work/tree/usr/share/a.bin"
ostree init --repo="$work/server" --mode=archive
c1=$(ostree commit --repo="$work/server" -b os/stable --add-metadata=k.t='uint64 5' \
  --add-metadata=k.d="{'a': <['x']>}" --generate-sizes "$work/tree")
head -c 200000 /dev/urandom >"$work/tree/usr/share/b.bin"
c2=$(ostree commit --repo="$work/server" -b os/stable --generate-sizes "$work/tree")
ostree static-delta generate --repo="$work/server" --from="$c1" --to="$c2" --disable-bsdiff >/dev/null
ostree summary --repo="$work/server" -u

cat >"$work/driver.js" <<'JS'
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const [root, work, c1, c2] = process.argv.slice(2);
const native = require(path.join(root, 'build/Release/cairn_native.node'));
class OstreeError extends Error {
  constructor(m, domain, code, gcode) { super(m); Object.assign(this, { domain, code, gcode }); }
}
native.setErrorClass(OstreeError);
const serverRoot = path.join(work, 'server');
const server = http.createServer((req, res) => {
  fs.readFile(path.join(serverRoot, decodeURIComponent(req.url)), (err, data) => {
    if (err) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-length': data.length }); res.end(data);
  });
});
const expectThrow = (fn) => { try { fn(); } catch { return; } throw new Error('expected a throw'); };
(async () => {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const src = native.repoOpen(serverRoot);
  for (let i = 0; i < 20; i++) {
    src.loadCommit(c1); src.listRefs(null); src.resolveRev('os/stable', false); src.commitSizes(c2);
    src.hasObject('commit', c1); src.localDelta(c1, c2); src.localDelta(null, c1);
    expectThrow(() => src.loadCommit('0'.repeat(64)));
    expectThrow(() => src.parseDeltaSuperblock(Buffer.from('junk')));
  }
  for (let i = 0; i < 3; i++) {
    const client = native.repoCreate(path.join(work, `client${i}`), 'archive');
    client.remoteAdd('origin', url, { 'gpg-verify': false });
    client.remoteGetOption('origin', 'gpg-verify', null); client.remoteList();
    await client.fetchSummary('origin', null);
    await client.pull('origin', { refs: ['os/stable'], progressIntervalMs: 0 }, () => {}, null);
    const cancelled = new native.Cancellable(); cancelled.cancel();
    await client.pull('origin', { refs: ['os/stable'] }, null, cancelled).catch(() => {});
    await client.pull('origin', { refs: ['os/missing'] }, null, null).catch(() => {});
  }
  const sysroot = native.sysrootOpen(path.join(work, 'sysroot'));
  sysroot.ensureInitialized(); sysroot.load(); sysroot.osInit('leakos');
  sysroot.deployments(); sysroot.tryLock(); sysroot.unlock(); await sysroot.lock(); sysroot.unlock();
  await sysroot.cleanup();
  native.drainLog();
  server.close();
})().catch((e) => { console.error(e); process.exit(1); });
JS

mkdir -p "$work/sysroot"
log="$work/valgrind.log"
echo "Running the driver under valgrind (this takes a minute or two)..."
G_SLICE=always-malloc G_DEBUG=gc-friendly OSTREE_SYSROOT_DEBUG=mutable-deployments \
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --num-callers=40 \
  --suppressions="$root/scripts/valgrind.supp" --log-file="$log" \
  node "$work/driver.js" "$root" "$work" "$c1" "$c2"

# Each record is a paragraph; keep definite losses and memory errors that pass through the addon.
ours=$(awk -v RS= '(/definitely lost in loss record/ || /Invalid (read|write|free)|uninitialised/) && /cairn_native/' "$log")
[ -n "${LEAK_LOG:-}" ] && cp "$log" "$LEAK_LOG"
summary=$(grep -E 'definitely lost:|indirectly lost:|ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== *//')
echo "$summary"
if [ -n "$ours" ]; then
  echo "$ours"
  echo "VERDICT: LEAK - definitely lost blocks or memory errors with cairn_native frames (above)"
  exit 1
fi
echo "VERDICT: CLEAN - no definitely lost blocks or memory errors through cairn_native"
