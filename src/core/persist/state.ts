/**
 * What apply records in its state file for `persist status`: the last apply (when,
 * whether it wrote, whether it failed) and the drifts the watchdog restored. One
 * small JSON file, replaced atomically; a missing or unreadable file reads as
 * "nothing recorded".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertWritableFile, writeError, writeFileAtomic } from '../atomic.js';
import { errnoOf } from '../errors.js';
import { toJson } from '../json.js';

export const DEFAULT_STATE_FILE = '/var/lib/powercapctl/state.json';

export interface DriftRecord {
  at: string;
  zone: string;
  name: string | null;
  setting: string;
  /** what was read (the value something else wrote) */
  found: string | number | null;
  /** what was read back after restoring */
  restored: string | number | null;
}

export interface ApplyState {
  format: 'powercapctl-state';
  version: 1;
  profile: string | null;
  lastApply: { at: string; ok: boolean; changed: boolean; settings: number; changedSettings: number; error: string | null } | null;
  /** drifts restored since the state file was created */
  drifts: number;
  /** the latest drifts, newest last (at most 20) */
  recentDrifts: DriftRecord[];
  watch: { pid: number; startedAt: string; intervalUs: number } | null;
}

export function emptyState(profile: string | null): ApplyState {
  return { format: 'powercapctl-state', version: 1, profile, lastApply: null, drifts: 0, recentDrifts: [], watch: null };
}

export function readState(file: string): ApplyState | null {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as ApplyState;
    return doc && doc.format === 'powercapctl-state' ? doc : null;
  } catch {
    return null;
  }
}

/**
 * Before applying: refuse what updateState could never write (a folder or a non-regular file in
 * the file's place, another user's link: core/atomic.ts), so it is said instead of dropped. Its
 * folder (/var/lib/powercapctl) is made here, as updateState would.
 */
export function prepareStateFile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  } catch (err) {
    // a file where a folder should be (EEXIST, ENOTDIR) is named by the check below
    const e = errnoOf(err);
    if (e !== 'EEXIST' && e !== 'ENOTDIR') throw writeError(file, err);
  }
  assertWritableFile(file);
}

/** Update the state file; a failure to record is not a failure to apply (returns false). */
export function updateState(file: string, profile: string | null, change: (s: ApplyState) => void): boolean {
  const s = readState(file) ?? emptyState(profile);
  s.profile = profile;
  change(s);
  s.recentDrifts = s.recentDrifts.slice(-20);
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, toJson(s) + '\n');
    return true;
  } catch {
    return false;
  }
}
