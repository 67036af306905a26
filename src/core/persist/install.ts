/**
 * Installing, inspecting and removing the files of systemd-units.ts under a root
 * directory (as DESTDIR: `/` for the running system, or an image folder). All or
 * nothing: when one write fails, or a signal arrives between two files, every file
 * already written (or removed) is put back as it was. Nothing here calls systemctl;
 * the command does, and only for `/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PowercapError, Exit, errnoOf, exitForErrno, type ExitCode } from '../errors.js';
import { writeFileAtomic } from '../atomic.js';
import type { ApplyHooks } from '../limits/index.js';
import {
  allInstallPaths, installFiles, optionalUnitFiles, LOOP_UNITS, PROFILE_PATH, STATE_PATH, WATCH_UNIT, UNIT_DIR, type InstallFile, type UnitOptions,
} from './systemd-units.js';
import { LOOP_COMMANDS, type LoopCommand } from '../profile/section.js';
import { readState, type ApplyState } from './state.js';

/** A signal between two files: the caller's trap says whether one came, and which (cli/signals.ts). */
export type InterruptHooks = Pick<ApplyHooks, 'isInterrupted' | 'interruptedBy'>;

/** Let pending signals reach their handlers between two synchronous file operations. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function interruptedError(hooks: InterruptHooks, what: string): PowercapError {
  const by = hooks.interruptedBy?.() ?? null;
  return new PowercapError((by?.exitCode ?? Exit.INTERRUPTED) as ExitCode, `interrupted${by ? ` by ${by.signal}` : ''}: ${what}`);
}

/** DIR + an absolute target path. */
export const under = (rootDir: string, p: string) => path.join(rootDir, p);

export const isRealRoot = (rootDir: string) => path.resolve(rootDir) === '/';

interface Previous { file: string; existed: boolean; content: Buffer | null; mode: number; link: string | null }

function snapshotOf(file: string): Previous {
  try {
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return { file, existed: true, content: null, mode: 0, link: fs.readlinkSync(file) };
    return { file, existed: true, content: fs.readFileSync(file), mode: st.mode & 0o7777, link: null };
  } catch {
    return { file, existed: false, content: null, mode: 0, link: null };
  }
}

function restore(p: Previous): void {
  try {
    fs.rmSync(p.file, { force: true });
    if (p.link !== null) fs.symlinkSync(p.link, p.file);
    else if (p.content !== null) {
      writeFileAtomic(p.file, p.content);
      fs.chmodSync(p.file, p.mode);
    }
  } catch { /* best effort: reported by the caller's error */ }
}

/** A file that could not be written or removed; permission denied carries its reason: the way out is root, or another folder (cli/hints.ts). */
function failWrite(file: string, err: unknown, what: string): PowercapError {
  if (err instanceof PowercapError) return err;
  const e = errnoOf(err);
  const code = exitForErrno(e);
  return new PowercapError(code, `cannot ${what} ${file}: ${e}; nothing was ${what === 'write' ? 'installed' : 'removed'}`, undefined,
    code === Exit.PERMISSION ? { reason: 'system-folder' } : undefined);
}

export interface Written { path: string; role: string; link?: string }

/**
 * Write files (content or symbolic link) under rootDir, all or nothing: a failed write, or a
 * signal between two files (`hooks`), puts back every file already written.
 * Returns what was written, paths as on the target system.
 */
export async function writeAll(rootDir: string, files: InstallFile[], hooks: InterruptHooks = {}): Promise<Written[]> {
  const done: Previous[] = [];
  try {
    for (const f of files) {
      await yieldToEventLoop();
      if (hooks.isInterrupted?.()) throw interruptedError(hooks, 'nothing was installed');
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
        throw failWrite(full, err, 'write');
      }
    }
  } catch (err) {
    for (const p of done.reverse()) restore(p);
    throw err;
  }
  return files.map((f) => ({ path: f.path, role: f.role, ...(f.link !== undefined ? { link: f.link } : {}) }));
}

/** The units written only when asked for: the watchdog, and a loop for each section a profile can have. */
const OPTIONAL_UNITS = [WATCH_UNIT, ...LOOP_COMMANDS.map((c) => LOOP_UNITS[c])];

/** A file of an optional unit (its unit file or enablement link): not needed for persist to be installed. */
export const isOptionalUnitFile = (p: string): boolean => OPTIONAL_UNITS.some((u) => p.endsWith(`/${u}`));

/** The optional units this install does not write. */
export function unwantedUnits(o: UnitOptions): string[] {
  const wanted = [...(o.watch !== null ? [WATCH_UNIT] : []), ...(o.loop !== null ? [LOOP_UNITS[o.loop.command]] : [])];
  return OPTIONAL_UNITS.filter((u) => !wanted.includes(u));
}

export async function install(rootDir: string, o: UnitOptions, profileText: string | null, hooks: InterruptHooks = {}): Promise<Written[]> {
  const files = installFiles(o);
  if (profileText !== null) files.unshift({ path: PROFILE_PATH, content: profileText, role: 'the profile' });
  // a watchdog or a loop installed before and not asked for now goes away with the rest
  const stale = unwantedUnits(o).flatMap(optionalUnitFiles).map((p) => snapshotOf(under(rootDir, p)));
  for (const p of stale) fs.rmSync(p.file, { force: true });
  try {
    return await writeAll(rootDir, files, hooks);
  } catch (err) {
    for (const p of stale.reverse()) restore(p);
    throw err;
  }
}

export interface RemoveResult { removed: string[]; kept: string[] }

/** Remove what persist install wrote (and with `purge` the profile and the state), all or nothing as writeAll. */
export async function remove(rootDir: string, purge: boolean, hooks: InterruptHooks = {}): Promise<RemoveResult> {
  const targets = [...allInstallPaths().map((f) => f.path)];
  if (purge) targets.push(PROFILE_PATH, STATE_PATH);
  // links first, then the units they point to
  targets.sort((a, b) => Number(isLinkPath(b)) - Number(isLinkPath(a)));
  const done: Array<{ path: string; prev: Previous }> = [];
  try {
    for (const p of targets) {
      const full = under(rootDir, p);
      const prev = snapshotOf(full);
      if (!prev.existed) continue;
      await yieldToEventLoop();
      if (hooks.isInterrupted?.()) throw interruptedError(hooks, 'nothing was removed');
      try {
        fs.rmSync(full, { force: true });
      } catch (err) {
        throw failWrite(full, err, 'remove');
      }
      done.push({ path: p, prev });
    }
  } catch (err) {
    for (const d of done.reverse()) restore(d.prev);
    throw err;
  }
  // the .wants directories persist install created, when nothing else is enabled there
  for (const dir of new Set(targets.filter(isLinkPath).map((p) => path.dirname(under(rootDir, p))))) {
    try { fs.rmdirSync(dir); } catch { /* not empty, or not there */ }
  }
  const kept = !purge && fs.existsSync(under(rootDir, PROFILE_PATH)) ? [PROFILE_PATH] : [];
  return { removed: done.map((d) => d.path), kept };
}

const isLinkPath = (p: string) => /\.wants\//.test(p);

export interface PersistStatus {
  rootDir: string;
  installed: boolean;
  /** every file persist install writes, present or not */
  files: Array<{ path: string; role: string; present: boolean }>;
  profile: { path: string; present: boolean };
  watch: { installed: boolean; enabled: boolean; command: string | null };
  /** the service running the profile's balance: or govern: section, when one is installed */
  loop: { command: LoopCommand; unit: string; enabled: boolean; exec: string | null } | null;
  state: ApplyState | null;
  statePath: string;
}

export function status(rootDir: string): PersistStatus {
  const present = (p: string) => { try { fs.lstatSync(under(rootDir, p)); return true; } catch { return false; } };
  const files = allInstallPaths().map((f) => ({ path: f.path, role: f.role, present: present(f.path) }));
  const core = files.filter((f) => !isOptionalUnitFile(f.path));
  /** the command line an installed unit runs */
  const execOf = (unit: string): string | null => {
    try {
      return /^ExecStart=(.*)$/m.exec(fs.readFileSync(under(rootDir, `${UNIT_DIR}/${unit}`), 'utf8'))?.[1] ?? null;
    } catch {
      return null; // not installed
    }
  };
  const enabled = (unit: string) => present(`${UNIT_DIR}/multi-user.target.wants/${unit}`);
  const loopCommand = LOOP_COMMANDS.find((c) => present(`${UNIT_DIR}/${LOOP_UNITS[c]}`));
  return {
    rootDir,
    installed: core.every((f) => f.present),
    files,
    profile: { path: PROFILE_PATH, present: present(PROFILE_PATH) },
    watch: { installed: present(`${UNIT_DIR}/${WATCH_UNIT}`), enabled: enabled(WATCH_UNIT), command: execOf(WATCH_UNIT) },
    loop: loopCommand === undefined ? null : { command: loopCommand, unit: LOOP_UNITS[loopCommand], enabled: enabled(LOOP_UNITS[loopCommand]), exec: execOf(LOOP_UNITS[loopCommand]) },
    state: readState(under(rootDir, STATE_PATH)),
    statePath: STATE_PATH,
  };
}
