/**
 * GPU power caps (and other hwmon power readings) as powercap zones of control type `hwmon`.
 *
 * The kernel exposes a GPU's power cap through hwmon (drivers/hwmon/hwmon.c: /sys/class/hwmon/hwmonN,
 * a link to the device's `hwmon/hwmonN`, with `name` and a `device` link), not through powercap. This
 * source shows each hwmon device that has a power cap or a power or energy reading as a powercap
 * control type `hwmon` holding one zone directory per power domain, so that everything above the
 * Source interface (the zone model, set-limit, apply, watch, the exporter, balance, snapshots) reads
 * and writes it as any other zone:
 *
 *   name                          driver and channel label (`amdgpu-PPT`, `i915`, `xe-card`)
 *   power_uw                      powerN_average, else powerN_input (µW)
 *   energy_uj                     energyN_input (µJ; a 64-bit accumulator, no wrap range)
 *   constraint_K_name             powerN_label, else the cap's attribute name (`power1_max`)
 *   constraint_K_power_limit_uw   powerN_cap (i915, xe: powerN_max, their PL1), read-write
 *   constraint_K_min_power_uw     powerN_cap_min
 *   constraint_K_max_power_uw     powerN_cap_max, else powerN_rated_max (i915, xe: the TDP)
 *   constraint_K_default_power_uw powerN_cap_default
 *   constraint_K_time_window_us   powerN_max_interval (ms there, µs here), read-write
 *   hwmon_name, hwmon_device      the hwmon device's `name` (the driver), the device it belongs to
 *
 * Channels: amdgpu's power2 is a second limit (fast PPT) on the one reading of power1, so its caps
 * are constraints 0 and 1 of one zone (amdgpu_pm.c); elsewhere each power/energy channel is a zone
 * (xe: card and pkg). Ids come from the device, never from `hwmonN` (its number changes across
 * boots): a PCI device 0000:03:00.0 is `hwmon:3000` (domain, bus, device, function in hex digits
 * dddd bb dd f); another device a hash of its path under /sys/devices. A device's first zone (by
 * hwmon name, then channel) takes that id; its further zones (xe's pkg inside card, i915's
 * per-GT counters) are its subzones `hwmon:3000:1`, `:2`, ….
 *
 * The hwmon root is listed the first time the tree is, so that a command that reads no zones
 * never touches it; attribute values are read through the same reader as powercap's (regular
 * files of at most a page).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { SysfsError, notFound } from '../errors.js';
import { isNonDirectory } from '../files.js';
import { HWMON_CONTROL_TYPE, AMDGPU, capIsPowerMax, kstrtoInt, usToMs } from '../kernel/hwmon.js';
import { LiveSource } from './live.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';

export const DEFAULT_HWMON_ROOT = '/sys/class/hwmon';

/** Where a file of a zone comes from: a hwmon attribute (scaled from ms to µs), or fixed text. */
type VFile =
  | { kind: 'attr'; dir: string; attr: string; ms?: true }
  | { kind: 'text'; text: string }
  | { kind: 'name'; dir: string; label: string | null };

interface HwZone {
  id: string;
  /** the zone's directory in this source: `hwmon/hwmon:3000`, a subzone nested below it */
  path: string;
  files: Map<string, VFile>;
  children: HwZone[];
}

/** Why the hwmon root gave no zones, when it could not be read. */
export interface HwmonProblem {
  path: string;
  errno: string;
}

const CHANNEL_RE = /^(power|energy)([0-9]+)_([a-z_]+)$/;
const PCI_RE = /^([0-9a-f]{4,5}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** A PCI address as one hex number, its digits those of the address: 0000:03:00.0 → 0x3000, 0000:c1:00.0 → 0xc1000. */
export function pciZoneNumber(address: string): bigint | null {
  const m = PCI_RE.exec(address);
  if (!m) return null;
  const [dom, bus, dev, fn] = m.slice(1).map((h) => BigInt(parseInt(h, 16))) as [bigint, bigint, bigint, bigint];
  return (dom << 20n) | (bus << 12n) | (dev << 4n) | fn;
}

/** A device that is not on PCI: FNV-1a of its path under /sys/devices, above every PCI number (2^40 and up). */
export function pathZoneNumber(devicePath: string): bigint {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(devicePath, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return (1n << 40n) + BigInt(h);
}

/** The device's path below `devices/` (the part that stays the same wherever the tree is copied). */
const underDevices = (p: string): string => {
  const i = p.lastIndexOf('/devices/');
  return i < 0 ? p : p.slice(i + '/devices/'.length);
};

/** One numbered power/energy channel of a hwmon device, with the device's folder (`hwmon3`). */
interface Channel {
  n: number;
  dir: string;
  files: Set<string>;
}

/** The power and energy channels of a device's attribute files, by number. */
function channelsOf(dir: string, files: Set<string>): Channel[] {
  const out = new Map<number, Channel>();
  for (const f of files) {
    const m = CHANNEL_RE.exec(f);
    if (!m) continue;
    const n = Number(m[2]);
    let c = out.get(n);
    if (!c) out.set(n, (c = { n, dir, files: new Set() }));
    c.files.add(f);
  }
  return [...out.values()].sort((a, b) => a.n - b.n);
}

const has = (c: Channel, f: string) => c.files.has(f);
const capAttr = (c: Channel, driver: string | null): string | null =>
  has(c, `power${c.n}_cap`) ? `power${c.n}_cap` : capIsPowerMax(driver) && has(c, `power${c.n}_max`) ? `power${c.n}_max` : null;
const readingAttr = (c: Channel): string | null =>
  has(c, `power${c.n}_average`) ? `power${c.n}_average` : has(c, `power${c.n}_input`) ? `power${c.n}_input` : null;
const isZoneChannel = (c: Channel, driver: string | null) =>
  capAttr(c, driver) !== null || readingAttr(c) !== null || has(c, `energy${c.n}_input`);

/** A power domain: the channels of one zone (amdgpu: all of the device's; elsewhere one), and what it needs of its hwmon device. */
interface Domain {
  driver: string | null;
  /** the hwmon device has a `name` file */
  named: boolean;
  channels: Channel[];
}

interface Device {
  /** the id number of the device the hwmon devices belong to */
  number: bigint;
  /** PCI address, the path under /sys/devices, or `virtual/<name>` */
  device: string;
  domains: Domain[];
}

export class HwmonSource implements Source {
  readonly info: SourceInfo;
  private zonesCache: { top: HwZone[]; byPath: Map<string, HwZone> } | null = null;
  /** why the root gave nothing, once it was read; null when it was read (or not yet) */
  problem: HwmonProblem | null = null;
  private readonly reader: LiveSource;

  constructor(
    readonly root: string,
    private readonly o: {
      /** the root was named: its absence is an error (exit 3), not "no GPUs" */
      required?: boolean;
      /** told once when the root could not be read */
      onProblem?: ((p: HwmonProblem) => void) | undefined;
    } = {},
  ) {
    this.info = { kind: 'live', root };
    this.reader = new LiveSource(root);
  }

  /** The zones, found on first use. */
  private zones(): { top: HwZone[]; byPath: Map<string, HwZone> } {
    if (this.zonesCache) return this.zonesCache;
    const byPath = new Map<string, HwZone>();
    const top: HwZone[] = [];
    for (const d of this.devices()) {
      const base = `${HWMON_CONTROL_TYPE}:${d.number.toString(16)}`;
      const zones = d.domains.map((dom, i): HwZone => ({ id: i === 0 ? base : `${base}:${i.toString(16)}`, path: '', files: zoneFiles(d.device, dom), children: [] }));
      const [first, ...rest] = zones as [HwZone, ...HwZone[]];
      first.path = `${HWMON_CONTROL_TYPE}/${first.id}`;
      for (const z of rest) {
        z.path = `${first.path}/${z.id}`;
        first.children.push(z);
      }
      top.push(first);
      for (const z of zones) byPath.set(z.path, z);
    }
    return (this.zonesCache = { top, byPath });
  }

  /** Whether any hwmon device is a zone (the root is listed on the first call). */
  hasZones(): boolean {
    return this.zones().top.length > 0;
  }

  /**
   * The devices with a power cap or a power or energy reading, each with its power domains: its
   * hwmon devices by name (i915 before i915_gt0), each one's domains by channel. Numbers unique.
   */
  private devices(): Device[] {
    let entries: DirEntry[] | null;
    try {
      entries = this.reader.list('');
    } catch (err) {
      return this.none(err instanceof SysfsError ? err.errno : 'EIO');
    }
    if (entries === null) {
      if (this.o.required) {
        throw notFound(`${this.root} ${isNonDirectory(this.root) ? 'is not a directory' : 'does not exist'}`, undefined, 'hwmon-root-missing');
      }
      return this.none('ENOENT');
    }
    const found: Array<{ number: bigint; device: string; driver: string | null; domains: Domain[] }> = [];
    // hwmon0, hwmon1, … hwmon10 in number order (a collator per comparison would cost milliseconds)
    const num = (n: string) => Number(/[0-9]+$/.exec(n)?.[0] ?? -1);
    const dirs = entries.filter((e) => e.kind !== 'file').map((e) => e.name).sort((a, b) => num(a) - num(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const dir of dirs) {
      let list: DirEntry[] | null;
      try {
        list = this.reader.list(dir);
      } catch {
        continue; // a device this user may not look into holds no zone for us
      }
      if (!list) continue;
      const files = new Set(list.filter((e) => e.kind === 'file').map((e) => e.name));
      // a sensor without power or energy files (k10temp, coretemp, nvme) costs one listing, no read
      const all = channelsOf(dir, files);
      if (all.length === 0) continue;
      const named = files.has('name');
      const nameRead = named ? this.reader.read(`${dir}/name`) : null;
      const driver = nameRead?.ok ? nameRead.text.replace(/\n$/, '') : null;
      const channels = all.filter((c) => isZoneChannel(c, driver));
      if (channels.length === 0) continue;
      const domains = (driver === AMDGPU ? [channels] : channels.map((c) => [c])).map((ch) => ({ driver, named, channels: ch }));
      found.push({ ...this.deviceOf(dir, driver), driver, domains });
    }
    const byDevice = new Map<string, Device>();
    const byName = (a: { driver: string | null }, b: { driver: string | null }) => ((a.driver ?? '') < (b.driver ?? '') ? -1 : (a.driver ?? '') > (b.driver ?? '') ? 1 : 0);
    for (const f of found.sort(byName)) {
      // two device-less sensors of one name are two devices
      const key = f.device.startsWith('virtual/') ? `${f.device}/${f.domains[0]!.channels[0]!.dir}` : f.device;
      const d = byDevice.get(key);
      if (d) d.domains.push(...f.domains);
      else byDevice.set(key, { number: f.number, device: f.device, domains: [...f.domains] });
    }
    // two devices whose numbers clash (a hash, two device-less sensors of one name): the later moves up
    const taken = new Set<bigint>();
    const out = [...byDevice.values()].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
    for (const d of out) {
      while (taken.has(d.number)) d.number++;
      taken.add(d.number);
    }
    return out;
  }

  /** No GPUs: the root could not be read. Said once. */
  private none(errno: string): Device[] {
    this.problem = { path: this.root, errno };
    this.o.onProblem?.(this.problem);
    return [];
  }

  /** The id number and the device of a hwmon device: its `device` link's PCI address, else its path. */
  private deviceOf(dir: string, driver: string | null): { number: bigint; device: string } {
    let target: string | null = null;
    try {
      target = fs.realpathSync.native(nodePath.join(this.root, dir, 'device'));
    } catch { /* no parent device: a virtual hwmon device */ }
    if (target === null) {
      const device = `virtual/${driver ?? dir}`;
      return { number: pathZoneNumber(device), device };
    }
    const base = nodePath.basename(target);
    const pci = pciZoneNumber(base);
    if (pci !== null) return { number: pci, device: base };
    const device = underDevices(target);
    return { number: pathZoneNumber(device), device };
  }

  // ---------------------------------------------------------------- Source

  list(rel: string): DirEntry[] | null {
    if (rel === '') return this.hasZones() ? [{ name: HWMON_CONTROL_TYPE, kind: 'dir' }] : [];
    const { top, byPath } = this.zones();
    if (rel === HWMON_CONTROL_TYPE) return top.length ? top.map((z) => ({ name: z.id, kind: 'dir' as const })) : null;
    const z = byPath.get(rel);
    if (!z) return null;
    return [
      ...[...z.files.keys()].map((name) => ({ name, kind: 'file' as const })),
      ...z.children.map((c) => ({ name: c.id, kind: 'dir' as const })),
    ];
  }

  isDir(rel: string): boolean {
    return rel === '' || (rel === HWMON_CONTROL_TYPE && this.hasZones()) || this.zones().byPath.has(rel);
  }

  private fileOf(rel: string): VFile | undefined {
    const i = rel.lastIndexOf('/');
    return this.zones().byPath.get(rel.slice(0, i))?.files.get(rel.slice(i + 1));
  }

  read(rel: string): ReadResult {
    const f = this.fileOf(rel);
    if (!f) return { ok: false, errno: this.isDir(rel) ? 'EISDIR' : 'ENOENT' };
    if (f.kind === 'text') return { ok: true, text: f.text };
    if (f.kind === 'name') {
      const r = this.reader.read(`${f.dir}/name`);
      if (!r.ok || f.label === null) return r;
      const label = this.reader.read(`${f.dir}/${f.label}`);
      const words = label.ok ? label.text.trim().split(/\s+/).filter(Boolean) : [];
      return { ok: true, text: [r.text.replace(/\n$/, ''), ...words].join('-') + '\n' };
    }
    const r = this.reader.read(`${f.dir}/${f.attr}`);
    if (!r.ok || !f.ms) return r;
    // milliseconds there, microseconds here; text that is no number is passed on as it reads
    const ms = /^[0-9]+\n?$/.test(r.text) ? BigInt(r.text.trim()) : null;
    return ms === null ? r : { ok: true, text: `${ms * 1000n}\n` };
  }

  write(rel: string, text: string): void {
    const f = this.fileOf(rel);
    if (!f) throw new SysfsError(this.isDir(rel) ? 'EISDIR' : 'ENOENT', `${this.root}/${rel}`);
    if (f.kind !== 'attr') throw new SysfsError('EACCES', `${this.root}/${rel}`, `${this.root}/${rel}: read-only attribute`);
    const us = f.ms ? kstrtoInt(text, false) : null;
    this.reader.write(`${f.dir}/${f.attr}`, us === null ? text : `${usToMs(us)}\n`);
  }
}

/** The files of one zone: its channels' attributes under the powercap names (see the module comment). */
function zoneFiles(device: string, dom: Domain): Map<string, VFile> {
  const files = new Map<string, VFile>();
  const first = dom.channels[0]!;
  const attr = (c: Channel, a: string | null, more: { ms?: true } = {}): VFile | null =>
    a !== null && has(c, a) ? { kind: 'attr', dir: c.dir, attr: a, ...more } : null;
  const put = (name: string, f: VFile | null) => { if (f) files.set(name, f); };
  const label = has(first, `power${first.n}_label`) ? `power${first.n}_label` : has(first, `energy${first.n}_label`) ? `energy${first.n}_label` : null;
  if (dom.named) {
    put('name', { kind: 'name', dir: first.dir, label });
    put('hwmon_name', { kind: 'attr', dir: first.dir, attr: 'name' });
  }
  put('hwmon_device', { kind: 'text', text: `${device}\n` });
  put('power_uw', attr(first, readingAttr(first)));
  put('energy_uj', attr(first, `energy${first.n}_input`));
  let k = 0;
  for (const c of dom.channels) {
    const cap = capAttr(c, dom.driver);
    if (cap === null) continue;
    const p = `constraint_${k}_`;
    put(p + 'name', attr(c, `power${c.n}_label`) ?? { kind: 'text', text: `${cap}\n` });
    put(p + 'power_limit_uw', attr(c, cap));
    put(p + 'min_power_uw', attr(c, `power${c.n}_cap_min`));
    put(p + 'max_power_uw', attr(c, `power${c.n}_cap_max`) ?? attr(c, `power${c.n}_rated_max`));
    put(p + 'default_power_uw', attr(c, `power${c.n}_cap_default`));
    put(p + 'time_window_us', attr(c, `power${c.n}_max_interval`, { ms: true }));
    k++;
  }
  return files;
}

/**
 * The powercap tree and the hwmon zones as one source: the root lists both, paths under
 * `hwmon/` are the hwmon source's, every other path the powercap tree's. The hwmon root is read
 * when the root is first listed. Where the powercap tree is missing or empty, a machine with
 * GPUs still has zones, unless that tree was named (a missing one named is an error there).
 */
export class PowercapWithHwmon implements Source {
  readonly info: SourceInfo;
  constructor(
    private readonly powercap: Source,
    readonly hwmon: HwmonSource,
    private readonly powercapNamed: boolean,
  ) {
    this.info = powercap.info;
  }

  private own(rel: string): boolean {
    return rel === HWMON_CONTROL_TYPE || rel.startsWith(`${HWMON_CONTROL_TYPE}/`);
  }

  list(rel: string): DirEntry[] | null {
    if (rel !== '') return this.own(rel) ? this.hwmon.list(rel) : this.powercap.list(rel);
    let base: DirEntry[] | null;
    try {
      base = this.powercap.list('');
    } catch (err) {
      if (this.powercapNamed || !this.hwmon.hasZones()) throw err;
      base = null;
    }
    if (base === null && this.powercapNamed) return null;
    const mine = this.hwmon.list('') ?? [];
    if (base === null) return mine.length ? mine : null;
    return [...base.filter((e) => e.name !== HWMON_CONTROL_TYPE), ...mine];
  }

  isDir(rel: string): boolean {
    return this.own(rel) ? this.hwmon.isDir(rel) : this.powercap.isDir(rel);
  }

  read(rel: string): ReadResult {
    return this.own(rel) ? this.hwmon.read(rel) : this.powercap.read(rel);
  }

  write(rel: string, text: string): void {
    if (this.own(rel)) this.hwmon.write(rel, text);
    else this.powercap.write(rel, text);
  }
}
