/**
 * Reading a file the user named (a snapshot, a description, an OPP table, a device tree): one
 * place that turns the errno into the exit code, so every command answers alike:
 * missing → 3, a directory → 2, no permission → 4, anything else → 1.
 */
import * as fs from 'node:fs';
import { errnoOf, Exit, PowercapError } from './errors.js';

export interface UserFileWhat {
  /** what the file is, for "… not found: FILE" (default 'file') */
  what?: string;
  /** the hint given when the file is missing */
  hint?: string;
  /** the hint given when it is a directory */
  dirHint?: string;
}

export function readUserFile(file: string, w: UserFileWhat | string = {}): string {
  const o = typeof w === 'string' ? { hint: w } : w;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw userFileError(file, err, o);
  }
}

/** The error readUserFile() throws for `err` (exported for readers that stat or open themselves). */
export function userFileError(file: string, err: unknown, o: UserFileWhat = {}): PowercapError {
  const e = errnoOf(err);
  const what = o.what ?? 'file';
  if (e === 'ENOENT' || e === 'ENOTDIR') return new PowercapError(Exit.NOT_FOUND, `${what} not found: ${file}`, o.hint);
  if (e === 'EISDIR') return new PowercapError(Exit.USAGE, `${file} is a directory, not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`, o.dirHint);
  if (e === 'EACCES' || e === 'EPERM') return new PowercapError(Exit.PERMISSION, `cannot read ${what} ${file}: permission denied`);
  return new PowercapError(Exit.FAILED, `cannot read ${what} ${file}: ${e}`);
}
