// SPDX-License-Identifier: LGPL-2.1-or-later
// Where the engine meets the planner: plan from the device's current deployment against its remote
// (or the configured URL override), and tell the fetcher which server to use.
import type { RelayTlsOptions } from '../fetch';
import { planFromRemote, type Plan } from '../planner';
import type { Device } from './device';
import type { EngineSettings } from './settings';

export async function planDevice(
  device: Device,
  settings: EngineSettings,
  signal: AbortSignal,
): Promise<Plan> {
  return planFromRemote(
    device.repo,
    { currentCommit: device.current.checksum, ref: device.ref, remote: device.remote },
    { signal, overrideUrl: settings.urlOverride ?? undefined },
  );
}

export interface Upstream {
  url: string;
  tls?: RelayTlsOptions;
}

/** The server a fetch talks to, with the remote's TLS options (the relay honours them). */
export function upstreamOf(device: Device, settings: EngineSettings): Upstream {
  const { repo, remote } = device;
  const url = settings.urlOverride ?? repo.remoteGetUrl(remote);
  const option = (key: string) => repo.remoteGetOption(remote, key, null) ?? undefined;
  return {
    url,
    tls: {
      caPath: option('tls-ca-path'),
      clientCertPath: option('tls-client-cert-path'),
      clientKeyPath: option('tls-client-key-path'),
      insecure: repo.remoteGetBooleanOption(remote, 'tls-permissive', false),
    },
  };
}
