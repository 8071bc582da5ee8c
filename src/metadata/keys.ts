// SPDX-License-Identifier: LGPL-2.1-or-later
// Commit and summary metadata keys: the contract between a publisher and the planner
// (DESIGN.md §2). Anything that reads or writes these names imports them from here.

/** `b`: this commit is a mandatory checkpoint within its ref's history. */
export const CHECKPOINT = 'cairn.checkpoint';
/** `s`: human-readable reason for a checkpoint. */
export const CHECKPOINT_REASON = 'cairn.checkpoint-reason';
/**
 * `s`: checksum of the nearest strictly older checkpoint in this commit's history; the empty string
 * means there is none. An absent key means unknown (history written before pointers): walk parents.
 */
export const PREVIOUS_CHECKPOINT = 'cairn.previous-checkpoint';
/** `s`: eos-updater compatible ref rename; the tip carrying it is a checkpoint. */
export const CHECKPOINT_TARGET = 'eos.checkpoint-target';
/** `s`: upstream OSTree redirect to another ref, no boot needed. */
export const ENDOFLIFE_REBASE = 'ostree.endoflife-rebase';
/** `s`: end-of-life message shown to the user. */
export const ENDOFLIFE = 'ostree.endoflife';
/** `s`: display version. */
export const VERSION = 'version';
/** Summary metadata `a{sas}`: ref to its checkpoint commits, oldest first (a hint, not the truth). */
export const SUMMARY_CHECKPOINTS = 'cairn.checkpoints';
/** Directory, inside a deployment, holding boot hooks (DESIGN.md §4). */
export const BOOT_HOOKS_DIR = 'usr/lib/cairn/boot-hooks.d';
