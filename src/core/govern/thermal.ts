/**
 * Thermal zones as the thermal framework shows them (drivers/thermal/thermal_sysfs.c):
 * `/sys/class/thermal/thermal_zoneN/` with `type` (the sensor's name: `skin-therm`,
 * `x86_pkg_temp`) and `temp` (m°C, an int). Read through the one Source interface, so the same
 * code reads the live folder, a simulated plant's and a test's.
 */
import { notFound } from '../errors.js';
import { attrText, parseKernelInt } from '../zones/powercap-tree.js';
import type { Source } from '../source/types.js';

/** Where the kernel puts the thermal class. */
export const DEFAULT_THERMAL_ROOT = '/sys/class/thermal';

export interface ThermalZone {
  /** N of thermal_zoneN */
  index: number;
  /** the folder, relative to the thermal root */
  dir: string;
  /** the `type` file (null when unreadable) */
  type: string | null;
  /** the `temp` attribute, relative to the thermal root */
  tempPath: string;
}

const ZONE_DIR = /^thermal_zone([0-9]+)$/;

/** Every thermal_zoneN under the root, by N. Throws exit 3 when the root is not there. */
export function listThermalZones(source: Source): ThermalZone[] {
  const entries = source.list('');
  if (entries === null) throw notFound(`no thermal zones: ${source.info.kind === 'live' ? source.info.root : source.info.file} does not exist`);
  const zones: ThermalZone[] = [];
  for (const e of entries) {
    const m = ZONE_DIR.exec(e.name);
    if (!m || !source.isDir(e.name)) continue;
    const t = source.read(`${e.name}/type`);
    zones.push({ index: Number(m[1]), dir: e.name, type: t.ok ? attrText(t.text) : null, tempPath: `${e.name}/temp` });
  }
  return zones.sort((a, b) => a.index - b.index);
}

/**
 * A thermal zone named by its type (`skin-therm`), its folder (`thermal_zone3`) or its number
 * (`3`). A type shared by several zones means the first. Throws exit 3 naming the types there are.
 */
export function findThermalZone(source: Source, ref: string): ThermalZone {
  const zones = listThermalZones(source);
  const byNumber = /^(?:thermal_zone)?([0-9]+)$/.exec(ref);
  const found = byNumber ? zones.find((z) => z.index === Number(byNumber[1])) : zones.find((z) => z.type === ref);
  if (found) return found;
  const known = zones.map((z) => `${z.type ?? '?'} (${z.index})`).join(', ');
  throw notFound(`no thermal zone '${ref}'`, known ? `thermal zones here: ${known}` : 'there are no thermal zones here');
}

/** The zone's temperature, m°C, or the errno of the read (`invalid` for text that is no integer). */
export function readTemperatureMc(source: Source, zone: ThermalZone): number | string {
  const r = source.read(zone.tempPath);
  if (!r.ok) return r.errno;
  const v = parseKernelInt(r.text);
  return v === undefined ? 'invalid' : Number(v);
}
