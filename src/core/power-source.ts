/**
 * Which power the machine runs on, AC or battery, from the power supply class
 * (/sys/class/power_supply): for profile items that hold only on one of them (`when: ac`,
 * `when: battery`, docs/profiles.md).
 *
 * The attributes are those of drivers/power/supply/power_supply_sysfs.c: `type` is the
 * supply's kind as POWER_SUPPLY_TYPE_TEXT spells it ("Battery", "Mains", "USB", "USB_PD",
 * "USB_C", …), `online` an integer (0 offline; 1 online, and 2 for a programmable supply
 * per Documentation/ABI/testing/sysfs-class-power), `scope` "System" or "Device" (a mouse's
 * battery is a Device's), `present` 0 for a battery bay that is empty. The rule:
 * - a supply of type Mains, USB or USB_* that is online means AC;
 * - otherwise a battery of the system's (not a device's, not absent) means battery;
 * - no supply at all (a desktop, a server, a VM) means AC.
 * Each attribute is read as any sysfs attribute here (source/live.ts: a regular file of at
 * most a page, a FIFO refused). A driver that has nothing to say answers ENODATA, ENODEV
 * or EAGAIN, which power_supply_show_property() logs at debug level only, as expected
 * answers: such a supply is not online. Any other failure is reported with its path.
 */
import { SysfsError, errnoOf } from './errors.js';
import { parseKernelInt } from './zones/powercap-tree.js';
import { LiveSource } from './source/live.js';
import type { Source } from './source/types.js';

export const POWER_SOURCES = ['ac', 'battery'] as const;
export type PowerSourceKind = (typeof POWER_SOURCES)[number];

export const DEFAULT_POWER_SUPPLY_ROOT = '/sys/class/power_supply';

/** The supply types that bring AC power (power_supply_sysfs.c POWER_SUPPLY_TYPE_TEXT): Mains, USB and every USB_* kind. */
export const isAcSupplyType = (type: string): boolean => type === 'Mains' || type === 'USB' || type.startsWith('USB_');

/** The answers of a driver that has no data now (power_supply_show_property: not worth a log line). */
const NO_DATA = new Set(['ENODATA', 'ENODEV', 'EAGAIN']);

export interface PowerSourceReading {
  kind: PowerSourceKind;
  /**
   * why: `ac-online` (the supply named is online), `battery` (no AC supply online, the
   * battery named), `no-supply` (no AC supply online and no battery), `no-folder` (the folder
   * could not be listed: AC assumed)
   */
  by: 'ac-online' | 'battery' | 'no-supply' | 'no-folder';
  /** the supply that decided (ac-online, battery) */
  supply: string | null;
  /** the folder's errno when it could not be listed (ENOENT: missing; EACCES, ENOTDIR, …) */
  folderErrno: string | null;
  /** attributes that could not be read (`AC/online`, errno or `invalid`): left out of the decision */
  unreadable: Array<{ path: string; errno: string }>;
}

/** The machine's power source from a power supply class folder (a live folder, or any source laid out like one). */
export function readPowerSource(source: Source): PowerSourceReading {
  const unreadable: PowerSourceReading['unreadable'] = [];
  let entries;
  try {
    entries = source.list('');
  } catch (err) {
    const errno = err instanceof SysfsError ? err.errno : errnoOf(err);
    return { kind: 'ac', by: 'no-folder', supply: null, folderErrno: errno, unreadable };
  }
  if (entries === null) return { kind: 'ac', by: 'no-folder', supply: null, folderErrno: 'ENOENT', unreadable };

  /** an attribute's text; null when absent or (for a driver with no data) silent; failures listed */
  const attr = (name: string, file: string): string | null => {
    const r = source.read(`${name}/${file}`);
    if (r.ok) return r.text.trim();
    if (r.errno !== 'ENOENT' && !NO_DATA.has(r.errno)) unreadable.push({ path: `${name}/${file}`, errno: r.errno });
    return null;
  };
  /** an integer attribute; text that is no integer is listed as `invalid` */
  const int = (name: string, file: string): bigint | null => {
    const t = attr(name, file);
    if (t === null) return null;
    const v = parseKernelInt(t);
    if (v === undefined) { unreadable.push({ path: `${name}/${file}`, errno: 'invalid' }); return null; }
    return v;
  };

  let battery: string | null = null;
  // sysfs lists in creation order: sorted, so that the supply named does not depend on it
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.kind === 'file') continue;
    const type = attr(e.name, 'type');
    if (type === null) continue; // not a supply (no type), or one that could not be read (listed)
    if (attr(e.name, 'scope') === 'Device') continue; // a device's own supply (a mouse, a pen): not the machine's
    if (isAcSupplyType(type)) {
      const online = int(e.name, 'online');
      if (online !== null && online !== 0n) return { kind: 'ac', by: 'ac-online', supply: e.name, folderErrno: null, unreadable };
    } else if (type === 'Battery' && battery === null) {
      if (int(e.name, 'present') !== 0n) battery = e.name;
    }
  }
  return battery !== null
    ? { kind: 'battery', by: 'battery', supply: battery, folderErrno: null, unreadable }
    : { kind: 'ac', by: 'no-supply', supply: null, folderErrno: null, unreadable };
}

/** The power source of the machine whose power supply class is at `root`. */
export const powerSourceAt = (root: string): PowerSourceReading => readPowerSource(new LiveSource(root));
