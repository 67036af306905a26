/**
 * The one atomic writer, for every file the tool writes (snapshots, SVGs, textfiles, recordings,
 * profiles, persist files): a temporary file next to the target, every byte checked as written,
 * fsync, rename, fsync of the directory. A failed or interrupted write leaves the old file as it
 * was and no temporary file behind. A symbolic link is written through (the link stays, its
 * target is replaced) where the kernel's protected_symlinks rule would follow it, and refused
 * where it would not (writeTarget); an existing file keeps its mode and, when root rewrites it,
 * its owner. What cannot be replaced is refused before anything is written (checkTarget).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PowercapError, Exit, errnoOf, exitForErrno } from './errors.js';

/**
 * Refuse early what a write to `file` would refuse: a link another user planted (exit 1), a folder
 * (exit 2) or another non-regular file (exit 2) in its place, a missing folder (exit 3), a file
 * read-only on disk, even as root (exit 4). Call before any work; writeFileAtomic checks again.
 * Returns whether a file is there, that the write would replace.
 */
export function assertWritableFile(file: string): boolean {
  return checkTarget(file, writeTarget(file)) !== null;
}

/**
 * Create the folder `dir` (not its parents) with exactly `mode`, whatever the umask; true when
 * it was created, false when it was there already. A missing parent is left for the write to name.
 */
export function makeFolder(dir: string, mode: number): boolean {
  try {
    fs.mkdirSync(dir, { mode });
    fs.chmodSync(dir, mode); // only reached when mkdir made it
    return true;
  } catch (err) {
    const e = errnoOf(err);
    if (e === 'EEXIST' || e === 'ENOENT') return false;
    throw writeError(dir, err);
  }
}

function checkTarget(file: string, target: string): fs.Stats | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(target);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENOTDIR') throw writeError(file, err);
    // a new file: its folder must be there (the write would say ENOENT without naming it)
    const dir = path.dirname(target);
    let why = 'is not a folder';
    try {
      if (fs.statSync(dir).isDirectory()) return null;
    } catch (e) {
      if (exitForErrno(errnoOf(e)) !== Exit.NOT_FOUND) throw writeError(file, e);
      why = 'does not exist';
    }
    throw new PowercapError(Exit.NOT_FOUND, `cannot write ${file}: the folder ${dir} ${why}: nothing was written`);
  }
  if (st.isDirectory()) {
    throw new PowercapError(exitForErrno('EISDIR'), `${file} is a directory, not a file: nothing was written`, 'name a file in it');
  }
  if (!st.isFile()) {
    throw new PowercapError(Exit.USAGE, `${file} is not a regular file: nothing was written`, 'write to a regular file');
  }
  if ((st.mode & 0o222) === 0) {
    throw new PowercapError(
      Exit.PERMISSION,
      `${file} is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): nothing was changed`,
      'make it writable (chmod u+w) or work on a copy',
    );
  }
  return st;
}

/** Temporary files being written now: removed by removeTempFiles() when a signal ends the process. */
const pendingTemps = new Set<string>();

/**
 * Called around each write (the CLI sets it, cli/signals.ts): `enter` before the temporary file
 * is created, `leave` once it is renamed or removed. Core never exits; the CLI decides what a
 * signal arriving meanwhile does (finish the write, then end the process without leftovers).
 */
export interface WriteGuard { enter(): void; leave(): void }
let guard: WriteGuard | null = null;
export function setWriteGuard(g: WriteGuard | null): void {
  guard = g;
}

/** Remove the temporary files of writes in progress (called on a fatal signal, before exiting). */
export function removeTempFiles(): void {
  for (const t of pendingTemps) try { fs.unlinkSync(t); } catch { /* gone */ }
  pendingTemps.clear();
}

/**
 * What the writer needs to know of the process it runs in, passed in by the CLI at start-up
 * (cli/main.ts), as core reads no process state itself: its id (temporary file names, a lock's
 * owner), its effective uid (whose links it follows: mayFollowLink), whether it runs as root (a
 * file root rewrites keeps its owner), whether a lock's owner still runs, and a way to remove
 * its locks when it exits.
 */
export interface WriterProcess {
  readonly pid: number;
  /** the fsuid the kernel checks links against (the effective uid); -1 when unknown */
  readonly euid: number;
  readonly isRoot: boolean;
  /** whether a process of this id runs (kill(pid, 0) does not answer ESRCH) */
  isRunning(pid: number): boolean;
  /** call `fn` when the process exits, however it ends */
  atExit(fn: () => void): void;
}
let writerProcess: WriterProcess | null = null;
export function setWriterProcess(p: WriterProcess): void {
  writerProcess = p;
}
function writer(): WriterProcess {
  if (writerProcess === null) throw new Error('the atomic writer has no process to write as (cli/main.ts sets it with setWriterProcess)');
  return writerProcess;
}

/** The most symbolic links one path may pass through, as the kernel's MAXSYMLINKS (include/linux/namei.h). */
const MAX_LINKS = 40;

const S_ISVTX = 0o1000; // the sticky bit
const S_IWOTH = 0o0002; // writable by others

/** Who owns a link or a folder, and the folder's mode: what may_follow_link looks at. */
interface Owned { uid: number; mode: number }

/**
 * Whether the kernel with `fs.protected_symlinks = 1` lets a process whose fsuid is `follower`
 * follow `link`, found in the folder `dir` (fs/namei.c, may_follow_link): when the link's owner
 * is the follower, or the folder is not both sticky and world-writable, or the folder's owner
 * owns the link. Else it is a link another user planted in a shared folder such as /tmp (EACCES).
 */
export function mayFollowLink(link: Pick<Owned, 'uid'>, dir: Owned, follower: number): boolean {
  if (link.uid === follower) return true;
  if ((dir.mode & (S_ISVTX | S_IWOTH)) !== (S_ISVTX | S_IWOTH)) return true;
  return dir.uid === link.uid;
}

/**
 * The file a write to `file` replaces: the path walked one name at a time, every symbolic link on
 * it (a link to a link, a link to a folder) followed only where mayFollowLink allows it, whatever
 * the sysctl says on this machine; a link it does not allow is refused (exit 1) by name. The
 * link itself stays; its final target is replaced, or created when the link dangles. A name that
 * does not exist ends the walk: the rest of the path is returned as given, for the write to find
 * missing. The check runs on names before the write: it is the kernel's rule, not its atomicity.
 */
export function writeTarget(file: string): string {
  const follower = writer().euid;
  const todo = path.resolve(file).split('/').filter((c) => c !== '');
  let done = '/'; // the real path walked so far: no link in it
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') { done = path.dirname(done); continue; }
    const next = path.join(done, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(next);
    } catch {
      return path.join(next, ...todo); // does not exist (or cannot be looked at): the write says
    }
    if (!st.isSymbolicLink()) { done = next; continue; }
    if (++links > MAX_LINKS) throw writeError(file, Object.assign(new Error('ELOOP'), { code: 'ELOOP' }));
    const dir = fs.statSync(done);
    if (!mayFollowLink(st, dir, follower)) {
      const which = next === path.resolve(file) ? 'it is' : `${next} is`;
      throw new PowercapError(Exit.FAILED,
        `refused to write ${file}: ${which} a symbolic link owned by uid ${st.uid} in ${done}, a sticky world-writable folder owned by uid ${dir.uid}; such a link is followed only for its owner, as the kernel's protected_symlinks rule does: nothing was written`,
        'write to another name, or remove the link if it is not wanted');
    }
    const to = fs.readlinkSync(next);
    if (to.startsWith('/')) done = '/';
    todo.unshift(...to.split('/').filter((c) => c !== ''));
  }
  return done;
}

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only filesystem',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such folder',
  ENOTDIR: 'a name on the path is not a folder',
  EISDIR: 'a directory is in the way',
  ELOOP: `more than ${MAX_LINKS} symbolic links on the path`,
};

/** The error a failed write of `file` becomes: exit 4 for permissions, 3 for a missing folder, else 1 (exitForErrno). */
export function writeError(file: string, err: unknown): PowercapError {
  if (err instanceof PowercapError) return err;
  const e = errnoOf(err);
  const code = exitForErrno(e);
  return new PowercapError(code, `cannot write ${file}: ${e} (${WHY[e] ?? 'write failed'}); the previous file, if any, is unchanged`,
    code === Exit.PERMISSION ? 'check the permissions of the file and its directory' : e === 'ENOSPC' || e === 'EDQUOT' ? 'free some space and run the command again' : undefined);
}

/** Write every byte of `buf` (write(2) may take fewer than asked: a nearly full disk does). */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += n;
  }
}

export function writeFileAtomic(file: string, data: string | Buffer): void {
  const target = writeTarget(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${writer().pid}.${Date.now().toString(36)}.tmp`);
  const old = checkTarget(file, target);
  const mode = old ? old.mode & 0o7777 : 0o644;
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  guard?.enter();
  try {
    pendingTemps.add(tmp);
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    writeAll(fd, buf);
    // root rewriting a user's file leaves it the user's, with its mode (umask does not apply to fchmod)
    if (old && writer().isRoot && (old.uid !== 0 || old.gid !== 0)) fs.fchownSync(fd, old.uid, old.gid);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
    pendingTemps.delete(tmp);
  } catch (err) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    pendingTemps.delete(tmp);
    throw writeError(file, err);
  } finally {
    guard?.leave();
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* some filesystems refuse fsync on a directory */ }
}

/**
 * An advisory lock on a file about to be read, changed and written back: `.NAME.lock` next to the
 * file's target, created exclusively and holding the owner's pid. Taken before the read, released
 * after the rename (or when the process ends), so two writers serialise and neither change is lost.
 * A lock whose process is gone is stale and taken over. Waits up to `waitMs`, then exit 1.
 */
const held = new Map<string, number>();
let atExitSet = false;

export function lockFile(file: string, waitMs = 5000): () => void {
  const target = writeTarget(file);
  const lock = path.join(path.dirname(target), `.${path.basename(target)}.lock`);
  const prev = held.get(lock);
  if (prev !== undefined) {
    held.set(lock, prev + 1);
    return () => unlockOne(lock);
  }
  // a signal is caught from before the lock exists until it is removed: the process then ends
  // through 'exit', which removes the lock, instead of dying with it in place
  guard?.enter();
  let taken = false;
  try {
    const release = acquireLock(file, lock, waitMs);
    taken = held.has(lock);
    return release;
  } finally {
    if (!taken) guard?.leave();
  }
}

function acquireLock(file: string, lock: string, waitMs: number): () => void {
  const deadline = Date.now() + waitMs;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const fd = fs.openSync(lock, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      try {
        fs.writeSync(fd, `${writer().pid}\n`);
      } catch (err) {
        fs.closeSync(fd);
        try { fs.unlinkSync(lock); } catch { /* gone */ }
        throw writeError(file, err);
      }
      fs.closeSync(fd);
      held.set(lock, 1);
      if (held.size === 1 && !atExitSet) { atExitSet = true; writer().atExit(releaseAll); }
      return () => unlockOne(lock);
    } catch (err) {
      const e = errnoOf(err);
      const code = exitForErrno(e);
      if (code === Exit.NOT_FOUND) return () => {}; // no folder: the read that follows says so
      if (code === Exit.PERMISSION) return () => {}; // not writable: the write refuses later
      if (e !== 'EEXIST') throw writeError(lock, err);
    }
    if (lockIsStale(lock)) {
      try { fs.unlinkSync(lock); } catch { /* another process took it over first */ }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PowercapError(Exit.FAILED, `${file} is being changed by another powercapctl (lock ${lock}): nothing was changed`,
        'run the command again when the other one has finished; remove the lock file only if no powercapctl is running');
    }
    Atomics.wait(nap, 0, 0, 20);
  }
}

function lockIsStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lock, 'utf8').trim());
  } catch {
    return false; // gone already (retry) or being written
  }
  if (!Number.isInteger(pid) || pid <= 0) {
    // being written this very moment, or garbage: stale once it is older than a second
    try { return Date.now() - fs.statSync(lock).mtimeMs > 1000; } catch { return false; }
  }
  return !writer().isRunning(pid);
}

function unlockOne(lock: string): void {
  const n = held.get(lock);
  if (n === undefined) return;
  if (n > 1) { held.set(lock, n - 1); return; }
  held.delete(lock);
  try { fs.unlinkSync(lock); } catch { /* gone */ }
  guard?.leave();
}

function releaseAll(): void {
  for (const lock of held.keys()) try { fs.unlinkSync(lock); } catch { /* gone */ }
  held.clear();
}
