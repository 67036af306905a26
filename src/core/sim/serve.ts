/**
 * Serving a scenario into a folder DIR: the plant of a scenario in real time, in real files, so the commands run
 * against it as separate processes (`--root DIR/powercap`, `--thermal-root DIR/thermal`) and
 * a test judges them from outside by the trace.
 *
 * - DIR/powercap: the scenario's powercap tree laid out as sysfs nests it (control type, then
 *   zones inside their parents), with a link per zone at the top as /sys/class/powercap has;
 * - DIR/thermal/thermal_zone0/{type,temp} when the scenario has a thermal model;
 * - every step (20 ms by default): the limit files are read; a changed one is stored as the
 *   kernel would (plant.ts: a leaf clamped or set to a state, a DTPM parent split among its
 *   children by the static weights and counted), and the files the kernel would change are
 *   rewritten; then the zones draw min(demand, limit) over the step, and `power_uw`, the
 *   `energy_uj` counters (wrapping) and `temp` are published, each by replacing the file
 *   whole (a temporary file renamed over it: a reader opening it sees the old or the new);
 * - DIR/trace.ndjson: a header, then a line per step (time, demand, limits, power, writes seen,
 *   parent writes, temperature) from which figures.ts computes the figures.
 * These files are the emulated kernel's attributes, not a user's data: they are replaced without
 * fsync, 50 times a second.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidData, usageError } from '../errors.js';
import type { DirNode } from '../source/tree.js';
import type { WatchClock } from '../watch/loop.js';
import { emptyTrace, type SimTrace } from './figures.js';
import type { LoadedScenario } from './load.js';
import type { PlantParent, PlantZone } from './plant.js';
import { buildPlant } from './run.js';

export const TRACE_FORMAT = 'powercapctl-sim-trace';
export const TRACE_VERSION = 1;

export interface ServePaths {
  /** give to --root */
  powercap: string;
  /** give to --thermal-root (null without a thermal model) */
  thermal: string | null;
  trace: string;
}

export interface ServeOptions {
  dir: string;
  loaded: LoadedScenario;
  clock: WatchClock;
  signal: AbortSignal;
  /** stop after this long (default: when the signal aborts) */
  durationUs?: number | null;
  /** called once the tree is laid out and its first values published */
  onReady?: (paths: ServePaths) => void;
}

export interface ServeSummary {
  steps: number;
  /** steps that began more than a step late (the machine was busy) */
  late: number;
  parentWrites: number;
}

/** The trace's first line. */
export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  zones: string[];
  maxUw: number[];
  tickUs: number;
  thermal: boolean;
}

/** A step of the trace. */
export interface TraceLine {
  /** the start of the step, µs since the plant started */
  t: number;
  dt: number;
  demand: number[];
  limit: number[];
  power: number[];
  /** limit writes seen on each zone this step */
  writes: number[];
  parentWrites: number;
  /** m°C at the end of the step (null without a thermal model) */
  temp: number | null;
}

const MODES: Array<[RegExp, number]> = [[/^energy_uj$/, 0o400], [/^constraint_\d+_power_limit_uw$|^constraint_\d+_time_window_us$|^enabled$/, 0o644]];
const modeOf = (name: string) => MODES.find(([re]) => re.test(name))?.[1] ?? 0o444;

/** Replace a file whole: a temporary file in the same folder, renamed over it. */
function replaceFile(file: string, text: string, mode: number): void {
  const tmp = `${file}.plant-tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

/** Lay out a stored tree in real folders and files; an attribute that reads an errno is left out. */
function layOut(node: DirNode, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(node.attrs ?? {})) {
    const text = typeof v === 'string' ? v : v.errno ? null : v.text ?? '';
    if (text !== null) replaceFile(path.join(dir, name), text, modeOf(name));
  }
  for (const [name, sub] of Object.entries(node.dirs ?? {})) layOut(sub, path.join(dir, name));
}

/** The zone links at the top of a class folder: `dtpm:0:0:1 -> dtpm/dtpm:0/dtpm:0:0/dtpm:0:0:1`. */
function linkZones(root: string, node: DirNode, rel: string): void {
  for (const [name, sub] of Object.entries(node.dirs ?? {})) {
    const r = rel ? `${rel}/${name}` : name;
    if (name.includes(':')) fs.symlinkSync(r, path.join(root, name));
    linkZones(root, sub, r);
  }
}

/** Run the plant in real time until the signal aborts (or the duration is over). */
export async function serve(o: ServeOptions): Promise<ServeSummary> {
  const s = o.loaded.scenario;
  let existing: string[] = [];
  try { existing = fs.readdirSync(o.dir); } catch { /* a new folder */ }
  if (existing.length > 0) throw usageError(`${o.dir} is not empty: the plant lays out its own tree there`, 'give a new or empty folder (a tmpfs one: /dev/shm/…)');
  const plant = buildPlant(o.loaded);
  const paths: ServePaths = {
    powercap: path.join(o.dir, 'powercap'),
    thermal: s.thermal ? path.join(o.dir, 'thermal') : null,
    trace: path.join(o.dir, 'trace.ndjson'),
  };
  layOut(plant.tree.rootNode, paths.powercap);
  linkZones(paths.powercap, plant.tree.rootNode, '');
  const tempFile = paths.thermal ? path.join(paths.thermal, 'thermal_zone0', 'temp') : null;
  if (paths.thermal) {
    fs.mkdirSync(path.join(paths.thermal, 'thermal_zone0'), { recursive: true });
    replaceFile(path.join(paths.thermal, 'thermal_zone0', 'type'), `${s.thermal!.zone}\n`, 0o444);
  }
  const abs = (rel: string) => path.join(paths.powercap, rel);

  // what each limit file says, as the plant last wrote it
  const shown = new Map<string, number>();
  const limits: Array<PlantZone | PlantParent> = [...plant.zones, ...plant.parents];
  const limitValue = (t: PlantZone | PlantParent) => ('kind' in t ? t.limitUw : t.node.powerLimitUw);
  const showLimits = () => {
    for (const t of limits) {
      const v = limitValue(t);
      if (shown.get(t.limitRel) === v) continue;
      replaceFile(abs(t.limitRel), `${v}\n`, 0o644);
      shown.set(t.limitRel, v);
    }
  };
  const publish = () => {
    for (const [rel, text] of plant.dynamicAttributes()) replaceFile(abs(rel), text, rel.endsWith('energy_uj') ? 0o400 : 0o444);
    if (tempFile) replaceFile(tempFile, `${Math.round(plant.temperatureMc!)}\n`, 0o444);
  };
  showLimits();
  publish();

  const trace = fs.openSync(paths.trace, 'w');
  const header: TraceHeader = {
    format: TRACE_FORMAT, version: TRACE_VERSION, zones: plant.zones.map((z) => z.id), maxUw: plant.zones.map((z) => z.maxUw), tickUs: s.tickUs, thermal: s.thermal !== null,
  };
  fs.writeSync(trace, JSON.stringify(header) + '\n');
  o.onReady?.(paths);

  const start = o.clock.nowUs();
  const tick = BigInt(s.tickUs);
  let last = 0;
  let steps = 0;
  let late = 0;
  try {
    for (let k = 1; ; k++) {
      await o.clock.sleepUntil(start + BigInt(k) * tick, o.signal);
      if (o.signal.aborted) break;
      const now = Number(o.clock.nowUs() - start);
      if (now - last > 2 * s.tickUs) late++;
      // the writes made since the last step, stored as the kernel would
      for (const t of limits) {
        let text: string;
        try {
          text = fs.readFileSync(abs(t.limitRel), 'utf8');
        } catch {
          continue;
        }
        // a write in progress (or garbage) is looked at again next step
        if (!/^\+?[0-9]{1,15}\n?$/.test(text)) continue;
        const v = Number(text.trim());
        if (v === shown.get(t.limitRel)) continue;
        shown.set(t.limitRel, v);
        plant.writeLimit(t, v);
      }
      showLimits();
      const writes = plant.takeWrites();
      plant.advance(last, now - last);
      publish();
      const line: TraceLine = {
        t: last, dt: now - last,
        demand: plant.zones.map((z) => Math.round(z.demandUw)), limit: plant.zones.map((z) => z.limitUw), power: plant.zones.map((z) => Math.round(z.powerUw)),
        writes: plant.zones.map((z) => writes.get(z.id) ?? 0), parentWrites: plant.parents.reduce((a, p) => a + (writes.get(p.id) ?? 0), 0),
        temp: plant.temperatureMc === null ? null : Math.round(plant.temperatureMc),
      };
      fs.writeSync(trace, JSON.stringify(line) + '\n');
      last = now;
      steps++;
      if (o.durationUs != null && now >= o.durationUs) break;
    }
  } finally {
    fs.closeSync(trace);
  }
  return { steps, late, parentWrites: plant.parentWrites };
}

/**
 * A served run's trace as figures.ts reads it. `budgetAt(t)` says what the budget was at each
 * step (the serve side does not know it: the process under test followed its own), `targetAt`
 * govern's target.
 */
export function readTrace(text: string, budgetAt: (tUs: number) => number, targetAt: ((tUs: number) => number) | null = null): SimTrace {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(lines[0]!) as TraceHeader;
  if (header.format !== TRACE_FORMAT) throw invalidData(`not a ${TRACE_FORMAT} trace`);
  const tr = emptyTrace(header.zones, header.maxUw, header.thermal, targetAt !== null);
  for (const l of lines.slice(1)) {
    const s = JSON.parse(l) as TraceLine;
    tr.tUs.push(s.t);
    tr.dtUs.push(s.dt);
    header.zones.forEach((_, i) => {
      tr.demandUw[i]!.push(s.demand[i]!);
      tr.limitUw[i]!.push(s.limit[i]!);
      tr.powerUw[i]!.push(s.power[i]!);
      tr.writes[i]!.push(s.writes[i]!);
    });
    tr.parentWrites.push(s.parentWrites);
    tr.budgetUw.push(budgetAt(s.t));
    tr.temperatureMc?.push(s.temp ?? 0);
    tr.targetMc?.push(targetAt!(s.t));
  }
  return tr;
}

