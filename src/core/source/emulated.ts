/**
 * The emulated source: a snapshot's powercap tree behind the one Source interface, with the
 * kernel emulated on write: what sysfs would do (powercap_sys.c stores, then the control type's
 * driver, whose arithmetic is in core/kernel), applied to the snapshot's attribute tree. Every
 * writing command goes through here on a snapshot, as it goes through sysfs on a live tree.
 * What the emulation did that a user should know (clamps, guards) is reported through `onNote`.
 * The snapshot module itself only reads, validates and writes files.
 */
import { SysfsError } from '../errors.js';
import type { SnapshotFile } from '../snapshot/file.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';
import { readPowercapTree, zoneAttr } from '../zones/model.js';
import { readEnergyModel } from '../em/debugfs.js';
import { buildDtpmForest, DTPM_CONTROL_TYPE } from '../dtpm/fromTree.js';
import { setPowerLimitUw } from '../kernel/dtpm.js';
import { quantizePowerLimit, computeTimeWindow, timeWindowOverflows, isRaplType } from '../kernel/rapl.js';

const U64_MAX = 2n ** 64n - 1n;

/** kstrtoull(buf, 10, …) as the constraint stores use it: digits, an optional leading '+', one trailing newline. */
export function kstrtoull(text: string): bigint | null {
  const t = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!/^\+?[0-9]+$/.test(t)) return null;
  const v = BigInt(t.replace(/^\+/, ''));
  return v > U64_MAX ? null : v;
}

/** kstrtobool: y/Y/1/on → true, n/N/0/off → false. */
export function kstrtobool(text: string): boolean | null {
  const t = text.replace(/\n$/, '').toLowerCase();
  if (['1', 'y', 'yes', 'on', 't', 'true'].includes(t)) return true;
  if (['0', 'n', 'no', 'off', 'f', 'false'].includes(t)) return false;
  return null;
}

function splitRel(rel: string): { dir: string; file: string; zoneId: string } {
  const i = rel.lastIndexOf('/');
  const dir = i < 0 ? '' : rel.slice(0, i);
  const j = dir.lastIndexOf('/');
  return { dir, file: rel.slice(i + 1), zoneId: dir.slice(j + 1) };
}

const CONSTRAINT_WRITABLE = /^constraint_([0-9]+)_(power_limit_uw|time_window_us)$/;

export type NoteHandler = (note: string) => void;

export class EmulatedSource implements Source {
  readonly info: SourceInfo;
  constructor(
    readonly snapshot: SnapshotFile,
    private readonly onNote: NoteHandler = () => {},
  ) {
    this.info = snapshot.powercap.info;
  }

  list(rel: string): DirEntry[] | null {
    return this.snapshot.powercap.list(rel);
  }

  isDir(rel: string): boolean {
    return this.snapshot.powercap.isDir(rel);
  }

  read(rel: string): ReadResult {
    return this.snapshot.powercap.read(rel);
  }

  write(rel: string, text: string): void {
    const tree = this.snapshot.powercap;
    if (tree.attr(rel) === undefined) throw new SysfsError(tree.dir(rel) ? 'EISDIR' : 'ENOENT', rel);
    emulateWrite(this.snapshot, rel, text, this.onNote);
  }
}

/** A write to the snapshot's powercap tree as the kernel would take it. */
export function emulateWrite(snap: SnapshotFile, rel: string, text: string, onNote: NoteHandler): void {
  const tree = snap.powercap;
  const stored = tree.attr(rel);
  if (stored === undefined) throw new SysfsError('ENOENT', rel);
  const { file, zoneId } = splitRel(rel);
  const controlType = zoneId.split(':')[0]!;

  const m = CONSTRAINT_WRITABLE.exec(file);
  if (!m && file !== 'enabled' && file !== 'energy_uj') throw new SysfsError('EACCES', rel, `${rel}: read-only attribute`);
  // a store the driver refused when the snapshot was taken (a firmware-locked limit)
  if (typeof stored === 'object' && stored.writeErrno) throw new SysfsError(stored.writeErrno, rel);

  if (file === 'energy_uj') {
    // no supported driver implements reset_energy_uj: the file is 0400
    throw new SysfsError('EACCES', rel);
  }
  if (file === 'enabled') {
    const b = kstrtobool(text);
    if (b === null) throw new SysfsError('EINVAL', rel);
    refuseEnable(snap, rel, controlType);
    tree.setText(rel, b ? '1\n' : '0\n');
    return;
  }
  const value = kstrtoull(text);
  if (value === null) throw new SysfsError('EINVAL', rel);
  const isRapl = isRaplType(controlType);

  if (m![2] === 'time_window_us') {
    if (controlType === DTPM_CONTROL_TYPE) throw new SysfsError('ENODATA', rel); // dtpm has no time window callback
    if (typeof stored === 'object' && stored.errno) throw new SysfsError('ENODATA', rel);
    if (isRapl && timeWindowOverflows(value)) {
      onNote?.(`${zoneId}: a time window of ${value} µs is 2^31 time units or more: the kernel's read path overflows an int (intel_rapl_common.c, rapl_compute_time_window_core) and reads back ${computeTimeWindow(value)}`);
    }
    tree.setText(rel, `${isRapl ? computeTimeWindow(value) : value}\n`);
    return;
  }
  if (typeof stored === 'object' && stored.errno) throw new SysfsError('ENODATA', rel);
  if (controlType === DTPM_CONTROL_TYPE) {
    writeDtpmLimit(snap, zoneId, value, onNote);
    return;
  }
  tree.setText(rel, `${isRapl ? quantizePowerLimit(value) : value}\n`);
}

/**
 * enabled_store() in powercap_sys.c returns ENOSYS whenever the zone has no
 * set_enable callback or the callback fails: DTPM has none; RAPL's toggles PL1's
 * enable bit and fails when PL1 is absent (AMD: energy only) or locked by firmware.
 * A control type's own `enabled` (one level below the root) is left alone.
 */
function refuseEnable(snap: SnapshotFile, rel: string, controlType: string): void {
  const dir = rel.slice(0, rel.lastIndexOf('/'));
  if (!dir.includes(':')) return;
  if (controlType === DTPM_CONTROL_TYPE) throw new SysfsError('ENOSYS', rel);
  if (isRaplType(controlType)) {
    const pl1 = snap.powercap.attr(`${dir}/constraint_0_power_limit_uw`);
    if (pl1 === undefined || (typeof pl1 === 'object' && pl1.writeErrno)) throw new SysfsError('ENOSYS', rel);
  }
}

/** set_power_limit_uw() on a DTPM node: clamp, split by weight, store what each node applied. */
function writeDtpmLimit(snap: SnapshotFile, zoneId: string, value: bigint, onNote: NoteHandler): void {
  const pc = readPowercapTree(snap.powercap);
  const domains = snap.energyModel ? readEnergyModel(snap.energyModel) : [];
  const forest = buildDtpmForest(pc, snap.registry, domains);
  const node = forest.byZone.get(zoneId);
  if (!node) throw new SysfsError('ENOENT', zoneId);
  const requested = value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  for (const step of setPowerLimitUw(node, requested)) {
    const z = forest.zoneOf.get(step.node)!;
    snap.powercap.setText(zoneAttr(z, 'constraint_0_power_limit_uw'), `${step.appliedUw}\n`);
    if (step.warning) onNote(step.warning);
  }
}
