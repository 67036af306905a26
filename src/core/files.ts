/**
 * Reading a file the user named (a snapshot, a description, an OPP table, a device tree): one
 * place that turns the errno into the exit code, so every command answers alike:
 * missing → 3, a directory → 2, no permission → 4, anything else → 1; and one place that
 * reads only regular files, with a size cap (docs/security.md).
 */
import * as fs from 'node:fs';
import { errnoOf, Exit, exitForErrno, PowercapError, type Reason } from './errors.js';

export interface UserFileWhat {
  /** what the file is, for "… not found: FILE" (default 'file') */
  what?: string;
  /** the hint given when the file is missing */
  hint?: string;
  /** the hint given when it is a directory */
  dirHint?: string;
  /** what a directory in its place is about, for the CLI's wording of the way out (cli/hints.ts) */
  dirReason?: Reason;
  /** the largest size read (default USER_FILE_MAX_BYTES); past it: exit 6 */
  maxBytes?: number;
}

/** The largest file readUserFile() takes unless told otherwise (a snapshot of 4096 zones is ~10 MiB). */
export const USER_FILE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Read a file a user named. Only a regular file is read: it is opened non-blocking and fstat'ed
 * first, so a FIFO, a terminal or a device (/dev/zero, /dev/urandom) is refused by name instead
 * of hanging or eating memory; and no more than `maxBytes` of it (exit 6 past that).
 */
export function readUserFile(file: string, w: UserFileWhat | string = {}): string {
  return readUserBytes(file, w).toString('utf8');
}

/** readUserFile's bytes, for binary inputs (a .dtb): the same checks, caps and messages. */
export function readUserBytes(file: string, w: UserFileWhat | string = {}): Buffer {
  const o = typeof w === 'string' ? { hint: w } : w;
  const max = o.maxBytes ?? USER_FILE_MAX_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    throw userFileError(file, err, o);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw userFileError(file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), o);
    // /dev/null is the empty file by convention (a kernel log given as /dev/null): nothing to read
    if (st.isCharacterDevice() && st.rdev === devNullRdev()) return Buffer.alloc(0);
    if (!st.isFile()) {
      throw new PowercapError(Exit.USAGE, `${file} is ${kindOf(st)}, not a regular file: refused to read it as ${article(o.what ?? 'file')}`);
    }
    if (st.size > max) throw tooLarge(file, o, max);
    // read to the end, not to st.size: a file may grow while it is read, and stays capped
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(max + 1, Math.max(st.size + 1, 64 * 1024)));
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw tooLarge(file, o, max);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof PowercapError) throw err;
    throw userFileError(file, err, o);
  } finally {
    fs.closeSync(fd);
  }
}

let devNull: number | undefined;
const devNullRdev = (): number => {
  try { devNull ??= fs.statSync('/dev/null').rdev; } catch { devNull = -1; }
  return devNull;
};

const article = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function tooLarge(file: string, o: UserFileWhat, max: number): PowercapError {
  return new PowercapError(Exit.INVALID_DATA, `${file} is larger than ${max} bytes, the most powercapctl reads as ${article(o.what ?? 'file')}: refused`,
    'see docs/security.md for the size limits');
}

/** The error readUserFile() throws for `err` (exported for readers that stat or open themselves). */
export function userFileError(file: string, err: unknown, o: UserFileWhat = {}): PowercapError {
  const e = errnoOf(err);
  const what = o.what ?? 'file';
  const code = exitForErrno(e);
  if (code === Exit.NOT_FOUND) return new PowercapError(code, `${what} not found: ${file}`, o.hint);
  if (e === 'EISDIR') return new PowercapError(code, `${file} is a directory, not ${article(what)}`, o.dirHint, { reason: o.dirReason });
  if (code === Exit.PERMISSION) return new PowercapError(code, `cannot read ${what} ${file}: permission denied`);
  return new PowercapError(code, `cannot read ${what} ${file}: ${e}`);
}

/**
 * Whether `p` is there but is not a folder (a file named where a tree is expected), as stat(2)
 * sees it through links; false when it is a folder or is missing.
 */
export function isNonDirectory(p: string): boolean {
  try {
    return !fs.statSync(p).isDirectory();
  } catch (err) {
    return errnoOf(err) === 'ENOTDIR'; // a file on the way: /etc/passwd/x
  }
}
