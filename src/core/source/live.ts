/**
 * The live source: a directory laid out like /sys/class/powercap (flat links) or
 * /sys/devices/virtual/powercap (nested), or a copy of either. Reads are
 * synchronous open/read/close with one shared buffer: sysfs attributes are a
 * page at most, and 40 000 of them must read about as fast as `cat` does.
 */
import * as fs from 'node:fs';
import { SysfsError, errnoOf } from '../errors.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';
import { liveDriverFacts, type DriverFacts } from './drivers.js';

/** A sysfs attribute is at most a page (the kernel's show() fills one): anything larger is refused. */
export const ATTR_MAX_BYTES = 4096;
const BUF = Buffer.allocUnsafe(ATTR_MAX_BYTES + 1);
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;
// writes: never through a symbolic link (an attribute swapped for a link between planning and
// writing would send a root write anywhere), never to a FIFO (O_NONBLOCK: ENXIO without a reader)
const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

export class LiveSource implements Source {
  readonly info: SourceInfo;
  constructor(readonly root: string) {
    this.info = { kind: 'live', root };
  }

  private driverFacts: DriverFacts | undefined | null = null;
  /** what the drivers show outside the powercap class (the TPMI RAPL driver), looked at once, when asked */
  get drivers(): DriverFacts | undefined {
    if (this.driverFacts === null) this.driverFacts = liveDriverFacts(this.root);
    return this.driverFacts;
  }

  private abs(rel: string): string {
    // rel comes from the walk ('a/b', no '.' or '..'): a concatenation, not path.join's normalising
    return rel === '' ? this.root : this.root + '/' + rel;
  }

  list(rel: string): DirEntry[] | null {
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(this.abs(rel), { withFileTypes: true });
    } catch (err) {
      const e = errnoOf(err);
      if (e === 'ENOENT' || e === 'ENOTDIR') return null;
      throw new SysfsError(e, this.abs(rel));
    }
    const out: DirEntry[] = [];
    for (const d of dirents) {
      out.push({ name: d.name, kind: d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'dir' : 'file' });
    }
    return out;
  }

  isDir(rel: string): boolean {
    try {
      return fs.statSync(this.abs(rel)).isDirectory();
    } catch {
      return false;
    }
  }

  read(rel: string): ReadResult {
    let fd: number;
    try {
      // non-blocking: a FIFO planted in a tree must not hang the read (it is refused below)
      fd = fs.openSync(this.abs(rel), READ_FLAGS);
    } catch (err) {
      return { ok: false, errno: errnoOf(err) };
    }
    try {
      // A sysfs attribute comes whole from its first read (the kernel's show() fills at most a
      // page) and a regular file's read is short only at its end: a read that does not fill the
      // buffer is the whole file, and the usual second read (the one that returns 0) is saved.
      // Over 4096 zones that is 30 000 system calls fewer. More than a page is not an attribute.
      const n = fs.readSync(fd, BUF, 0, BUF.length, null);
      if (n === 0 || n > ATTR_MAX_BYTES) {
        // only a regular file is an attribute: a FIFO planted in a tree reads empty at once (the
        // open does not block), a device (/dev/zero) fills the buffer; either is refused. Asked
        // only on these two shapes, so an ordinary attribute costs no fstat.
        if (!fs.fstatSync(fd).isFile()) return { ok: false, errno: 'EFTYPE' };
        if (n > ATTR_MAX_BYTES) return { ok: false, errno: 'EFBIG' };
      }
      return { ok: true, text: BUF.toString('utf8', 0, n) };
    } catch (err) {
      return { ok: false, errno: errnoOf(err) };
    } finally {
      fs.closeSync(fd);
    }
  }

  write(rel: string, text: string): void {
    const p = this.abs(rel);
    let fd: number;
    try {
      // no O_CREAT: writing an attribute that does not exist is ENOENT, as in sysfs;
      // O_NOFOLLOW: a symbolic link in the attribute's place is ELOOP, nothing written
      fd = fs.openSync(p, WRITE_FLAGS);
    } catch (err) {
      throw new SysfsError(errnoOf(err), p);
    }
    try {
      // only a regular file is an attribute: a device (/dev/null) or socket in its place is refused
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new SysfsError('EFTYPE', p, `${p}: not a regular file, refused`);
      // one write() call: sysfs stores take the whole value at once
      fs.writeSync(fd, text);
      // a regular-file copy of a tree: drop any longer old value (sysfs: not truncatable)
      if (st.size !== 4096) try { fs.ftruncateSync(fd, Buffer.byteLength(text)); } catch { /* sysfs */ }
    } catch (err) {
      if (err instanceof SysfsError) throw err;
      throw new SysfsError(errnoOf(err), p);
    } finally {
      fs.closeSync(fd);
    }
  }
}
