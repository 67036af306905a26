/**
 * The live table on a terminal: per zone the current power, min/avg/max over
 * the run, energy used, a sparkline of the last samples, the limit and how
 * close to it the zone runs (yellow from 90 %, red from 100 %). Redrawn in
 * place: the cursor goes back up over the previous frame, which is then
 * overwritten; only as many rows as the terminal has are drawn.
 */
import Table from 'cli-table3';
import { formatDuration, formatEnergy, formatPower, formatPowerReading } from '../../../core/units.js';
import { sparkline } from '../../../core/watch/stats.js';
import type { Sampler } from '../../../core/watch/sampler.js';
import { makeColors, palette } from '../../color.js';

const BORDERLESS = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' };
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
  replay: boolean;
}

export function renderFrame(sampler: Sampler, info: FrameInfo, colors: { color: boolean; isTTY: boolean }): string {
  const p = palette(makeColors(colors.color, colors.isTTY));
  const table = new Table({
    head: ['ZONE', 'NAME', 'POWER', 'MIN', 'AVG', 'MAX', 'ENERGY', 'TREND', 'LIMIT', 'LOAD'].map((h) => p.heading(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: BORDERLESS,
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
  });
  const fixed = 4 + (info.summed.length ? 1 : 0) + Math.min(info.notes.length, 3);
  const room = info.rows > 0 ? Math.max(1, info.rows - fixed) : Infinity;
  const zones = sampler.zones;
  const shown = Math.min(zones.length, room);
  for (let i = 0; i < shown; i++) {
    const z = zones[i]!;
    const s = sampler.stats[i]!;
    let load = dash;
    let powerCell = s.lastUw === null ? (s.gaps > 0 ? p.warn('gap') : dash) : formatPowerReading(s.lastUw);
    if (z.limitUw !== null && z.limitUw > 0n && s.lastUw !== null) {
      const pct = Number((s.lastUw * 1000n) / z.limitUw) / 10;
      load = `${pct.toFixed(0)} %`;
      if (pct >= 100) { load = p.bad(load); powerCell = p.bad(powerCell); }
      else if (pct >= 90) { load = p.warn(load); powerCell = p.warn(powerCell); }
    }
    table.push([
      p.id('  '.repeat(z.depth) + z.id),
      z.name === null ? p.dim('(no name)') : z.name,
      powerCell,
      pw(s.minUw),
      pw(s.avgUw),
      pw(s.maxUw),
      formatEnergy(s.energyUj),
      p.dim(sparkline(s.recent())),
      z.limitUw === null || z.limitUw === 0n ? dash : formatPower(z.limitUw),
      load,
    ]);
  }
  if (info.summed.length) {
    const t = sampler.totalStats;
    table.push([
      p.name('system'), p.dim(`Σ ${info.summed.length} zone${info.summed.length === 1 ? '' : 's'}`),
      t.lastUw === null ? (t.gaps ? p.warn('gap') : dash) : p.name(formatPowerReading(t.lastUw)),
      pw(t.minUw), pw(t.avgUw), pw(t.maxUw), formatEnergy(t.energyUj), p.dim(sparkline(t.recent())), dash, dash,
    ]);
  }
  const lines: string[] = [];
  const elapsed = formatDuration(sampler.durationUs);
  lines.push(p.dim(`${info.replay ? 'replay' : 'watch'} · ${elapsed} · ${plural(Math.max(0, sampler.passes - 1), "sample")} · Ctrl-C to stop`));
  lines.push(table.toString());
  if (shown < zones.length) lines.push(p.dim(`… ${zones.length - shown} more zones (a taller terminal, or name zones to watch)`));
  if (info.summed.length) lines.push(p.dim(systemRule(info.summed, info.excluded ?? [])));
  for (const n of info.notes.slice(-3)) lines.push(p.warn(n));
  return lines.join('\n') + '\n';
}

/** What the system figure sums and what it leaves out, and why (docs/watch.md). */
function systemRule(summed: string[], excluded: Array<{ id: string; reason: string }>): string {
  const named = excluded.slice(0, 3).map((e) => `${e.id} ${e.reason}`).join('; ') + (excluded.length > 3 ? `; ${excluded.length - 3} more` : '');
  return `system = ${summed.join(' + ')}${excluded.length ? `; left out: ${named}` : ''}`;
}

/** The summary after the run (or Ctrl-C): energy per zone, average power, duration. */
export function renderSummary(
  sampler: Sampler, summed: string[], interrupted: boolean, colors: { color: boolean; isTTY: boolean },
  excluded: Array<{ id: string; reason: string }> = [],
): string {
  const p = palette(makeColors(colors.color, colors.isTTY));
  const table = new Table({
    head: ['ZONE', 'NAME', 'ENERGY', 'AVG POWER', 'MIN', 'MAX', 'GAPS'].map((h) => p.heading(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: BORDERLESS,
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
  sampler.zones.forEach((z, i) => {
    const s = sampler.stats[i]!;
    table.push([p.id(z.id), z.name ?? '', formatEnergy(s.energyUj), pw(s.avgUw), pw(s.minUw), pw(s.maxUw), s.gaps ? p.warn(String(s.gaps)) : '0']);
  });
  if (summed.length) {
    const t = sampler.totalStats;
    table.push([p.name('system'), summed.join(' + '), formatEnergy(t.energyUj), pw(t.avgUw), pw(t.minUw), pw(t.maxUw), t.gaps ? p.warn(String(t.gaps)) : '0']);
  }
  const head = `${interrupted ? 'interrupted after' : 'watched'} ${formatDuration(sampler.durationUs)} (${plural(Math.max(0, sampler.passes - 1), "sample")})`;
  return `${p.name(head)}\n${table.toString()}\n${summed.length ? p.dim(systemRule(summed, excluded)) + '\n' : ''}`;
}

/** Writes frames over each other on a terminal (cursor up, clear to the end of the screen). */
export class Redrawer {
  private lines = 0;
  constructor(private readonly write: (s: string) => void, private readonly inPlace: boolean) {
    if (inPlace) this.write('\x1b[?25l'); // hide the cursor while redrawing
  }
  frame(text: string): void {
    const prefix = this.inPlace && this.lines > 0 ? `\x1b[${this.lines}F\x1b[J` : '';
    this.write(prefix + text);
    this.lines = text.split('\n').length - 1;
  }
  /** give the terminal back: the cursor visible again */
  restore(): void {
    if (this.inPlace) this.write('\x1b[?25h');
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
