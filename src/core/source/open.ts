/**
 * Opening the source a command works on: a live tree (`--root`, default
 * /sys/class/powercap) with the live energy model (`--em-root`), or a snapshot
 * (`--snapshot`) holding both.
 */
import { usageError } from '../errors.js';
import { loadSnapshotFile, type RegistryEntry, type SnapshotFile } from '../snapshot/file.js';
import { LiveSource } from './live.js';
import { EmulatedSource } from './emulated.js';
import { FaultySource, parseFaults } from './faults.js';
import type { Source, SourceInfo } from './types.js';

export const DEFAULT_ROOT = '/sys/class/powercap';
export const DEFAULT_EM_ROOT = '/sys/kernel/debug/energy_model';

export interface SourceOptions {
  root?: string | undefined;
  snapshot?: string | undefined;
  emRoot?: string | undefined;
  /** fault rules (POWERCAPCTL_FAULTS) */
  faults?: string | undefined;
}

export interface OpenedSource {
  info: SourceInfo;
  powercap: Source;
  /** the energy model, or null when there is none to read */
  energyModel: Source | null;
  /** the snapshot file when working on one (writes go through its emulated kernel, then save()) */
  snapshot: SnapshotFile | null;
  /** the DTPM registry recorded in a snapshot (empty for a live tree: leaves are then inferred) */
  registry: RegistryEntry[];
  /** what the emulated kernel did on writes that a user should know (clamps, guards), in order; empty on a live tree */
  notes: string[];
}

export function openSource(opts: SourceOptions): OpenedSource {
  if (opts.root !== undefined && opts.snapshot !== undefined) {
    throw usageError('--root and --snapshot are two different sources: give one');
  }
  const wrap = (s: Source): Source => (opts.faults ? new FaultySource(s, parseFaults(opts.faults)) : s);
  if (opts.snapshot !== undefined) {
    const snap = loadSnapshotFile(opts.snapshot);
    const notes: string[] = [];
    return {
      info: snap.powercap.info,
      powercap: wrap(new EmulatedSource(snap, (note) => notes.push(note))),
      energyModel: snap.energyModel,
      snapshot: snap,
      registry: snap.registry,
      notes,
    };
  }
  const live = new LiveSource(opts.root ?? DEFAULT_ROOT);
  const em = new LiveSource(opts.emRoot ?? DEFAULT_EM_ROOT);
  return { info: live.info, powercap: wrap(live), energyModel: em.list('') ? em : null, snapshot: null, registry: [], notes: [] };
}
