/**
 * apply output: one row per setting (old → desired → applied, changed or
 * unchanged), the --check comparison, and the --json document
 * (docs/profiles.md "JSON output").
 */
import type { ItemOutcome, ReconcileResult } from '../../../core/profile/reconcile.js';
import type { RollbackEntry } from '../../../core/limits/index.js';
import { constraintLabel } from '../../../core/limits/index.js';
import type { PowercapError } from '../../../core/errors.js';
import { formatValue } from '../set-limit/render.js';
import { powerSourceJson, powerSourceText, type PowerSourceFact } from '../../power-source.js';
import { LOOP_UNITS } from '../../../core/persist/systemd-units.js';
import type { SectionOptions } from '../balance/profile.js';

const keySuffix = (a: string) => (a === 'power_limit_uw' ? 'Uw' : a === 'time_window_us' ? 'Us' : '');
const jv = (attribute: string, v: bigint | null) => (v === null ? null : attribute === 'enabled' ? v !== 0n : v);

function itemJson(o: ItemOutcome) {
  const s = o.step;
  const k = keySuffix(s.attribute);
  return {
    item: o.item.index,
    line: o.item.line,
    zone: s.zoneId,
    name: s.zoneName,
    controlType: s.controlType,
    constraint: s.constraint ? s.constraint.name ?? String(s.constraint.index) : null,
    attribute: s.attribute,
    pair: o.pair,
    [`before${k}`]: jv(s.attribute, o.before),
    [`desired${k}`]: jv(s.attribute, s.requested),
    [`expected${k}`]: jv(s.attribute, o.expected),
    [`applied${k}`]: jv(s.attribute, o.applied),
    inState: o.inState,
    changed: o.changed,
  };
}

function rollbackJson(r: RollbackEntry) {
  const k = keySuffix(r.attribute);
  return {
    zone: r.zoneId, name: r.zoneName, attribute: r.attribute,
    constraint: r.constraint ? r.constraint.name ?? String(r.constraint.index) : null,
    [`from${k}`]: jv(r.attribute, r.from), [`restored${k}`]: jv(r.attribute, r.readBack), ok: r.ok,
    ...(r.errno ? { error: r.errno } : {}),
  };
}

export function applyJson(opts: {
  source: unknown; profile: string; check: boolean; r: ReconcileResult; skipped: string[]; notes: string[]; power: PowerSourceFact | null;
  loop: SectionOptions | null; error?: PowercapError | null;
}) {
  const { r } = opts;
  const doc: Record<string, unknown> = {
    format: 'powercapctl-apply',
    version: 1,
    source: opts.source,
    profile: opts.profile,
    check: opts.check,
    powerSource: powerSourceJson(opts.power),
    ok: r.result ? r.result.ok : true,
    changed: r.changed,
    inState: r.inState,
    settings: r.items.length,
    changedSettings: r.items.filter((i) => i.changed).length,
    items: r.items.map(itemJson),
    skipped: opts.skipped,
    aside: r.aside.map((i) => ({ item: i.index, line: i.line, zone: i.zone, when: i.when! })),
    warnings: [...r.warnings, ...opts.notes],
    loop: opts.loop ? { command: opts.loop.command, line: opts.loop.line, unit: LOOP_UNITS[opts.loop.command] } : null,
    rolledBack: r.result ? r.result.rolledBack.map(rollbackJson) : [],
  };
  if (r.result && !r.result.ok && opts.error) {
    doc.error = {
      exitCode: opts.error.exitCode, message: opts.error.message, errno: r.result.failed?.errno ?? null,
      zone: r.result.failed?.step.zoneId ?? null, attribute: r.result.failed?.step.attribute ?? null, interrupted: r.result.interrupted,
    };
  }
  return doc;
}

interface Colors { heading(s: string): string; dim(s: string): string; warn(s: string): string; ok(s: string): string; id(s: string): string }

const settingCell = (a: string) => (a === 'power_limit_uw' ? 'power limit' : a === 'time_window_us' ? 'time window' : 'enabled');
const zoneCell = (o: ItemOutcome) => (o.step.zoneName ? `${o.step.zoneId} ${o.step.zoneName}` : o.step.zoneId);

/** `28.00 s`, or `28.00 s ≈ 27.98 s` when the kernel stores the request differently. */
export function desiredCell(o: ItemOutcome): string {
  const want = formatValue(o.step, o.step.requested);
  const stored = formatValue(o.step, o.expected);
  return o.expected !== o.step.requested && stored !== want ? `${want} ≈ ${stored}` : want;
}

export async function renderOutcome(r: ReconcileResult, check: boolean, p: Colors): Promise<string> {
  const { borderlessTable } = await import('../../render/table.js');
  const rows = r.items.map((o) => {
    const base = [p.id(zoneCell(o)), o.step.constraint ? constraintLabel(o.step.constraint) : '–', settingCell(o.step.attribute), formatValue(o.step, o.before), desiredCell(o)];
    if (check) return [...base, o.inState ? p.ok('in state') : p.warn('differs')];
    const applied = o.applied === null ? '–' : formatValue(o.step, o.applied);
    return [...base, applied, o.changed ? p.warn('changed') : p.dim('unchanged')];
  });
  const head = check ? ['ZONE', 'CONSTRAINT', 'SETTING', 'NOW', 'DESIRED', 'STATE'] : ['ZONE', 'CONSTRAINT', 'SETTING', 'BEFORE', 'DESIRED', 'APPLIED', ''];
  return borderlessTable(head.map((h) => p.heading(h)), rows, { trimEnd: true });
}

/**
 * The last line: what changed; for --check in state, that it is (not in state is the command's
 * error, exit 7). With items for one power source: which one, and how many items for the other
 * were set aside.
 */
export function summaryLine(r: ReconcileResult, check: boolean, power: PowerSourceFact | null = null): string {
  const n = r.items.length;
  const aside = asideText(r, check);
  if (check) return `in state${power ? ` on ${powerSourceText(power)}` : ''}: ${n} setting${n === 1 ? '' : 's'} as the profile says${aside}`;
  const changed = r.items.filter((i) => i.changed).length;
  return `${power ? `on ${powerSourceText(power)}: ` : ''}${changed} changed, ${n - changed} unchanged${aside}`;
}

/** `; 2 items for battery not in force` (not compared, for --check) */
function asideText(r: ReconcileResult, check: boolean): string {
  if (r.aside.length === 0) return '';
  const whens = [...new Set(r.aside.map((i) => i.when === 'ac' ? 'AC' : 'battery'))].join(' and ');
  return `; ${r.aside.length} item${r.aside.length === 1 ? '' : 's'} for ${whens} ${check ? 'not compared' : 'not in force'}`;
}

/** The profile's balance: or govern: section: checked, and run by its service, not by apply. */
export function loopLine(loop: SectionOptions, file: string): string {
  return `${loop.command}: (line ${loop.line}): run by its service, not by apply: powercapctl ${loop.command} --profile ${file} (persist install runs it as ${LOOP_UNITS[loop.command]})`;
}
