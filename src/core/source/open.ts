/**
 * Opening the source a command works on: a live tree (default /sys/class/powercap) with the
 * GPUs' power caps in hwmon (default /sys/class/hwmon, source/hwmon.ts) and the live energy
 * model (debugfs), or a snapshot file holding all of it.
 */
import { SysfsError, usageError } from '../errors.js';
import { loadSnapshotFile, type RegistryEntry, type SnapshotFile } from '../snapshot/file.js';
import { LiveSource } from './live.js';
import { EmulatedSource } from './emulated.js';
import { FaultySource, parseFaults, type FaultEvent } from './faults.js';
import { DEFAULT_HWMON_ROOT, HwmonSource, PowercapWithHwmon, type HwmonProblem } from './hwmon.js';
import type { Source, SourceInfo } from './types.js';

export { DEFAULT_ROOT } from './types.js';
import { DEFAULT_ROOT } from './types.js';
export const DEFAULT_EM_ROOT = '/sys/kernel/debug/energy_model';

export interface SourceOptions {
  root?: string | undefined;
  snapshot?: string | undefined;
  emRoot?: string | undefined;
  /**
   * the hwmon root named (flag or environment): read, and exit 3 when it does not exist. Unnamed,
   * the default one is read only with the default powercap tree: a tree named elsewhere (a copy
   * from another machine, a fixture) is not this machine's, and neither are its GPUs.
   */
  hwmonRoot?: string | undefined;
  /** the hwmon root could not be read (missing, unreadable): no GPUs, reported once (the caller's to say) */
  onHwmonProblem?: (p: HwmonProblem) => void;
  /** fault rules (POWERCAPCTL_FAULTS) */
  faults?: string | undefined;
  /** an after-write fault rule fired: send its signal (the caller's to do: core touches no process) */
  onFaultEvent?: (e: FaultEvent) => void;
  /** the command will change the snapshot: lock it before reading (core/atomic.ts lockFile) */
  lockSnapshot?: boolean;
}

export interface OpenedSource {
  info: SourceInfo;
  powercap: Source;
  /**
   * The energy model, read on first use (only the commands that need it touch
   * debugfs): null when there is none to read, absent or unreadable.
   */
  readonly energyModel: Source | null;
  /**
   * Why a live energy model could not be read, once `energyModel` was asked for:
   * debugfs is 0700 on most systems, so an ordinary user gets EACCES there.
   */
  readonly energyModelProblem: { path: string; errno: string } | null;
  /** the hwmon root whose GPUs are zones here (read when the tree is), or null: none is read (a snapshot, a tree named elsewhere) */
  hwmonRoot: string | null;
  /** the snapshot file when working on one (writes go through its emulated kernel, then save()) */
  snapshot: SnapshotFile | null;
  /** the snapshot's emulated kernel, for the changes that are not attribute writes (DTPM nodes, devices); null on a live tree */
  emulated: EmulatedSource | null;
  /** the DTPM registry recorded in a snapshot (empty for a live tree: leaves are then inferred) */
  registry: RegistryEntry[];
  /** what the emulated kernel did on writes that a user should know (clamps, guards), in order; empty on a live tree */
  notes: string[];
}

export function openSource(opts: SourceOptions): OpenedSource {
  if (opts.root !== undefined && opts.snapshot !== undefined) {
    throw usageError('a live tree and a snapshot are two different sources: give one', undefined, 'two-sources');
  }
  const wrap = (s: Source): Source => (opts.faults ? new FaultySource(s, parseFaults(opts.faults), opts.onFaultEvent) : s);
  if (opts.snapshot !== undefined) {
    const snap = loadSnapshotFile(opts.snapshot, { lock: opts.lockSnapshot === true });
    const notes: string[] = [];
    const emulated = new EmulatedSource(snap, (note) => notes.push(note));
    return {
      info: snap.powercap.info,
      powercap: wrap(emulated),
      energyModel: snap.energyModel,
      energyModelProblem: null,
      hwmonRoot: null,
      snapshot: snap,
      emulated,
      registry: snap.registry,
      notes,
    };
  }
  const live = new LiveSource(opts.root ?? DEFAULT_ROOT);
  const em = lazyEnergyModel(new LiveSource(opts.emRoot ?? DEFAULT_EM_ROOT));
  const hwmonRoot = opts.hwmonRoot ?? (opts.root === undefined ? DEFAULT_HWMON_ROOT : undefined);
  const powercap: Source = hwmonRoot === undefined ? live
    : new PowercapWithHwmon(live, new HwmonSource(hwmonRoot, { required: opts.hwmonRoot !== undefined, onProblem: opts.onHwmonProblem }), opts.root !== undefined);
  return {
    info: live.info,
    powercap: wrap(powercap),
    get energyModel() { return em.source(); },
    get energyModelProblem() { return em.problem; },
    hwmonRoot: hwmonRoot ?? null,
    snapshot: null,
    emulated: null,
    registry: [],
    notes: [],
  };
}

/** Optional sources: these errors mean "not there for us", never a failure of the command. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/** The live energy model, looked at once and only when asked for. */
function lazyEnergyModel(em: LiveSource): { source(): Source | null; problem: { path: string; errno: string } | null } {
  let checked = false;
  let present = false;
  const state = {
    problem: null as { path: string; errno: string } | null,
    source(): Source | null {
      if (!checked) {
        checked = true;
        try {
          present = em.list('') !== null;
        } catch (err) {
          if (!(err instanceof SysfsError) || !ABSENT.has(err.errno)) throw err;
          state.problem = { path: err.path, errno: err.errno };
        }
      }
      return present ? em : null;
    },
  };
  return state;
}
