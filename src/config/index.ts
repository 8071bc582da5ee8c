// SPDX-License-Identifier: LGPL-2.1-or-later
// cairn's configuration: /etc/cairn/cairn.conf and drop-ins (DESIGN.md §7; options in ./options.ts).
export { loadConfig, type ConfigWarning, type LoadConfigOptions, type LoadedConfig } from './load';
export {
  defaultConfig,
  UPDATE_POLICIES,
  type Config,
  type FreeSpaceMargin,
  type UpdatePolicy,
} from './options';
export { parseDuration } from './units';
