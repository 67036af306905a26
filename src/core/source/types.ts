/**
 * One source interface: list a directory, read an attribute as text or an errno,
 * write an attribute. A live sysfs tree and a snapshot file both implement it;
 * everything above (zone model, set-limit, DTPM, watch) is the same code for both.
 * Paths are relative to the source's root, '/'-separated, '' for the root itself.
 */
import type { DriverFacts } from './drivers.js';

export type ReadResult = { ok: true; text: string } | { ok: false; errno: string };

/** where the kernel puts the powercap class */
export const DEFAULT_ROOT = '/sys/class/powercap';

export type EntryKind = 'dir' | 'file' | 'link';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export type SourceInfo =
  | { kind: 'live'; root: string }
  | { kind: 'snapshot'; file: string };

export interface Source {
  readonly info: SourceInfo;
  /** entries of a directory, or null when it does not exist */
  list(rel: string): DirEntry[] | null;
  /** whether rel resolves to a directory (following a symbolic link) */
  isDir(rel: string): boolean;
  /** an attribute's raw text (with the kernel's trailing newline) or the errno its read gave */
  read(rel: string): ReadResult;
  /** write an attribute; throws SysfsError carrying the errno on refusal */
  write(rel: string, text: string): void;
  /** what the drivers know and sysfs does not show (a snapshot's record, source/drivers.ts); undefined when unknown */
  readonly drivers?: DriverFacts | undefined;
}

export function joinRel(...parts: string[]): string {
  // the common case, a directory and a name, without the array work (30 000 calls on a big tree)
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return a === '' ? b : b === '' ? a : a + '/' + b;
  }
  return parts.filter((p) => p !== '').join('/');
}
