/**
 * Atomic file replacement: a temporary file in the same directory, fsync, rename,
 * fsync of the directory. A failed or interrupted write leaves the old file as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PowercapError, Exit, errnoOf } from './errors.js';

/** Refuse (exit 4) to replace a file that is read-only on disk, even as root. */
export function assertWritableFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return; // a new file: the directory decides
  }
  if ((st.mode & 0o222) === 0) {
    throw new PowercapError(
      Exit.PERMISSION,
      `${file} is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): nothing was changed`,
      'make it writable (chmod u+w) or work on a copy',
    );
  }
}

export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let mode = 0o644;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch { /* new file */ }
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', mode);
    if (typeof data === "string") fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    const e = errnoOf(err);
    const code = e === 'EACCES' || e === 'EPERM' || e === 'EROFS' ? Exit.PERMISSION : e === 'ENOENT' ? Exit.NOT_FOUND : Exit.FAILED;
    throw new PowercapError(code, `cannot write ${file}: ${e}; the previous file, if any, is unchanged`,
      code === Exit.PERMISSION ? 'check the permissions of the file and its directory' : undefined);
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* some filesystems refuse fsync on a directory */ }
}
