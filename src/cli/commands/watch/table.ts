/**
 * The live table on a terminal: per zone the current power, min/avg/max over
 * the run, energy used, a sparkline of the last samples, the limit in force
 * (core/limits/effective.ts: the lowest over the constraints, a package's MSR and
 * MMIO copies together), how close to it the zone runs (yellow from 90 %, red at
 * the limit) and whether it is at the limit (97 %, core/watch/at-limit.ts).
 *
 * A frame fits the terminal it is drawn on: every line is narrower than the
 * terminal (columns are shortened, then dropped, by priority, and what is
 * hidden is said), and the frame is no taller than it (zone rows beyond the
 * room are left out, with how many and how to pick zones), so the header never
 * scrolls away and a row never wraps. On a terminal the frames are drawn on
 * the alternate screen from its top-left corner (as top and watch(1) do): a
 * resize redraws cleanly and the exit leaves the screen as it was.
 *
 * Zone ids and names, and the notes that quote them, are made visible (cli/visible.ts) before
 * they are measured, cut and painted. The frames and the summary go to stdout directly, not
 * through Io.out, so their lines pass the same net (terminalSafe) before they are returned.
 */
import { formatDuration, formatEnergy, formatPower, formatPowerReading } from '../../../core/units.js';
import { sparkline } from '../../../core/watch/stats.js';
import type { Sampler } from '../../../core/watch/sampler.js';
import { makeColors, palette, type Colors } from '../../color.js';
import { terminalSafe, visible } from '../../visible.js';

const dash = '–';
const pw = (v: bigint | null) => (v === null ? dash : formatPowerReading(v));

export interface FrameInfo {
  summed: string[];
  /** watched zones left out of the system figure, and why */
  excluded?: Array<{ id: string; reason: string }>;
  /** lines of notes (gaps, vanished zones) to show under the table */
  notes: string[];
  /** rows available on the terminal, 0: no limit */
  rows: number;
  /** columns of the terminal, 0: no limit */
  columns?: number;
  replay: boolean;
}

type Key = 'zone' | 'name' | 'power' | 'min' | 'avg' | 'max' | 'energy' | 'trend' | 'limit' | 'load' | 'atLimit';
/** one cell: its plain text (measured, shortened) and how to colour it */
export interface Cell { text: string; paint?: (s: string) => string }
/** a column; `min` is as short as shortening takes it, `keepEnd` cuts from the start (a trend keeps its latest samples) */
export interface Column<K extends string> { key: K; head: string; right: boolean; min: number; keepEnd?: boolean }
export type Step<K extends string> = { drop: K } | { shorten: K; to: number };

const COLUMNS: Array<Column<Key>> = [
  { key: 'zone', head: 'ZONE', right: false, min: 6 },
  { key: 'name', head: 'NAME', right: false, min: 8 },
  { key: 'power', head: 'POWER', right: true, min: 0 },
  { key: 'min', head: 'MIN', right: true, min: 0 },
  { key: 'avg', head: 'AVG', right: true, min: 0 },
  { key: 'max', head: 'MAX', right: true, min: 0 },
  { key: 'energy', head: 'ENERGY', right: true, min: 0 },
  { key: 'trend', head: 'TREND', right: false, min: 8, keepEnd: true },
  { key: 'limit', head: 'LIMIT', right: true, min: 0 },
  { key: 'load', head: 'LOAD', right: true, min: 0 },
  { key: 'atLimit', head: 'AT LIMIT', right: false, min: 0 },
];
const GAP = 2;

/**
 * What gives way on a narrow terminal, in order: the trend shortens (it keeps
 * the latest samples), then ENERGY, MIN and MAX go (the summary has them), the
 * trend shortens again, names shorten, AVG, LIMIT, TREND and LOAD go (LOAD's
 * colour says what AT LIMIT says), then AT LIMIT and NAME; the zone and its power
 * always stay (a zone id is cut last, with …).
 */
const GIVE_WAY: Array<Step<Key>> = [
  { shorten: 'trend', to: 16 }, { drop: 'energy' }, { drop: 'min' }, { drop: 'max' }, { shorten: 'trend', to: 8 },
  { shorten: 'name', to: 12 }, { drop: 'avg' }, { drop: 'limit' }, { drop: 'trend' }, { drop: 'load' }, { drop: 'atLimit' }, { drop: 'name' },
];

/**
 * Lays out `body` in `columns` no wider than `cols`: the steps of `giveWay` are taken
 * in order until it fits, then the first column is cut. Returns the line of a row
 * (null: the header) and the heads of the columns dropped.
 */
export function fitTable<K extends string>(
  columns: Array<Column<K>>, body: Array<Record<K, Cell>>, giveWay: Array<Step<K>>, cols: number, heading: (s: string) => string,
): { line: (r: Record<K, Cell> | null) => string; dropped: string[] } {
  const natural = new Map(columns.map((c) => [c.key, Math.max(width(c.head), ...body.map((r) => width(r[c.key].text)))]));
  const limitTo = new Map<K, number>();
  const dropped = new Set<K>();
  const widthOf = (k: K) => Math.min(natural.get(k)!, limitTo.get(k) ?? Infinity);
  const live = () => columns.filter((c) => !dropped.has(c.key));
  const total = () => live().reduce((n, c) => n + widthOf(c.key), 0) + GAP * (live().length - 1);
  for (const step of giveWay) {
    if (total() <= cols) break;
    if ('drop' in step) dropped.add(step.drop);
    else limitTo.set(step.shorten, Math.max(columns.find((c) => c.key === step.shorten)!.min, step.to));
  }
  const first = columns[0]!;
  if (total() > cols) limitTo.set(first.key, Math.max(first.min, widthOf(first.key) - (total() - cols)));

  const fmt = (c: Column<K>, cell: Cell, head: boolean): string => {
    const w = widthOf(c.key);
    const text = c.keepEnd && !head ? [...cell.text].slice(-w).join('') : clip(cell.text, w);
    const pad = ' '.repeat(Math.max(0, w - width(text)));
    const painted = head ? heading(text) : cell.paint ? cell.paint(text) : text;
    return c.right ? pad + painted : painted + pad;
  };
  return {
    line: (r) => live().map((c) => fmt(c, r ? r[c.key] : { text: c.head }, r === null)).join(' '.repeat(GAP)).replace(/\s+$/, ''),
    dropped: columns.filter((c) => dropped.has(c.key)).map((c) => c.head),
  };
}

/** `s` cut to `n` characters, the cut marked with … */
export function clip(s: string, n: number): string {
  if (n <= 0) return '';
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, n - 1).join('') + '…';
}
const width = (s: string) => [...s].length;

/** `s`, which may hold colour codes, cut to `n` visible characters (the codes kept, so colour ends) */
function clipPainted(s: string, n: number): string {
  let out = '';
  let seen = 0;
  // eslint-disable-next-line no-control-regex
  for (const part of s.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) { out += part; continue; }
    for (const ch of part) if (seen++ < n) out += ch;
  }
  return out;
}

/**
 * The lines as they are drawn: nothing may wrap, whatever the terminal (a last cut, colour codes
 * kept, for the tiniest), and each passes the output net (cli/visible.ts) as Io.out's lines do.
 */
export function finalLines(lines: string[], cols: number, c: Colors): string[] {
  return lines.map((l) => terminalSafe(cols === Infinity ? l : clipPainted(l, cols), { colour: c.level > 0 }));
}

/** `text` broken at spaces into lines of at most `n` characters, continuation lines indented */
function wrap(text: string, n: number, indent = '    '): string[] {
  if (width(text) <= n) return [text];
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (width(next) > n && cur.trim() !== '') { out.push(cur); cur = indent + word; }
    else cur = next;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((l) => clip(l, n));
}

/** The frame's lines, each narrower than `info.columns`, at most `info.rows` of them. */
export function frameLines(sampler: Sampler, info: FrameInfo, colors: { color: boolean; isTTY: boolean }): string[] {
  const c = makeColors(colors.color, colors.isTTY);
  const p = palette(c);
  // a line as wide as the terminal would leave the cursor in the wrap position: stay one short
  const cols = info.columns && info.columns > 0 ? Math.max(1, info.columns - 1) : Infinity;
  const rows = info.rows > 0 ? info.rows : Infinity;
  const zones = sampler.zones;
  const hasSystem = info.summed.length > 0;

  const body: Array<Record<Key, Cell>> = [];
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i]!;
    const s = sampler.stats[i]!;
    const limit = s.limitUw !== null && s.limitUw > 0n ? s.limitUw : null;
    let load: Cell = { text: dash };
    const power: Cell = s.lastUw === null ? (s.gaps > 0 ? { text: 'gap', paint: p.warn } : { text: dash }) : { text: formatPowerReading(s.lastUw) };
    if (limit !== null && s.lastUw !== null) {
      const pct = Number((s.lastUw * 1000n) / limit) / 10;
      load = { text: `${pct.toFixed(0)} %` };
      if (s.atLimitNow) load.paint = power.paint = p.bad;
      else if (pct >= 90) load.paint = power.paint = p.warn;
    }
    // – for a zone not limited, a gap, or a limit that could not be read
    const atLimit: Cell = s.atLimitNow === true ? { text: 'yes', paint: p.bad } : s.atLimitNow === false && limit !== null ? { text: 'no', paint: p.dim } : { text: dash };
    body.push({
      zone: { text: '  '.repeat(z.depth) + visible(z.id), paint: p.id },
      name: z.name === null ? { text: '(no name)', paint: p.dim } : { text: visible(z.name) },
      power,
      min: { text: pw(s.minUw) }, avg: { text: pw(s.avgUw) }, max: { text: pw(s.maxUw) },
      energy: { text: formatEnergy(s.energyUj) },
      trend: { text: sparkline(s.recent(), sparkTop(s.maxUw, limit)), paint: p.dim },
      limit: { text: limit === null ? dash : formatPower(limit) },
      load,
      atLimit,
    });
  }
  if (hasSystem) {
    const t = sampler.totalStats;
    body.push({
      zone: { text: 'system', paint: p.name },
      name: { text: `Σ ${plural(info.summed.length, 'zone')}`, paint: p.dim },
      power: t.lastUw === null ? (t.gaps ? { text: 'gap', paint: p.warn } : { text: dash }) : { text: formatPowerReading(t.lastUw), paint: p.name },
      min: { text: pw(t.minUw) }, avg: { text: pw(t.avgUw) }, max: { text: pw(t.maxUw) },
      energy: { text: formatEnergy(t.energyUj) },
      trend: { text: sparkline(t.recent(), sparkTop(t.maxUw, null)), paint: p.dim },
      limit: { text: dash }, load: { text: dash }, atLimit: { text: dash },
    });
  }

  // column widths over every zone (so they do not jump as rows come and go), then give way until the table fits
  const { line, dropped: hiddenCols } = fitTable(COLUMNS, body, GIVE_WAY, cols, p.heading);

  // the lines around the table, and how many zone rows the rest leaves
  let notes = info.notes.slice(-3).map((n) => visible(n));
  let colsLine = hiddenCols.length > 0;
  let rule = hasSystem ? systemRule(info.summed, info.excluded ?? []) : null;
  const around = () => 2 + (hasSystem ? 1 : 0) + (colsLine ? 1 : 0) + (rule ? 1 : 0) + notes.length;
  let room = rows === Infinity ? zones.length : rows - around();
  // a short terminal gives up notes, the hidden-columns line and the rule before zone rows go below three
  while (room < Math.min(3, zones.length) + (zones.length > 3 ? 1 : 0) && (notes.length || colsLine || rule)) {
    if (notes.length) notes = notes.slice(1);
    else if (colsLine) colsLine = false;
    else rule = null;
    room = rows - around();
  }
  let shown = zones.length;
  if (room < zones.length) shown = Math.max(0, room - 1); // one line says what is hidden

  const lines: string[] = [];
  const elapsed = formatDuration(sampler.durationUs);
  lines.push(p.dim(clip(`${info.replay ? 'replay' : 'watch'} · ${elapsed} · ${plural(Math.max(0, sampler.passes - 1), 'sample')} · Ctrl-C to stop`, cols)));
  lines.push(line(null));
  for (let i = 0; i < shown; i++) lines.push(line(body[i]!));
  if (hasSystem) lines.push(line(body[body.length - 1]!));
  if (shown < zones.length) {
    lines.push(p.dim(clip(`… ${zones.length - shown} of ${plural(zones.length, 'zone')} hidden: name the zones to watch (powercapctl watch ZONE…, --type TYPE) or enlarge the terminal`, cols)));
  }
  if (colsLine) lines.push(p.dim(clip(`${hiddenCols.join(' ')} hidden: widen the terminal to see them`, cols)));
  if (rule) lines.push(p.dim(clip(rule, cols)));
  for (const n of notes) lines.push(p.warn(clip(n, cols)));
  const fitted = finalLines(lines, cols, c);
  return rows === Infinity ? fitted : fitted.slice(0, rows);
}

/** A sparkline's top: the larger of the maximum seen and the limit (stats.ts sparkline). */
function sparkTop(maxUw: bigint | null, limitUw: bigint | null): number {
  const m = maxUw === null ? 0 : Number(maxUw);
  return limitUw === null ? m : Math.max(m, Number(limitUw));
}

/** What the system figure sums and what it leaves out, and why (docs/watch.md). */
function systemRule(summed: string[], excluded: Array<{ id: string; reason: string }>): string {
  const named = excluded.slice(0, 3).map((e) => `${e.id} ${e.reason}`).join('; ') + (excluded.length > 3 ? `; ${excluded.length - 3} more` : '');
  // the reasons quote zone names: the whole rule is made visible
  return visible(`system = ${summed.join(' + ')}${excluded.length ? `; left out: ${named}` : ''}`);
}

type SumKey = 'zone' | 'name' | 'energy' | 'avg' | 'min' | 'max' | 'atLimit' | 'gaps';
const SUMMARY_COLUMNS: Array<Column<SumKey>> = [
  { key: 'zone', head: 'ZONE', right: false, min: 6 },
  { key: 'name', head: 'NAME', right: false, min: 8 },
  { key: 'energy', head: 'ENERGY', right: true, min: 0 },
  { key: 'avg', head: 'AVG POWER', right: true, min: 0 },
  { key: 'min', head: 'MIN', right: true, min: 0 },
  { key: 'max', head: 'MAX', right: true, min: 0 },
  { key: 'atLimit', head: 'AT LIMIT', right: true, min: 0 },
  { key: 'gaps', head: 'GAPS', right: true, min: 0 },
];
/** the summary stays in the scrollback: on a narrow terminal names shorten, then MIN, MAX, GAPS and AT LIMIT go, never ENERGY */
const SUMMARY_GIVE_WAY: Array<Step<SumKey>> = [
  { shorten: 'name', to: 16 }, { drop: 'min' }, { drop: 'max' }, { shorten: 'name', to: 12 }, { drop: 'gaps' }, { drop: 'atLimit' },
  { shorten: 'name', to: 8 }, { drop: 'name' },
];

/** The share of a zone's samples at its limit, `45 %`; – when it was never limited. */
function atLimitShare(s: { comparedSamples: number; atLimitSamples: number }, p: { bad(s: string): string }): Cell {
  if (s.comparedSamples === 0) return { text: dash };
  const pct = Math.round((100 * s.atLimitSamples) / s.comparedSamples);
  return s.atLimitSamples > 0 ? { text: `${pct} %`, paint: p.bad } : { text: '0 %' };
}

/** The summary after the run (or Ctrl-C): energy per zone, average power, duration; as wide as `columns` at most (0: any). */
export function renderSummary(
  sampler: Sampler, summed: string[], interrupted: boolean, colors: { color: boolean; isTTY: boolean },
  excluded: Array<{ id: string; reason: string }> = [], columns = 0,
): string {
  const c = makeColors(colors.color, colors.isTTY);
  const p = palette(c);
  const cols = columns > 0 ? Math.max(1, columns - 1) : Infinity;
  const gaps = (n: number): Cell => (n ? { text: String(n), paint: p.warn } : { text: '0' });
  const body: Array<Record<SumKey, Cell>> = sampler.zones.map((z, i) => {
    const s = sampler.stats[i]!;
    return {
      zone: { text: visible(z.id), paint: p.id }, name: { text: visible(z.name ?? '') }, energy: { text: formatEnergy(s.energyUj) },
      avg: { text: pw(s.avgUw) }, min: { text: pw(s.minUw) }, max: { text: pw(s.maxUw) }, atLimit: atLimitShare(s, p), gaps: gaps(s.gaps),
    };
  });
  if (summed.length) {
    const t = sampler.totalStats;
    body.push({
      zone: { text: 'system', paint: p.name }, name: { text: visible(summed.join(' + ')) }, energy: { text: formatEnergy(t.energyUj) },
      avg: { text: pw(t.avgUw) }, min: { text: pw(t.minUw) }, max: { text: pw(t.maxUw) }, atLimit: { text: dash }, gaps: gaps(t.gaps),
    });
  }
  const { line } = fitTable(SUMMARY_COLUMNS, body, SUMMARY_GIVE_WAY, cols, p.heading);
  const head = `${interrupted ? 'interrupted after' : 'watched'} ${formatDuration(sampler.durationUs)} (${plural(Math.max(0, sampler.passes - 1), 'sample')})`;
  const lines = [p.name(clip(head, cols)), line(null), ...body.map(line)];
  if (summed.length) lines.push(...wrap(systemRule(summed, excluded), cols).map((l) => p.dim(l)));
  return finalLines(lines, cols, c).join('\n') + '\n';
}

/**
 * Draws frames on a terminal: on the alternate screen, each frame from the
 * top-left corner, every line cleared to its end and the rest of the screen
 * below the frame cleared, so a shorter or narrower frame (after a resize)
 * leaves nothing behind. Not on a terminal, frames follow each other.
 * restore() gives the terminal back as it was: main screen, cursor shown.
 */
export class Redrawer {
  private active = false;
  constructor(private readonly write: (s: string) => void, private readonly inPlace: boolean) {
    if (inPlace) {
      this.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J'); // alternate screen, cursor hidden, cleared
      this.active = true;
    }
  }
  frame(lines: string[]): void {
    if (!this.inPlace) { this.write(lines.join('\n') + '\n'); return; }
    this.write('\x1b[H' + lines.map((l) => l + '\x1b[K').join('\r\n') + '\x1b[J');
  }
  /** after a resize: the terminal may have moved the old frame about, start from a clear screen */
  clear(): void {
    if (this.active) this.write('\x1b[H\x1b[2J');
  }
  /** give the terminal back: the main screen with what was on it, the cursor visible; once */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    this.write('\x1b[?25h\x1b[?1049l');
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
