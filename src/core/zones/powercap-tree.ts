/**
 * The zone model: control types and zones read through a Source (powercap_sys.c).
 *
 * Discovery accepts both layouts and builds the same tree from each:
 * - class layout (/sys/class/powercap): a flat link per control type and zone;
 * - devices layout (/sys/devices/virtual/powercap): control types holding nested zones.
 * A zone's directory is `<parent-dir-name>:<id in hex>` (powercap_sys.c names it
 * "%s:%x"), so descending only into children named that way never follows
 * `device`/`subsystem` links, never loops, and skips `power/`.
 */
import * as nodePath from 'node:path';
import { notFound, type PowercapError } from '../errors.js';
import { isNonDirectory } from '../files.js';
import { DEFAULT_ROOT, joinRel, type DirEntry, type Source, type SourceInfo } from '../source/types.js';
import type { DriverFacts } from '../source/drivers.js';

export interface Constraint {
  index: number;
  name: string | null;
  powerLimitUw: bigint | null;
  timeWindowUs: bigint | null;
  maxPowerUw: bigint | null;
  minPowerUw: bigint | null;
  maxTimeWindowUs: bigint | null;
  minTimeWindowUs: bigint | null;
  /** the cap the driver starts with (hwmon zones: powerN_cap_default); null elsewhere */
  defaultPowerUw: bigint | null;
}

export interface Zone {
  id: string;
  controlType: string;
  parent: string | null;
  /** directory of the zone, relative to the source root */
  path: string;
  depth: number;
  name: string | null;
  enabled: boolean | null;
  energyUj: bigint | null;
  maxEnergyRangeUj: bigint | null;
  powerUw: bigint | null;
  maxPowerRangeUw: bigint | null;
  constraints: Constraint[];
  /** the hwmon device's name, which is its driver's (`amdgpu`, `i915`, `xe`), for a zone of control type hwmon; null elsewhere */
  driver: string | null;
  /** attribute file → errno, for files that exist but could not be read */
  unreadable: Record<string, string>;
  /** attribute file → raw text, for files whose content did not parse */
  invalid: Record<string, string>;
  /** attribute files present in the zone directory */
  files: Set<string>;
  children: Zone[];
}

export interface ControlType {
  name: string;
  path: string;
  enabled: boolean | null;
  unreadable: Record<string, string>;
  invalid: Record<string, string>;
}

export interface PowercapTree {
  source: SourceInfo;
  controlTypes: ControlType[];
  /** every zone, in tree order: parents before children, siblings by numeric id */
  zones: Zone[];
  byId: Map<string, Zone>;
  /** what the drivers know and sysfs does not show, where the source records it (a snapshot) */
  drivers?: DriverFacts | undefined;
}

export const CONSTRAINT_SUFFIXES = [
  'power_limit_uw', 'time_window_us', 'name', 'max_power_uw', 'min_power_uw', 'max_time_window_us', 'min_time_window_us',
] as const;
const CONSTRAINT_RE = /^constraint_([0-9]+)_(.+)$/;
const ZONE_ID_RE = /^[^:/]+(?::[0-9a-f]+)+$/;
const IGNORED = new Set(['power', 'uevent', 'subsystem', 'device', 'driver', 'firmware_node', 'of_node']);

export const isZoneId = (s: string) => ZONE_ID_RE.test(s);

/** `intel-rapl:0:a` → ['intel-rapl', 0, 10] for ordering. */
function idKey(id: string): [string, number[]] {
  const parts = id.split(':');
  return [parts[0]!, parts.slice(1).map((h) => parseInt(h, 16))];
}

const idKeys = new Map<string, [string, number[]]>();
const cachedIdKey = (id: string): [string, number[]] => {
  let k = idKeys.get(id);
  if (k === undefined) idKeys.set(id, (k = idKey(id)));
  return k;
};

/** Numeric order of zone ids by their hex components: `:2` before `:a` before `:10`. */
export function compareZoneIds(a: string, b: string): number {
  const [ta, na] = cachedIdKey(a);
  const [tb, nb] = cachedIdKey(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  for (let i = 0; i < Math.min(na.length, nb.length); i++) if (na[i] !== nb[i]) return na[i]! - nb[i]!;
  return na.length - nb.length;
}

export function parentIdOf(id: string): string | null {
  const i = id.lastIndexOf(':');
  const p = id.slice(0, i);
  return p.includes(':') ? p : null;
}

export const controlTypeOf = (id: string): string => id.slice(0, id.indexOf(':') < 0 ? id.length : id.indexOf(':'));

// ------------------------------------------------------------ parsing values

const S64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/**
 * A kernel integer attribute. sysfs prints u64 counters with %lld, so a value
 * above 2^63 reads negative: it is kept as the signed value it reads, not mangled.
 */
export function parseKernelInt(text: string): bigint | undefined {
  const t = text.trim();
  if (!/^-?[0-9]{1,20}$/.test(t)) return undefined;
  const v = BigInt(t);
  return v < S64_MIN || v > U64_MAX ? undefined : v;
}

/** Attribute text without the kernel's trailing newline. */
export const attrText = (text: string) => text.replace(/\n$/, '');

interface Collected {
  unreadable: Record<string, string>;
  invalid: Record<string, string>;
}

function readInt(source: Source, dir: string, file: string, files: Set<string>, c: Collected): bigint | null {
  if (!files.has(file)) return null;
  const r = source.read(joinRel(dir, file));
  if (!r.ok) {
    c.unreadable[file] = r.errno;
    return null;
  }
  const v = parseKernelInt(r.text);
  if (v === undefined) {
    c.invalid[file] = attrText(r.text);
    return null;
  }
  return v;
}

function readBool(source: Source, dir: string, file: string, files: Set<string>, c: Collected): boolean | null {
  if (!files.has(file)) return null;
  const r = source.read(joinRel(dir, file));
  if (!r.ok) {
    c.unreadable[file] = r.errno;
    return null;
  }
  const t = r.text.trim();
  if (t === '0' || t === '1') return t === '1';
  c.invalid[file] = attrText(r.text);
  return null;
}

function readText(source: Source, dir: string, file: string, files: Set<string>, c: Collected): string | null {
  if (!files.has(file)) return null;
  const r = source.read(joinRel(dir, file));
  if (!r.ok) {
    c.unreadable[file] = r.errno;
    return null;
  }
  return attrText(r.text);
}

function readConstraints(source: Source, dir: string, files: Set<string>, c: Collected): Constraint[] {
  const indexes = new Set<number>();
  for (const f of files) {
    const m = CONSTRAINT_RE.exec(f);
    if (m) indexes.add(Number(m[1]));
  }
  return [...indexes].sort((a, b) => a - b).map((n) => {
    const p = `constraint_${n}_`;
    return {
      index: n,
      name: readText(source, dir, p + 'name', files, c),
      powerLimitUw: readInt(source, dir, p + 'power_limit_uw', files, c),
      timeWindowUs: readInt(source, dir, p + 'time_window_us', files, c),
      maxPowerUw: readInt(source, dir, p + 'max_power_uw', files, c),
      minPowerUw: readInt(source, dir, p + 'min_power_uw', files, c),
      maxTimeWindowUs: readInt(source, dir, p + 'max_time_window_us', files, c),
      minTimeWindowUs: readInt(source, dir, p + 'min_time_window_us', files, c),
      defaultPowerUw: readInt(source, dir, p + 'default_power_uw', files, c),
    };
  });
}

const fileSet = (entries: DirEntry[]) => new Set(entries.filter((e) => e.kind === 'file' && e.name !== 'uevent').map((e) => e.name));

/** Read one zone's attributes from its directory listing. */
export function readZone(source: Source, id: string, path: string, entries: DirEntry[]): Zone {
  const files = fileSet(entries);
  const c: Collected = { unreadable: {}, invalid: {} };
  const name = readText(source, path, 'name', files, c);
  return {
    id,
    controlType: controlTypeOf(id),
    parent: parentIdOf(id),
    path,
    depth: id.split(':').length - 2,
    name,
    enabled: readBool(source, path, 'enabled', files, c),
    energyUj: readInt(source, path, 'energy_uj', files, c),
    maxEnergyRangeUj: readInt(source, path, 'max_energy_range_uj', files, c),
    powerUw: readInt(source, path, 'power_uw', files, c),
    maxPowerRangeUw: readInt(source, path, 'max_power_range_uw', files, c),
    constraints: readConstraints(source, path, files, c),
    driver: readText(source, path, 'hwmon_name', files, c),
    unreadable: c.unreadable,
    invalid: c.invalid,
    files,
    children: [],
  };
}

interface Found {
  path: string;
  entries: DirEntry[];
}

/** Walk the source and find every control type and zone directory (see the module comment). */
export function discover(source: Source): { controlTypes: Map<string, Found>; zones: Map<string, Found> } {
  const rootEntries = source.list('');
  if (rootEntries === null) throw missingTree(source.info);
  const controlTypes = new Map<string, Found>();
  const zones = new Map<string, Found>();

  const descend = (dirName: string, path: string, entries: DirEntry[]) => {
    const prefix = dirName + ':';
    for (const e of entries) {
      // zone directories are real directories inside their parent; links (device, subsystem) are never followed
      if (e.kind !== 'dir' || !e.name.startsWith(prefix) || !/^[0-9a-f]+$/.test(e.name.slice(prefix.length))) continue;
      if (zones.has(e.name)) continue;
      const p = joinRel(path, e.name);
      const sub = source.list(p);
      if (!sub) continue;
      zones.set(e.name, { path: p, entries: sub });
      descend(e.name, p, sub);
    }
  };

  const candidates = rootEntries.filter((e) => !IGNORED.has(e.name) && (e.kind === 'dir' || e.kind === 'link'));
  // control types first: in the class layout their links lead to the nested zones,
  // so the flat zone links below are then already known and cost nothing.
  for (const e of candidates) {
    if (e.name.includes(':') || (e.kind === 'link' && !source.isDir(e.name))) continue;
    const entries = source.list(e.name);
    if (!entries) continue;
    controlTypes.set(e.name, { path: e.name, entries });
    descend(e.name, e.name, entries);
  }
  for (const e of candidates) {
    if (!isZoneId(e.name) || zones.has(e.name)) continue;
    if (e.kind === 'link' && !source.isDir(e.name)) continue;
    const entries = source.list(e.name);
    if (!entries) continue;
    zones.set(e.name, { path: e.name, entries });
    descend(e.name, e.name, entries);
  }
  // a live directory with neither control types nor zones: a VM whose /sys/class/powercap
  // exists but is empty, or a wrong root. (An empty snapshot is a DTPM board being set up.)
  if (source.info.kind === 'live' && controlTypes.size === 0 && zones.size === 0) {
    throw notFound(`no powercap zones under ${source.info.root}`,
      'usual in VMs and containers; on hardware, load the driver (modprobe intel_rapl_msr; dtpm on Arm boards)', 'no-powercap');
  }
  return { controlTypes, zones };
}

/** The root is not there: say which path; the CLI words what to do for the default root and for another (cli/hints.ts). */
function missingTree(info: SourceInfo): PowercapError {
  if (info.kind !== 'live') return notFound(`no powercap tree in ${info.file}`);
  if (nodePath.resolve(info.root) === DEFAULT_ROOT) {
    return notFound(`this machine exposes no powercap zones (${info.root} does not exist)`,
      'a VM or container, or a kernel without CONFIG_POWERCAP', 'no-powercap');
  }
  // no tree is there either way (exit 3), but a file named as the tree is said as such
  return notFound(`${info.root} ${isNonDirectory(info.root) ? 'is not a directory' : 'does not exist'}`, undefined, 'root-not-tree');
}

/** Read the whole tree. Throws exit 3 when the root does not exist. */
export function readPowercapTree(source: Source): PowercapTree {
  const found = discover(source);
  const zones = new Map<string, Zone>();
  for (const [id, f] of found.zones) zones.set(id, readZone(source, id, f.path, f.entries));

  const controlTypes: ControlType[] = [];
  const typeNames = new Set<string>([...found.controlTypes.keys()]);
  for (const z of zones.values()) typeNames.add(z.controlType);
  for (const name of [...typeNames].sort()) {
    const f = found.controlTypes.get(name);
    const c: Collected = { unreadable: {}, invalid: {} };
    const enabled = f ? readBool(source, f.path, 'enabled', fileSet(f.entries), c) : null;
    controlTypes.push({ name, path: f?.path ?? name, enabled, unreadable: c.unreadable, invalid: c.invalid });
  }

  // link children to parents; a zone whose parent is missing is shown at the top
  const roots: Zone[] = [];
  for (const z of zones.values()) {
    const parent = z.parent ? zones.get(z.parent) : undefined;
    if (parent) parent.children.push(z);
    else {
      if (z.parent) z.parent = null;
      roots.push(z);
    }
  }
  const ordered: Zone[] = [];
  const visit = (list: Zone[]) => {
    list.sort((a, b) => compareZoneIds(a.id, b.id));
    for (const z of list) {
      ordered.push(z);
      visit(z.children);
    }
  };
  visit(roots);
  idKeys.clear();
  return { source: source.info, controlTypes, zones: ordered, byId: zones, drivers: source.drivers };
}

/** The constraint people mean when they name none: long_term if present, else the only/first one. */
export function defaultConstraint(zone: Zone): Constraint | undefined {
  return zone.constraints.find((c) => c.name === 'long_term') ?? zone.constraints[0];
}

/** The attribute path of a zone file. */
export const zoneAttr = (zone: Pick<Zone, 'path'>, file: string) => joinRel(zone.path, file);
