// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: the D-Bus service under load. p50/p99 latency of a property read (Get State through a
// second connection) while the core streams progress as fast as it can, and the idle RSS of a
// `cairn daemon` process. Then the same against the real daemon (the real engine) during a real
// large fetch: a stream whose step is --real-mb MB of random data, served on 127.0.0.1 capped so the
// fetch lasts about --real-seconds, and the real daemon's idle RSS before and after that fetch.
// Targets: p99 <= 20 ms, RSS <= 60 MB.
//
//   node dist/bench/dbus-latency.js [--reads N] [--daemon-cmd "bin/cairn daemon"]
//                                   [--real-mb 60] [--real-seconds 10] [--no-real]
// BENCH_QUICK=1 makes the real fetch 10 MB over 3 s.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Message, sessionBus } from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { connectUpdater } from '../src/service/client';
import type { CoreOperation, UpdaterCore } from '../src/service/core';
import { CAIRN_BUS_NAME, CAIRN_INTERFACE, CAIRN_OBJECT_PATH } from '../src/service/names';
import { UpdaterService } from '../src/service/updater-service';
import { startCairn, type CairnProcess } from '../test/engine/cli';
import { makeDevice } from '../test/helpers/device';
import { RepoServer } from '../test/helpers/server';
import { ReleaseStream } from '../test/helpers/stream';
import { removeTree } from '../test/helpers/tmp';
import { waitForName } from '../test/service/bus-util';
import { POLICY, WORKING } from '../test/service/engine-daemon';
import { FakeCore } from '../test/service/fake-core';
import { launchPrivateBus } from '../test/service/private-bus';

const P99_TARGET_MS = 20;
const RSS_TARGET_MB = 60;
const MB = 1_000_000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function connected(address: string): Promise<MessageBus> {
  const bus = sessionBus({ busAddress: address });
  await new Promise<void>((resolve, reject) => {
    bus.once('connect', resolve);
    bus.once('error', reject);
  });
  return bus;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  reads: number;
}

/** Times Get(State) calls, one after the other (`gapMs` apart), until `done(count)`; sorted, in ms. */
async function timeStateReads(
  reader: MessageBus,
  done: (count: number) => boolean,
  gapMs = 0,
): Promise<number[]> {
  const times: number[] = [];
  while (!done(times.length)) {
    const started = performance.now();
    await reader.call(
      new Message({
        destination: CAIRN_BUS_NAME,
        path: CAIRN_OBJECT_PATH,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Get',
        signature: 'ss',
        body: [CAIRN_INTERFACE, 'State'],
      }),
    );
    times.push(performance.now() - started);
    if (gapMs > 0) await sleep(gapMs);
  }
  return times.sort((a, b) => a - b);
}

function summarize(sorted: number[]): Latency {
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    reads: sorted.length,
  };
}

/** Serves `core` on `address`, starts `op` and times `reads` Get(State) calls while it runs. */
export async function measureReadLatency(
  address: string,
  core: UpdaterCore,
  op: CoreOperation,
  reads: number,
): Promise<{ p50: number; p99: number; max: number; progressSignals: number; stillRunning: boolean }> {
  const service = await UpdaterService.start(core, { busAddress: address, log: () => undefined });
  const client = await connectUpdater({ busAddress: address });
  const reader = await connected(address);
  let progressSignals = 0;
  client.waitForState(() => false, { onChange: () => progressSignals++ }).catch(() => undefined);
  try {
    await client.call(
      op === 'fetch' ? 'Fetch' : op === 'check' ? 'Check' : op === 'deploy' ? 'Deploy' : 'Update',
    );
    const times = await timeStateReads(reader, (i) => i >= reads);
    return { ...summarize(times), progressSignals, stillRunning: service.busy };
  } finally {
    reader.disconnect();
    client.close();
    await service.stop();
  }
}

async function vmRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** Starts a daemon command on `address`, lets it idle, and reads its VmRSS in MB. */
export async function measureIdleRss(address: string, command: string[]): Promise<number> {
  const [cmd, ...args] = command;
  const child = spawn(cmd, [...args, '--idle-exit', '0'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address },
    stdio: 'ignore',
  });
  try {
    await sleep(3000);
    if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
    return await vmRssMb(child.pid as number);
  } finally {
    child.kill('SIGTERM');
  }
}

export interface RealFetchOptions {
  /** Size of the step's random payload. */
  bytes: number;
  /** The bandwidth cap makes the fetch last about this long. */
  seconds: number;
  /** Time between two reads: a busy client, not a flood. */
  gapMs: number;
}

export interface RealFetchResult extends Latency {
  fetchSeconds: number;
  bytesServed: number;
  finalState: string;
  progressSignals: number;
  idleRssBeforeMb: number;
  idleRssAfterMb: number;
}

const IDLE_MS = 3000;

/** A stream whose step v1 -> v2 carries `bytes` of random data in 5 MB files, and a device on v1. */
async function realBench(dir: string, bytes: number) {
  const stream = await ReleaseStream.create(path.join(dir, 'server'));
  const v1 = await stream.commit({ ref: 'os/stable', version: '1' });
  const files = Math.ceil(bytes / (5 * MB));
  const payload = Array.from({ length: files }, (_, i) => ({
    path: `usr/share/bench/part-${i}.bin`,
    size: Math.ceil(bytes / files),
    random: true,
    seed: `part-${i}`,
  }));
  await stream.commit({ ref: 'os/stable', version: '2', payload });
  await stream.summary();
  const server = await RepoServer.start(stream.repoPath);
  const device = await makeDevice(path.join(dir, 'device'), {
    remoteUrl: server.url,
    ref: 'os/stable',
    commit: v1,
  });
  const config = path.join(dir, 'cairn.conf');
  await writeFile(config, ''); // the host's /etc/cairn stays out of the measurement
  return { server, device, config };
}

async function stopProcess(daemon: CairnProcess): Promise<void> {
  daemon.child.kill('SIGTERM');
  await daemon.done.catch(() => undefined);
}

/**
 * The real `cairn daemon` on `address` for a fresh device: its idle RSS, then Get(State) latency
 * through a second connection during a real, bandwidth-capped Update, then its idle RSS again.
 */
export async function measureRealDaemon(
  address: string,
  dir: string,
  opts: RealFetchOptions,
): Promise<RealFetchResult> {
  const { server, device, config } = await realBench(dir, opts.bytes);
  const daemon = startCairn(['--sysroot', device.sysroot, '--config', config, 'daemon', '--idle-exit', '0'], {
    env: { DBUS_SYSTEM_BUS_ADDRESS: address },
    timeoutMs: 10 * 60_000,
  });
  const reader = await connected(address);
  try {
    await waitForName(reader, CAIRN_BUS_NAME);
    await sleep(IDLE_MS);
    const pid = daemon.child.pid as number;
    const idleRssBeforeMb = await vmRssMb(pid);
    server.faults = { bandwidthBytesPerSec: Math.round(opts.bytes / opts.seconds) };
    server.resetCounters();
    const client = await connectUpdater({ busAddress: address });
    let progressSignals = 0;
    let working = true;
    const started = performance.now();
    try {
      await client.call('Update');
      // Waited for after the call: until then the state is the idle one from before.
      const end = client.waitForState((p) => !WORKING.includes(p.state), {
        onChange: () => progressSignals++,
      });
      end.finally(() => (working = false)).catch(() => undefined);
      const times = await timeStateReads(reader, () => !working, opts.gapMs);
      const finalState = (await end).state;
      const fetchSeconds = (performance.now() - started) / 1000;
      await sleep(IDLE_MS);
      return {
        ...summarize(times),
        fetchSeconds,
        bytesServed: server.bytesServed,
        finalState,
        progressSignals,
        idleRssBeforeMb,
        idleRssAfterMb: await vmRssMb(pid),
      };
    } finally {
      client.close();
    }
  } finally {
    reader.disconnect();
    await stopProcess(daemon);
    await server.close();
  }
}

async function main(): Promise<void> {
  const reads = Number(option('--reads', '2000'));
  const fixture = path.join(__dirname, '../test/service/fixtures/daemon-main.js');
  const daemonCmd = option('--daemon-cmd', `${process.execPath} ${fixture} daemon`).split(' ');
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-bench-dbus-'));
  await chmod(dir, 0o755);
  const bus = await launchPrivateBus(dir, POLICY);
  try {
    // A fetch that reports progress every millisecond for far longer than the reads take.
    const core = new FakeCore({ stepMs: 1, tickMs: 1, fetchTicks: 1_000_000, downloadSize: 10_000_000_000n });
    await core.check();
    const latency = await measureReadLatency(bus.address, core, 'fetch', reads);
    console.log(`dbus-latency: Get(State) during a progress stream, ${reads} reads`);
    console.log(
      `  p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms`,
    );
    console.log(
      `  PropertiesChanged seen by a watcher: ${latency.progressSignals}; fetch still running: ${latency.stillRunning}`,
    );
    console.log(`  target p99 <= ${P99_TARGET_MS} ms: ${latency.p99 <= P99_TARGET_MS ? 'met' : 'MISSED'}`);
    const rss = await measureIdleRss(bus.address, daemonCmd);
    console.log(`dbus-latency: idle RSS of '${daemonCmd.join(' ')}': ${rss.toFixed(1)} MB`);
    console.log(`  target <= ${RSS_TARGET_MB} MB: ${rss <= RSS_TARGET_MB ? 'met' : 'MISSED'}`);
  } finally {
    bus.stop();
    await removeTree(dir);
  }
  if (!process.argv.includes('--no-real')) await realMain();
}

/** The real daemon during a real fetch, on a bus of its own. */
async function realMain(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const opts: RealFetchOptions = {
    bytes: Number(option('--real-mb', quick ? '10' : '60')) * MB,
    seconds: Number(option('--real-seconds', quick ? '3' : '10')),
    gapMs: 5,
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-bench-dbus-real-'));
  await chmod(dir, 0o755);
  const bus = await launchPrivateBus(dir, POLICY);
  try {
    const real = await measureRealDaemon(bus.address, dir, opts);
    console.log(
      `dbus-latency: real daemon, Get(State) every ${opts.gapMs} ms during a real Update of ${opts.bytes / MB} MB capped to ~${opts.seconds} s`,
    );
    console.log(
      `  update took ${real.fetchSeconds.toFixed(1)} s (${(real.bytesServed / MB).toFixed(1)} MB served), ended in state ${real.finalState}`,
    );
    console.log(
      `  ${real.reads} reads: p50 ${real.p50.toFixed(2)} ms, p99 ${real.p99.toFixed(2)} ms, max ${real.max.toFixed(2)} ms`,
    );
    console.log(`  PropertiesChanged seen by a watcher: ${real.progressSignals}`);
    console.log(`  target p99 <= ${P99_TARGET_MS} ms: ${real.p99 <= P99_TARGET_MS ? 'met' : 'MISSED'}`);
    console.log(
      `dbus-latency: real daemon idle RSS: ${real.idleRssBeforeMb.toFixed(1)} MB before the fetch, ${real.idleRssAfterMb.toFixed(1)} MB after it`,
    );
    const worst = Math.max(real.idleRssBeforeMb, real.idleRssAfterMb);
    console.log(`  target <= ${RSS_TARGET_MB} MB: ${worst <= RSS_TARGET_MB ? 'met' : 'MISSED'}`);
  } finally {
    bus.stop();
    await removeTree(dir);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
