/**
 * Whether the program a systemd unit runs as root sits somewhere it should not: a temporary
 * folder (cleaned at boot, and open to every user), a home folder (its owner can replace the
 * program root runs), or a folder another user can write. persist install writes the path of
 * the powercapctl that runs it, which may be a clone in /tmp: the command warns.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ExecPathRisk =
  /** under a temporary folder (`folder`) */
  | { kind: 'temporary'; folder: string }
  /** under a home folder (`folder`) */
  | { kind: 'home'; folder: string }
  /** `folder` (the program itself, or a folder above it) can be written by a user other than root: world-writable, or owned by `uid` */
  | { kind: 'others-can-write'; folder: string; uid: number; worldWritable: boolean };

export interface ExecPathPlaces {
  /** temporary folders (/tmp, /var/tmp, /dev/shm and the process's own) */
  temporary: readonly string[];
  /** home folders, or the folders that hold them (/home, /root, the user's own) */
  homes: readonly string[];
}

const within = (file: string, folder: string) => folder !== '/' && folder !== '' && (file === folder || file.startsWith(folder.endsWith('/') ? folder : `${folder}/`));

/** The first reason `file` (an absolute path) is not a safe program for a unit to run as root, or null. */
export function execPathRisk(file: string, places: ExecPathPlaces): ExecPathRisk | null {
  const paths = [file];
  try {
    const real = fs.realpathSync(file);
    if (real !== file) paths.push(real);
  } catch { /* not there (yet): judged by its name */ }
  for (const p of paths) {
    const temp = places.temporary.find((t) => within(p, t));
    if (temp) return { kind: 'temporary', folder: temp };
    const home = places.homes.find((h) => within(p, h));
    if (home) return { kind: 'home', folder: home };
  }
  const real = paths[paths.length - 1]!;
  for (let p = real; ; p = path.dirname(p)) {
    let st: fs.Stats | null = null;
    try { st = fs.statSync(p); } catch { /* a missing part: nothing to say of it */ }
    if (st) {
      const worldWritable = (st.mode & 0o002) !== 0;
      if (worldWritable || st.uid !== 0) return { kind: 'others-can-write', folder: p, uid: st.uid, worldWritable };
    }
    if (p === path.dirname(p)) return null;
  }
}
