/**
 * The emulated source: a snapshot's powercap tree behind the one Source interface, with the
 * kernel emulated on write: what sysfs would do (powercap_sys.c stores, then the control type's
 * driver, whose arithmetic is in core/kernel), applied to the snapshot's attribute tree. Every
 * change to a snapshot goes through here, as it goes through the kernel on a live tree: attribute
 * writes (`write`), DTPM nodes made and removed (`makeDtpmNodes`, `removeDtpmNode`: the mkdir and
 * rmdir of the seed's configfs interface, which registers them with dtpm.c) and power devices
 * registered (`registerDevice`, `unregisterDevice`: the seed's dtpm_add / dtpm_del).
 * What the emulation did that a user should know (clamps, guards) is reported through `onNote`.
 * GPU caps (zones of control type hwmon, core/source/hwmon.ts) are stored as their drivers store
 * them (kernel/hwmon.ts). The snapshot module itself only reads, validates and writes files.
 */
import { SysfsError } from '../errors.js';
import type { RegistryEntry, SnapshotFile } from '../snapshot/file.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';
import type { AttrValue, DirNode } from './tree.js';
import { readPowercapTree, zoneAttr, type PowercapTree, type Zone } from '../zones/powercap-tree.js';
import { readEnergyModel, type PerfDomain } from '../em/debugfs.js';
import { buildDtpmForest, DTPM_CONTROL_TYPE, zoneSpecs } from '../dtpm/fromTree.js';
import { buildHierarchy, type Hierarchy } from '../dtpm/hierarchy.js';
import { addDevice, removeDevice, type AddDeviceOptions } from '../dtpm/registry.js';
import { maxPowerRangeUw, setPowerLimitUw, type DtpmNode } from '../kernel/dtpm.js';
import { quantizePowerLimit, computeTimeWindow, timeWindowOverflows, isRaplType, powerLimitMask } from '../kernel/rapl.js';
import { SCMI_CONTROL_TYPE } from '../kernel/scmi-powercap.js';
import { raplInterfaceOf, type DriverFacts } from './drivers.js';
import { emulateScmiWrite } from './emulated-scmi.js';
import { capIsPowerMax, isHwmonType, kstrtoInt, storeMaxIntervalMs, storePowerCap, usToMs } from '../kernel/hwmon.js';

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

/** A DTPM node to make: its name and its parent, a zone id that exists, an earlier node of the same call (its index), or null for the root. */
export interface NewDtpmNode {
  name: string;
  parent: string | number | null;
}

export class EmulatedSource implements Source {
  readonly info: SourceInfo;
  constructor(
    readonly snapshot: SnapshotFile,
    private readonly onNote: NoteHandler = () => {},
  ) {
    this.info = snapshot.powercap.info;
  }

  get drivers(): DriverFacts | undefined {
    return this.snapshot.doc.drivers;
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

  // ---------------------------------------------------------------- DTPM nodes and devices

  /** The DTPM hierarchy the snapshot holds now: its `dtpm` zones, devices by the registry (seed 000: only registered names are devices). */
  dtpmHierarchy(tree: PowercapTree = readPowercapTree(this.snapshot.powercap)): Hierarchy {
    return buildHierarchy(zoneSpecs(tree).specs, this.snapshot.registry, snapshotDomains(this.snapshot));
  }

  /**
   * mkdir in the seed's configfs, for each node in order: dtpm_register() with a parent (EBUSY for a
   * second root, EINVAL under a device: dtpm.c), a zone with the lowest free id under its parent
   * (powercap_sys.c's idr), then every node's bounds, weights and attributes as the kernel computes
   * them (a new leaf's limit is its max, a new virtual node's 0, as after boot; stored limits are
   * kept). Linear in the number of nodes: a 100 000-node import stays fast (docs/security.md).
   */
  makeDtpmNodes(nodes: readonly NewDtpmNode[]): { zoneIds: string[]; hierarchy: Hierarchy } {
    const before = this.dtpmHierarchy();
    const byZone = new Map(before.nodes.map((n) => [n.zoneId!, n]));
    let hasRoot = before.roots.length > 0;
    const ids = new ZoneIds(this.snapshot);
    const zoneIds: string[] = [];
    for (const n of nodes) {
      const parentZone = typeof n.parent === 'number' ? zoneIds[n.parent]! : n.parent;
      const where = parentZone ?? DTPM_CONTROL_TYPE;
      if (parentZone === null && hasRoot) throw new SysfsError('EBUSY', n.name, `${n.name}: the DTPM root exists (dtpm_register: -EBUSY)`);
      const parent: DtpmNode | undefined = parentZone === null ? undefined : byZone.get(parentZone);
      if (parent?.device) throw new SysfsError('EINVAL', `${where}/${n.name}`, `${where}/${n.name}: a device node has no children (dtpm_register: -EINVAL)`);
      const zid = ids.add(parentZone, n.name);
      zoneIds.push(zid);
      hasRoot = true;
      // a device placed again reads what it read before it was removed: the reading is the device's (ops->get_power_uw), not its zone's
      const reading = this.snapshot.registry.find((e) => e.name === n.name)?.powerUw;
      if (typeof reading === 'number') ids.dir(zid).attrs!.power_uw = `${reading}\n`;
    }
    return { zoneIds, hierarchy: this.rewriteDtpmZones() };
  }

  /**
   * rmdir in the seed's configfs: dtpm_unregister() of the node; with `subtree`, of every node under
   * it first, children before parents (__dtpm_destroy_hierarchy). A node with children otherwise
   * stays (dtpm_release_zone: -EBUSY). What remains is recomputed.
   */
  removeDtpmNode(zoneId: string, o: { subtree?: boolean } = {}): Hierarchy {
    const { zone, parentDir, key } = zoneDir(this.snapshot, zoneId);
    if (!o.subtree && zone.children.length > 0) throw new SysfsError('EBUSY', zoneId, `${zoneId}: the node has children (dtpm_release_zone: -EBUSY)`);
    // each device removed keeps its reading with its registry entry, for when it is placed again
    const removed = [zone];
    for (let i = 0; i < removed.length; i++) removed.push(...removed[i]!.children);
    for (const z of removed) {
      const entry = z.name === null ? undefined : this.snapshot.registry.find((e) => e.name === z.name);
      if (entry && z.powerUw !== null) entry.powerUw = Number(z.powerUw);
    }
    delete parentDir.dirs![key];
    if (Object.keys(parentDir.dirs!).length === 0) delete parentDir.dirs;
    return this.rewriteDtpmZones();
  }

  /** dtpm_add of the seed: a power device registered, with a new energy-model domain when the options carry its table (registry.ts addDevice says what is refused). */
  registerDevice(name: string, o: AddDeviceOptions): RegistryEntry {
    return addDevice(this.snapshot.doc, this.dtpmHierarchy(), name, o);
  }

  /** dtpm_del of the seed: a device unregistered, refused while it is placed (registry.ts removeDevice). */
  unregisterDevice(name: string): RegistryEntry {
    return removeDevice(this.snapshot.doc, this.dtpmHierarchy(), name);
  }

  /** The whole hierarchy recomputed from the zones, and every node's attributes rewritten. */
  private rewriteDtpmZones(): Hierarchy {
    const tree = readPowercapTree(this.snapshot.powercap);
    const h = this.dtpmHierarchy(tree);
    for (const n of h.nodes) {
      const dir = this.snapshot.powercap.dir(tree.byId.get(n.zoneId!)!.path)!;
      dir.attrs = dtpmZoneAttrs(dir.attrs ?? {}, n);
    }
    return h;
  }
}

/** The snapshot's energy model as the document holds it now (a domain may have been added since it was opened). */
export function snapshotDomains(snap: SnapshotFile): PerfDomain[] {
  return snap.energyModel ? readEnergyModel(snap.energyModel) : [];
}

/** The directory of a DTPM zone (by id) in the snapshot, with its parent directory and its key there. */
function zoneDir(snap: SnapshotFile, zoneId: string): { zone: Zone; dir: DirNode; parentDir: DirNode; key: string } {
  const z = readPowercapTree(snap.powercap).byId.get(zoneId);
  if (!z || z.controlType !== DTPM_CONTROL_TYPE) throw new SysfsError('ENOENT', zoneId);
  const i = z.path.lastIndexOf('/');
  const parentDir = i < 0 ? snap.doc.powercap : snap.powercap.dir(z.path.slice(0, i))!;
  return { zone: z, dir: snap.powercap.dir(z.path)!, parentDir, key: z.path.slice(i + 1) };
}

/**
 * New DTPM zone directories with the lowest free id under each parent, as powercap_sys.c's idr
 * gives them; what one call has made is kept (the directories by id and, per parent, the ids in
 * use and the lowest one possibly free), so that adding 100 000 zones stays linear.
 */
class ZoneIds {
  private readonly dirs = new Map<string, DirNode>();
  private readonly ids = new Map<string, { used: Set<number>; next: number }>();
  constructor(private readonly snap: SnapshotFile) {}

  /** a new zone directory `name` under `parentZone` (null: at the top of the control type); its id */
  add(parentZone: string | null, name: string): string {
    const parentDir = parentZone === null ? this.typeDir() : (this.dirs.get(parentZone) ?? zoneDir(this.snap, parentZone).dir);
    const base = parentZone ?? DTPM_CONTROL_TYPE;
    let ids = this.ids.get(base);
    if (!ids) {
      const used = new Set<number>();
      const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:([0-9a-f]+)$`);
      for (const k of Object.keys(parentDir.dirs ?? {})) {
        const m = re.exec(k);
        if (m) used.add(parseInt(m[1]!, 16));
      }
      ids = { used, next: 0 };
      this.ids.set(base, ids);
    }
    let id = ids.next;
    while (ids.used.has(id)) id++;
    ids.used.add(id);
    ids.next = id + 1;
    const zid = `${base}:${id.toString(16)}`;
    const dir: DirNode = { attrs: { name: `${name}\n` } };
    (parentDir.dirs ??= {})[zid] = dir;
    this.dirs.set(zid, dir);
    return zid;
  }

  /** a directory this call made */
  dir(zid: string): DirNode {
    return this.dirs.get(zid)!;
  }

  /** the `dtpm` control type's directory, made when the first node is (powercap_register_control_type) */
  private typeDir(): DirNode {
    const dirs = (this.snap.doc.powercap.dirs ??= {});
    return (dirs[DTPM_CONTROL_TYPE] ??= { attrs: { enabled: '1\n' } });
  }
}

/** The attributes of a DTPM zone as the kernel exposes them (dtpm.c), keeping what is already stored. */
function dtpmZoneAttrs(old: Record<string, AttrValue>, n: DtpmNode): Record<string, AttrValue> {
  const a: Record<string, AttrValue> = { ...old };
  const set = (k: string, text: string) => {
    const prev = a[k];
    a[k] = typeof prev === 'object' && prev.writeErrno ? { text, writeErrno: prev.writeErrno } : text;
  };
  set('name', `${n.name}\n`);
  if (a.enabled === undefined) a.enabled = '1\n';
  // a leaf keeps its own reading; a virtual node reads the sum of its children
  if (!n.device || a.power_uw === undefined) set('power_uw', `${n.powerUw}\n`);
  set('max_power_range_uw', `${maxPowerRangeUw(n)}\n`);
  if (a.constraint_0_name === undefined) a.constraint_0_name = 'Instantaneous\n';
  set('constraint_0_max_power_uw', `${n.powerMaxUw}\n`);
  set('constraint_0_power_limit_uw', `${n.powerLimitUw}\n`);
  if (a.constraint_0_time_window_us === undefined) a.constraint_0_time_window_us = { errno: 'ENODATA', writeErrno: 'ENODATA' };
  const sorted: Record<string, AttrValue> = {};
  for (const k of Object.keys(a).sort()) sorted[k] = a[k]!;
  return sorted;
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
  if (isHwmonType(controlType)) {
    writeHwmonConstraint(snap, rel, m![1]!, m![2]!, text);
    return;
  }
  if (file === 'enabled') {
    const b = kstrtobool(text);
    if (b === null) throw new SysfsError('EINVAL', rel);
    if (controlType === SCMI_CONTROL_TYPE && zoneId.includes(':')) return emulateScmiWrite(snap, rel, { file, enable: b });
    refuseEnable(snap, rel, controlType);
    tree.setText(rel, b ? '1\n' : '0\n');
    return;
  }
  const value = kstrtoull(text);
  if (value === null) throw new SysfsError('EINVAL', rel);
  const isRapl = isRaplType(controlType);
  if (controlType === SCMI_CONTROL_TYPE) {
    if (typeof stored === 'object' && stored.errno) throw new SysfsError('ENODATA', rel);
    return emulateScmiWrite(snap, rel, { file: m![2] as 'power_limit_uw' | 'time_window_us', value });
  }

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
  if (isRapl) {
    // the limit field of this constraint in this interface's register layout (kernel/rapl.ts powerLimitMask)
    const name = tree.read(`${splitRel(rel).dir}/constraint_${m![1]}_name`);
    const mask = powerLimitMask(raplInterfaceOf(controlType, snap.doc.drivers)!, name.ok ? name.text.trim() : null);
    tree.setText(rel, `${quantizePowerLimit(value, mask)}\n`);
    return;
  }
  tree.setText(rel, `${value}\n`);
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

/**
 * A GPU's cap or window, stored as its driver stores it (kernel/hwmon.ts): the zone's driver is
 * its `hwmon_name`, amdgpu's range its constraint's min and max power.
 */
function writeHwmonConstraint(snap: SnapshotFile, rel: string, index: string, what: string, text: string): void {
  const dir = rel.slice(0, rel.lastIndexOf('/'));
  const read = (f: string): string | null => {
    const r = snap.powercap.read(`${dir}/${f}`);
    return r.ok ? r.text.replace(/\n$/, '') : null;
  };
  const int = (f: string): bigint | null => {
    const t = read(f);
    return t !== null && /^[0-9]+$/.test(t) ? BigInt(t) : null;
  };
  const driver = read('hwmon_name');
  if (what === 'power_limit_uw') {
    const r = storePowerCap(driver, text, { minUw: int(`constraint_${index}_min_power_uw`), maxUw: int(`constraint_${index}_max_power_uw`) });
    if (typeof r !== 'bigint') throw new SysfsError(r.errno, rel);
    snap.powercap.setText(rel, `${r}\n`);
    return;
  }
  // the window: µs here, whole ms in the driver's attribute
  const us = kstrtoInt(text, false);
  if (us === null) throw new SysfsError('EINVAL', rel);
  const ms = capIsPowerMax(driver) ? storeMaxIntervalMs(usToMs(us)) : usToMs(us);
  if (typeof ms !== 'bigint') throw new SysfsError(ms.errno, rel);
  snap.powercap.setText(rel, `${ms * 1000n}\n`);
}

/** set_power_limit_uw() on a DTPM node: clamp, split by weight, store what each node applied. */
function writeDtpmLimit(snap: SnapshotFile, zoneId: string, value: bigint, onNote: NoteHandler): void {
  const forest = buildDtpmForest(readPowercapTree(snap.powercap), snap.registry, snapshotDomains(snap));
  const node = forest.byZone.get(zoneId);
  if (!node) throw new SysfsError('ENOENT', zoneId);
  const requested = value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  for (const step of setPowerLimitUw(node, requested)) {
    const z = forest.zoneOf.get(step.node)!;
    snap.powercap.setText(zoneAttr(z, 'constraint_0_power_limit_uw'), `${step.appliedUw}\n`);
    if (step.warning) onNote(step.warning);
  }
}
