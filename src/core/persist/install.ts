/**
 * Installing, inspecting and removing the files of units.ts under a root
 * directory (`--root-dir DIR`, as DESTDIR: `/` for the running system). All or
 * nothing: when one write fails, every file already written is put back as it
 * was. Nothing here calls systemctl; the command does, and only for `/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PowercapError, Exit, errnoOf, exitForErrno } from '../errors.js';
import { writeFileAtomic } from '../atomic.js';
import { allInstallPaths, installFiles, PROFILE_PATH, STATE_PATH, WATCH_UNIT, UNIT_DIR, type InstallFile, type UnitOptions } from './units.js';
import { readState, type ApplyState } from './state.js';

/** DIR + an absolute target path. */
export const under = (rootDir: string, p: string) => path.join(rootDir, p);

export const isRealRoot = (rootDir: string) => path.resolve(rootDir) === '/';

interface Previous { file: string; existed: boolean; content: Buffer | null; link: string | null }

function snapshotOf(file: string): Previous {
  try {
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return { file, existed: true, content: null, link: fs.readlinkSync(file) };
    return { file, existed: true, content: fs.readFileSync(file), link: null };
  } catch {
    return { file, existed: false, content: null, link: null };
  }
}

function restore(p: Previous): void {
  try {
    fs.rmSync(p.file, { force: true });
    if (p.link !== null) fs.symlinkSync(p.link, p.file);
    else if (p.content !== null) fs.writeFileSync(p.file, p.content);
  } catch { /* best effort: reported by the caller's error */ }
}

function failWrite(file: string, err: unknown): PowercapError {
  if (err instanceof PowercapError) return err;
  const e = errnoOf(err);
  const code = exitForErrno(e);
  return new PowercapError(code, `cannot write ${file}: ${e}; nothing was installed`, code === Exit.PERMISSION ? 'run as root (sudo), or install into a folder with --root-dir DIR' : undefined);
}

export interface Written { path: string; role: string; link?: string }

/**
 * Write files (content or symbolic link) under rootDir, all or nothing.
 * Returns what was written, paths as on the target system.
 */
export function writeAll(rootDir: string, files: InstallFile[]): Written[] {
  const done: Previous[] = [];
  try {
    for (const f of files) {
      const full = under(rootDir, f.path);
      const prev = snapshotOf(full);
      try {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        if (f.link !== undefined) {
          fs.rmSync(full, { force: true });
          done.push(prev);
          fs.symlinkSync(f.link, full);
        } else {
          done.push(prev);
          writeFileAtomic(full, f.content ?? '');
          fs.chmodSync(full, 0o644);
        }
      } catch (err) {
        throw failWrite(full, err);
      }
    }
  } catch (err) {
    for (const p of done.reverse()) restore(p);
    throw err;
  }
  return files.map((f) => ({ path: f.path, role: f.role, ...(f.link !== undefined ? { link: f.link } : {}) }));
}

export function install(rootDir: string, o: UnitOptions, profileText: string | null): Written[] {
  const files = installFiles(o);
  if (profileText !== null) files.unshift({ path: PROFILE_PATH, content: profileText, role: 'the profile' });
  // a watchdog installed before and not asked for now goes away with the rest
  if (o.watchUs === null) {
    for (const p of [`${UNIT_DIR}/multi-user.target.wants/${WATCH_UNIT}`, `${UNIT_DIR}/${WATCH_UNIT}`]) fs.rmSync(under(rootDir, p), { force: true });
  }
  return writeAll(rootDir, files);
}

export interface RemoveResult { removed: string[]; kept: string[] }

export function remove(rootDir: string, purge: boolean): RemoveResult {
  const removed: string[] = [];
  const targets = [...allInstallPaths().map((f) => f.path)];
  if (purge) targets.push(PROFILE_PATH, STATE_PATH);
  // links first, then the units they point to
  targets.sort((a, b) => Number(isLinkPath(b)) - Number(isLinkPath(a)));
  for (const p of targets) {
    const full = under(rootDir, p);
    let exists = false;
    try { fs.lstatSync(full); exists = true; } catch { /* not there */ }
    if (!exists) continue;
    try {
      fs.rmSync(full, { force: true });
    } catch (err) {
      throw failWrite(full, err);
    }
    removed.push(p);
  }
  // the .wants directories persist install created, when nothing else is enabled there
  for (const dir of new Set(targets.filter(isLinkPath).map((p) => path.dirname(under(rootDir, p))))) {
    try { fs.rmdirSync(dir); } catch { /* not empty, or not there */ }
  }
  const kept = !purge && fs.existsSync(under(rootDir, PROFILE_PATH)) ? [PROFILE_PATH] : [];
  return { removed, kept };
}

const isLinkPath = (p: string) => /\.wants\//.test(p);

export interface PersistStatus {
  rootDir: string;
  installed: boolean;
  /** every file persist install writes, present or not */
  files: Array<{ path: string; role: string; present: boolean }>;
  profile: { path: string; present: boolean };
  watch: { installed: boolean; enabled: boolean; command: string | null };
  state: ApplyState | null;
  statePath: string;
}

export function status(rootDir: string): PersistStatus {
  const present = (p: string) => { try { fs.lstatSync(under(rootDir, p)); return true; } catch { return false; } };
  const files = allInstallPaths().map((f) => ({ path: f.path, role: f.role, present: present(f.path) }));
  const core = files.filter((f) => !f.path.includes(WATCH_UNIT));
  const watchUnitPath = `${UNIT_DIR}/${WATCH_UNIT}`;
  let command: string | null = null;
  try {
    command = /^ExecStart=(.*)$/m.exec(fs.readFileSync(under(rootDir, watchUnitPath), 'utf8'))?.[1] ?? null;
  } catch { /* not installed */ }
  return {
    rootDir,
    installed: core.every((f) => f.present),
    files,
    profile: { path: PROFILE_PATH, present: present(PROFILE_PATH) },
    watch: { installed: present(watchUnitPath), enabled: present(`${UNIT_DIR}/multi-user.target.wants/${WATCH_UNIT}`), command },
    state: readState(under(rootDir, STATE_PATH)),
    statePath: STATE_PATH,
  };
}
