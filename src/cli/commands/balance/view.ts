/**
 * The live view of balance and govern on a terminal, drawn from the period record the NDJSON
 * carries (nothing computed twice): the budget and where it comes from, each zone's state,
 * power, limit and target, how many writes it took, the last writes, and the warnings. It fits
 * the terminal as watch's table does (watch/table.ts: columns shorten, then go; rows beyond the
 * room are left out and counted) and is redrawn in place on the alternate screen.
 */
import type { PeriodRecord, ZoneRecord } from '../../../core/balance/controller.js';
import { formatDuration, formatPower, formatPowerReading } from '../../../core/units.js';
import { makeColors, palette } from '../../color.js';
import { visible } from '../../visible.js';
import { clip, finalLines, fitTable, type Cell, type Column, type Step } from '../watch/table.js';
import { budgetText, writeText } from './words.js';

export interface ViewState {
  command: 'balance' | 'govern';
  /** the thermal zone's name (govern) */
  thermalName: string | null;
  intervalUs: number;
  last: PeriodRecord | null;
  /** writes per zone id over the run */
  writes: Map<string, number>;
  /** the last period that wrote, and its writes */
  lastWrites: PeriodRecord | null;
  /** the warnings so far, newest last */
  notes: string[];
}

type Key = 'zone' | 'name' | 'state' | 'power' | 'limit' | 'target' | 'writes';
const COLUMNS: Array<Column<Key>> = [
  { key: 'zone', head: 'ZONE', right: false, min: 6 },
  { key: 'name', head: 'NAME', right: false, min: 8 },
  { key: 'state', head: 'STATE', right: false, min: 0 },
  { key: 'power', head: 'POWER', right: true, min: 0 },
  { key: 'limit', head: 'LIMIT', right: true, min: 0 },
  { key: 'target', head: 'TARGET', right: true, min: 0 },
  { key: 'writes', head: 'WRITES', right: true, min: 0 },
];
/** on a narrow terminal: the target goes first (the limit follows it), then the count of writes, then names shorten and go */
const GIVE_WAY: Array<Step<Key>> = [{ drop: 'target' }, { drop: 'writes' }, { shorten: 'name', to: 12 }, { drop: 'name' }];

export function newViewState(command: ViewState['command'], thermalName: string | null, intervalUs: number): ViewState {
  return { command, thermalName, intervalUs, last: null, writes: new Map(), lastWrites: null, notes: [] };
}

/** Take a period's record into the view. */
export function addRecord(v: ViewState, r: PeriodRecord): void {
  v.last = r;
  for (const w of r.writes) v.writes.set(w.id, (v.writes.get(w.id) ?? 0) + 1);
  if (r.writes.length > 0) v.lastWrites = r;
}

const dash = '–';

export function frameLines(v: ViewState, size: { rows: number; columns: number }, colors: { color: boolean; isTTY: boolean }): string[] {
  const c = makeColors(colors.color, colors.isTTY);
  const p = palette(c);
  const cols = size.columns > 0 ? Math.max(1, size.columns - 1) : Infinity;
  const rows = size.rows > 0 ? size.rows : Infinity;
  const r = v.last;
  const zones: ZoneRecord[] = r?.zones ?? [];
  const stateCell = (z: ZoneRecord): Cell => {
    if (z.state === 'saturated') return { text: 'saturated', paint: p.warn };
    if (z.state === 'released') return { text: 'released', paint: p.bad };
    return { text: z.state };
  };
  const body: Array<Record<Key, Cell>> = zones.map((z) => ({
    zone: { text: visible(z.id), paint: p.id },
    name: z.name === null ? { text: '(no name)', paint: p.dim } : { text: visible(z.name) },
    state: stateCell(z),
    power: { text: z.powerUw === null ? dash : formatPowerReading(z.powerUw) },
    limit: { text: z.newLimitUw === null ? dash : formatPower(z.newLimitUw) },
    target: { text: z.targetUw === null ? dash : formatPower(z.targetUw), paint: p.dim },
    writes: { text: String(v.writes.get(z.id) ?? 0) },
  }));
  if (r) {
    body.push({
      zone: { text: 'total', paint: p.name }, name: { text: '' }, state: { text: '' },
      power: { text: r.totalPowerUw === null ? dash : formatPowerReading(r.totalPowerUw), paint: p.name },
      limit: { text: formatPower(r.sumLimitsUw), paint: r.sumLimitsUw > r.budget.budgetUw && r.budget.governor === undefined ? p.bad : p.name },
      target: { text: '' }, writes: { text: String([...v.writes.values()].reduce((a, b) => a + b, 0)) },
    });
  }
  const { line } = fitTable(COLUMNS, body, GIVE_WAY, cols, p.heading);

  const head = r
    ? `${v.command} · ${formatDuration(r.tUs)} · period ${r.period} every ${formatDuration(v.intervalUs)}${r.dryRun ? ' · dry run: nothing written' : ''} · Ctrl-C to stop`
    : `${v.command} · starting`;
  const lines: string[] = [p.dim(clip(head, cols))];
  if (r) lines.push(p.name(clip(`budget ${budgetText(r, v.thermalName)}`, cols)));
  const notes = v.notes.slice(-3).map((n) => p.warn(clip(n, cols)));
  const last = v.lastWrites
    ? p.dim(clip(`${v.lastWrites.dryRun ? 'would write' : 'last writes'} (${formatDuration(v.lastWrites.tUs)}): ${v.lastWrites.writes.map(writeText).join(', ')}`, cols))
    : p.dim(clip('no writes yet', cols));
  // the zone rows the room leaves, after the heads, the total, the writes and the notes
  const room = rows === Infinity ? zones.length : rows - lines.length - 3 - notes.length;
  const shown = room >= zones.length ? zones.length : Math.max(0, room - 1);
  lines.push(line(null));
  for (let i = 0; i < shown; i++) lines.push(line(body[i]!));
  if (shown < zones.length) lines.push(p.dim(clip(`… ${zones.length - shown} of ${zones.length} zones hidden: enlarge the terminal`, cols)));
  if (r) lines.push(line(body[body.length - 1]!));
  lines.push(last, ...notes);
  const fitted = finalLines(lines, cols, c);
  return rows === Infinity ? fitted : fitted.slice(0, rows);
}
