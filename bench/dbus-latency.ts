// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: the D-Bus service under load. p50/p99 latency of a property read (Get State through a
// second connection) while the core streams progress as fast as it can, and the idle RSS of a
// `cairn daemon` process. Targets: p99 <= 20 ms, RSS <= 60 MB.
//
//   node dist/bench/dbus-latency.js [--reads N] [--daemon-cmd "bin/cairn daemon"]
//
// Hooks for the real engine: `measureReadLatency(core, op)` takes any UpdaterCore, so a run over a
// real large fetch is `measureReadLatency(await makeEngineCore(...), 'fetch')` once the engine exists;
// `--daemon-cmd` measures the RSS of the real daemon instead of the test double's.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Message, sessionBus } from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { connectUpdater } from '../src/service/client';
import type { CoreOperation, UpdaterCore } from '../src/service/core';
import { CAIRN_BUS_NAME, CAIRN_INTERFACE, CAIRN_OBJECT_PATH } from '../src/service/names';
import { UpdaterService } from '../src/service/updater-service';
import { removeTree } from '../test/helpers/tmp';
import { FakeCore } from '../test/service/fake-core';
import { launchPrivateBus } from '../test/service/private-bus';

const P99_TARGET_MS = 20;
const RSS_TARGET_MB = 60;

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
    const times: number[] = [];
    for (let i = 0; i < reads; i++) {
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
    }
    const stillRunning = service.busy;
    times.sort((a, b) => a - b);
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times[times.length - 1],
      progressSignals,
      stillRunning,
    };
  } finally {
    reader.disconnect();
    client.close();
    await service.stop();
  }
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
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const reads = Number(option('--reads', '2000'));
  const fixture = path.join(__dirname, '../test/service/fixtures/daemon-main.js');
  const daemonCmd = option('--daemon-cmd', `${process.execPath} ${fixture} daemon`).split(' ');
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-bench-dbus-'));
  await chmod(dir, 0o755);
  const bus = await launchPrivateBus(dir);
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
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
