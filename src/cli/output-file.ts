/**
 * A file a command creates (snapshot save, profile save, dtpm new), checked before any work so
 * every command answers alike (spec/cli.md "Exit codes"): a file already there without --force,
 * or a folder in its place, is a usage error (2); a missing folder 3; a read-only file 4; another
 * user's link in a shared folder 1 (core/atomic.ts says which, this says what to do).
 */
import { assertWritableFile } from '../core/atomic.js';
import { usageError } from '../core/errors.js';

export function checkNewFile(file: string, force: boolean): void {
  if (assertWritableFile(file) && !force) throw usageError(`${file} exists: nothing was written`, 'use --force to replace it');
}
