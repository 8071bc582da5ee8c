// SPDX-License-Identifier: LGPL-2.1-or-later
// The fetch layer's public surface.
export { ResumeRelay } from './relay';
export type { RelayStats, RelayTlsOptions, ResumeRelayOptions } from './relay';
export { clearRelayCache } from './clear';
