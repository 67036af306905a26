/**
 * The cpufreq cooling device's power model (seed 001,
 * drivers/thermal/cpufreq_cooling.c before the energy model took over; the dynamic part is
 * kernel/cpufreq-cooling.ts):
 *   P_dyn = C × f(MHz) × V(mV)² / 1e9 × load     (mW; load = Σ per-CPU load %, / 100)
 * plus a static (leakage) power that the platform computed from the CPUs, their voltage
 * and the temperature. Here the static part is a table of power by temperature and
 * voltage, interpolated bilinearly (clamped at the table's edges), or a fixed value.
 * µW figures use the same integer steps with the 6.0 divisor (1e6), as the EM does.
 */
import { readUserFile } from '../files.js';
import { invalidData, PowercapError } from '../errors.js';
import { parsePowerUw, parseVoltageUv, parseTemperatureMc } from '../units.js';

/** Leakage power of the domain by temperature (rows) and voltage (columns). */
export interface StaticTable {
  temperaturesMc: number[];
  voltagesUv: number[];
  /** powerUw[t][v] */
  powerUw: number[][];
}

export interface StaticPoint {
  powerUw: number;
  /** the point was outside the table and taken from its edge */
  clamped: boolean;
}

function bracket(xs: number[], x: number): { i: number; j: number; w: number; clamped: boolean } {
  if (xs.length === 1) return { i: 0, j: 0, w: 0, clamped: x !== xs[0] };
  if (x <= xs[0]!) return { i: 0, j: 0, w: 0, clamped: x < xs[0]! };
  const last = xs.length - 1;
  if (x >= xs[last]!) return { i: last, j: last, w: 0, clamped: x > xs[last]! };
  let i = 0;
  while (xs[i + 1]! < x) i++;
  return { i, j: i + 1, w: (x - xs[i]!) / (xs[i + 1]! - xs[i]!), clamped: false };
}

/** Bilinear interpolation, rounded to the µW. */
export function staticPower(t: StaticTable, temperatureMc: number, voltageUv: number): StaticPoint {
  const a = bracket(t.temperaturesMc, temperatureMc);
  const b = bracket(t.voltagesUv, voltageUv);
  const at = (ti: number, vi: number) => t.powerUw[ti]![vi]!;
  const lo = at(a.i, b.i) + (at(a.i, b.j) - at(a.i, b.i)) * b.w;
  const hi = at(a.j, b.i) + (at(a.j, b.j) - at(a.j, b.i)) * b.w;
  return { powerUw: Math.round(lo + (hi - lo) * a.w), clamped: a.clamped || b.clamped };
}

const rethrow = (where: string, err: unknown): never => {
  throw invalidData(`${where}: ${err instanceof PowercapError ? err.message : String(err)}`);
};

function splitRow(line: string): string[] {
  return line.split(/[,;\t]/).map((s) => s.trim());
}

/**
 * CSV: a header `temperature,800mV,900mV,…` then one row per temperature: `25C,10mW,15mW,…`.
 * JSON: `{ "voltages": ["800mV", …], "temperatures": ["25C", …], "power": [["10mW", …], …] }`
 * (numbers are µV, m°C and µW).
 */
export function parseStaticTable(text: string, file: string): StaticTable {
  const t = text.trimStart();
  let temps: string[] = [];
  let volts: string[] = [];
  let power: string[][] = [];
  if (t.startsWith('{')) {
    let doc: Record<string, unknown>;
    try { doc = JSON.parse(text) as Record<string, unknown>; } catch (err) { throw invalidData(`${file}: not valid JSON (${(err as Error).message})`); }
    const arr = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]) : null);
    const v = arr('voltages'); const tt = arr('temperatures'); const p = arr('power');
    if (!v || !tt || !p) throw invalidData(`${file}: expected { "voltages": [...], "temperatures": [...], "power": [[...], ...] }`);
    volts = v.map((x) => (typeof x === 'number' ? `${x}uV` : String(x)));
    temps = tt.map((x) => (typeof x === 'number' ? `${x}mC` : String(x)));
    power = p.map((row) => (Array.isArray(row) ? row.map((x) => (typeof x === 'number' ? `${x}uW` : String(x))) : []));
  } else {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length < 2) throw invalidData(`${file}: a header row of voltages and at least one row per temperature are needed`);
    volts = splitRow(lines[0]!).slice(1);
    for (const l of lines.slice(1)) {
      const cells = splitRow(l);
      temps.push(cells[0]!);
      power.push(cells.slice(1));
    }
  }
  const voltagesUv = volts.map((v, i) => { try { return Number(parseVoltageUv(v)); } catch (e) { return rethrow(`${file}: voltage column ${i + 1}`, e); } });
  const temperaturesMc = temps.map((v, i) => { try { return parseTemperatureMc(v); } catch (e) { return rethrow(`${file}: temperature row ${i + 1}`, e); } });
  const powerUw = power.map((row, i) => {
    if (row.length !== voltagesUv.length) throw invalidData(`${file}: temperature row ${i + 1} (${temps[i]}) has ${row.length} values for ${voltagesUv.length} voltages`);
    return row.map((v, k) => { try { return Number(parsePowerUw(v)); } catch (e) { return rethrow(`${file}: temperature row ${i + 1}, voltage ${volts[k]}`, e); } });
  });
  const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
  if (voltagesUv.length === 0 || !increasing(voltagesUv)) throw invalidData(`${file}: voltages must be given in increasing order`);
  if (!increasing(temperaturesMc)) throw invalidData(`${file}: temperatures must be given in increasing order`);
  return { temperaturesMc, voltagesUv, powerUw };
}

export function readStaticTable(file: string): StaticTable {
  const text = readUserFile(file, { what: 'static power table', hint: 'a CSV of static power: header temperature,800mV,…; rows 25C,10mW,…' });
  return parseStaticTable(text, file);
}
