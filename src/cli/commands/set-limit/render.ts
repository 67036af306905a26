/**
 * set-limit output: the plan (dry run, confirmation), the result as a table of
 * old → requested → applied with a note wherever applied ≠ requested, and the
 * --json document (docs/set-limit.md "JSON output").
 */
import type { AppliedChange, ApplyResult, FileValue, Plan, PlanStep, RollbackEntry } from '../../../core/limits/index.js';
import { constraintLabel, describeStep, expectedStore, quantizeRaplLimit } from '../../../core/limits/index.js';
import { capIsPowerMax, isHwmonType } from '../../../core/kernel/hwmon.js';
import { formatDuration, formatPower, formatPowerExact } from '../../../core/units.js';
import { computeTimeWindow, isRaplType, powerLimitMask, quantizePowerLimit } from '../../../core/kernel/rapl.js';
import { SCMI_CONTROL_TYPE } from '../../../core/kernel/scmi-powercap.js';
import type { PowercapError } from '../../../core/errors.js';
import type { PowercapTree, Zone } from '../../../core/zones/powercap-tree.js';
import { visible } from '../../visible.js';
import { powerLimitText } from '../../render/zones.js';

/** The zone a step or a restore names, from the tree read for the plan (how its values are worded). */
type ZoneOf = (id: string) => Pick<Zone, 'controlType' | 'children'> | undefined;
const zonesOf = (tree: PowercapTree | undefined): ZoneOf => (id) => tree?.byId.get(id);

// ------------------------------------------------------------------ JSON

/** The unit suffix of the JSON keys for an attribute: beforeUw, beforeUs, or plain before (enabled, boolean). */
const keySuffix = (s: PlanStep) => (s.attribute === 'power_limit_uw' ? 'Uw' : s.attribute === 'time_window_us' ? 'Us' : '');
const jsonValue = (s: PlanStep, v: bigint | null): bigint | boolean | null => (v === null ? null : s.attribute === 'enabled' ? v !== 0n : v);

function changeJson(step: PlanStep, before: bigint | null, applied: bigint | null | undefined, dependents: FileValue[] | null) {
  const k = keySuffix(step);
  const out: Record<string, unknown> = {
    zone: step.zoneId,
    name: step.zoneName,
    constraint: step.constraint ? step.constraint.name ?? String(step.constraint.index) : null,
    constraintIndex: step.constraint?.index ?? null,
    attribute: step.attribute,
    [`before${k}`]: jsonValue(step, before),
    [`requested${k}`]: jsonValue(step, step.requested),
    [`applied${k}`]: applied === undefined ? null : jsonValue(step, applied),
  };
  // a dry run says what the kernel will store where that is known (RAPL's steps)
  if (applied === undefined) out[`expected${k}`] = jsonValue(step, expectedStore(step));
  if (dependents && dependents.length) {
    out.split = dependents.map((d) => ({ zone: d.zoneId, name: d.zoneName, beforeUw: d.before, appliedUw: d.applied }));
  }
  return out;
}

function rollbackJson(r: RollbackEntry) {
  const k = r.attribute === 'power_limit_uw' ? 'Uw' : r.attribute === 'time_window_us' ? 'Us' : '';
  const v = (x: bigint | null) => (x === null ? null : r.attribute === 'enabled' ? x !== 0n : x);
  return {
    zone: r.zoneId,
    name: r.zoneName,
    constraint: r.constraint ? r.constraint.name ?? String(r.constraint.index) : null,
    attribute: r.attribute,
    [`from${k}`]: v(r.from),
    [`restored${k}`]: v(r.readBack),
    [`target${k}`]: v(r.restoredTo),
    exact: r.ok && r.readBack === r.restoredTo,
    ok: r.ok,
    ...(r.errno ? { error: r.errno } : {}),
  };
}

/** A limit set on a disabled zone, in the words every command uses. */
export const disabledWarning = (label: string) => `${label} is disabled (enabled reads 0): its limit has no effect until it is enabled`;

/** The plan's facts worded for this command: what forcing let through, a package meant twice, a disabled zone. */
export function planMessages(plan: Plan): { notes: string[]; warnings: string[] } {
  return {
    notes: plan.notes.map((n, i) => {
      const pair = plan.pairs[i];
      return pair ? `${n} (--only ${pair.controlTypes[0]} sets one)` : n;
    }),
    warnings: [
      ...plan.disabled.map((d) => `${disabledWarning(d.label)}; add --enable to enable it in the same transaction`),
      ...plan.warnings,
      ...plan.overrides.map((o) => `--force: ${o}`),
    ],
  };
}

export function resultJson(opts: {
  source: unknown;
  plan: Plan;
  result: ApplyResult | null;
  dryRun: boolean;
  notes: string[];
  error?: PowercapError | null;
}) {
  const { plan, result } = opts;
  const changes = result
    ? result.changes.map((c) => changeJson(c.step, c.before, c.applied, c.dependents))
    : plan.steps.map((s) => changeJson(s, s.before, undefined, null));
  const doc: Record<string, unknown> = {
    source: opts.source,
    dryRun: opts.dryRun,
    ok: result ? result.ok : true,
    changes,
    rolledBack: result ? result.rolledBack.map(rollbackJson) : [],
    warnings: [...plan.disabled.map((d) => disabledWarning(d.label)), ...plan.warnings, ...opts.notes],
    overrides: plan.overrides,
  };
  if (result && !result.ok && opts.error) {
    doc.error = {
      exitCode: opts.error.exitCode,
      message: opts.error.message,
      errno: result.failed?.errno ?? null,
      zone: result.failed?.step.zoneId ?? null,
      attribute: result.failed?.step.attribute ?? null,
      interrupted: result.interrupted,
    };
  }
  return doc;
}

// ------------------------------------------------------------------ human

/** A value as set-limit words it; with its zone, a DTPM node's 0 reads "not limited", as in list and tree (powerLimitText). */
export function formatValue(s: Pick<PlanStep, 'attribute'>, v: bigint | null, zone?: Pick<Zone, 'controlType' | 'children'>): string {
  if (v === null) return '?';
  if (s.attribute === 'power_limit_uw') return powerLimitText(zone, v);
  if (s.attribute === 'time_window_us') return formatDuration(v);
  return v === 0n ? 'disabled' : 'enabled';
}

/** Two different values that would print alike are printed exactly. */
function formatPair(s: PlanStep, a: bigint | null, b: bigint | null, zone?: Pick<Zone, 'controlType' | 'children'>): [string, string] {
  const fa = formatValue(s, a, zone);
  const fb = formatValue(s, b, zone);
  if (a !== null && b !== null && a !== b && fa === fb) {
    return s.attribute === 'power_limit_uw' ? [formatPowerExact(a), formatPowerExact(b)] : [`${a} µs`, `${b} µs`];
  }
  return [fa, fb];
}

// zone ids and names, constraint names: a source's text, made visible before it is painted (cli/visible.ts)
const zoneCell = (s: { zoneId: string; zoneName: string | null }) => visible(s.zoneName ? `${s.zoneId} ${s.zoneName}` : s.zoneId);
const constraintCell = (s: Pick<PlanStep, 'constraint'>) => (s.constraint ? visible(constraintLabel(s.constraint)) : '–');
const settingCell = (s: PlanStep) => (s.attribute === 'power_limit_uw' ? 'power limit' : s.attribute === 'time_window_us' ? 'time window' : 'enabled');

/** Why the value read back is not the one written, in the kernel's terms. */
export function appliedNote(c: AppliedChange): string | null {
  const s = c.step;
  if (c.applied === null) return `${visible(describeStep(s))}: could not be read back after writing`;
  if (c.applied === s.requested) return null;
  const [req, app] = formatPair(s, s.requested, c.applied);
  const head = `${visible(describeStep(s))}: applied ${app}, requested ${req}`;
  const rapl = isRaplType(s.controlType);
  if (s.attribute === 'power_limit_uw') {
    if (rapl && c.applied === quantizeRaplLimit(s)) {
      // past the constraint's field the units wrap (kernel/rapl.ts powerLimitMask): say so, not just "steps"
      const mask = powerLimitMask(s.raplInterface ?? 'msr', s.constraint?.name ?? null);
      if (c.applied !== quantizePowerLimit(s.requested, -1n)) { // -1n: every bit, no field
        return `${head}: RAPL keeps this limit in a ${mask.toString(2).length}-bit field of 1/8 W units, and ${formatPower(s.requested)} does not fit: the units wrap`;
      }
      return `${head}: RAPL stores power limits in 1/8 W steps`;
    }
    if (s.controlType === 'dtpm') {
      if (s.max !== null && s.requested > s.max && c.applied <= s.max) return `${head}: clamped to the zone's maximum ${formatPower(s.max)}, then split among its children`;
      if (s.min !== null && s.requested < s.min) return `${head}: clamped to the zone's minimum ${formatPower(s.min)}`;
      return s.dependents.length
        ? `${head}: DTPM stores the sum of what its children applied (each takes the highest performance state that fits its share)`
        : `${head}: DTPM applies the highest performance state that fits`;
    }
  }
  if (s.controlType === SCMI_CONTROL_TYPE) {
    // arm_scmi_powercap.c, scmi_powercap_normalize_cap/_time; the protocol's scmi_powercap_cap_set
    const what = s.attribute === 'time_window_us' ? 'an averaging interval' : 'a cap';
    if (s.attribute === 'power_limit_uw' && c.applied === 0n) return `${head}: the domain is disabled: SCMI keeps the cap and applies it once the domain is enabled`;
    if (s.max !== null && s.requested > s.max) return `${head}: SCMI clamps ${what} to the domain's maximum ${formatValue(s, s.max)}, then rounds it down to the firmware's step`;
    if (s.min !== null && s.requested < s.min) return `${head}: SCMI clamps ${what} to the domain's minimum ${formatValue(s, s.min)}, then rounds it down to the firmware's step`;
    return `${head}: SCMI rounds ${what} down to the firmware's step${s.attribute === 'power_limit_uw' ? ' (a mW domain up to a whole mW first)' : ''}`;
  }
  if (s.attribute === 'time_window_us' && rapl && c.applied === computeTimeWindow(s.requested)) {
    return `${head}: RAPL stores time windows as 2^Y × (1 + F/4) time units of 976 µs`;
  }
  if (isHwmonType(s.controlType)) {
    const gpu = s.driver ?? 'the driver';
    if (s.attribute === 'time_window_us' && c.applied === expectedStore(s)) return `${head}: ${gpu} stores the window as (1 + x/4) × 2^y units of 1/1024 s, in whole ms`;
    if (s.attribute === 'power_limit_uw' && c.applied === expectedStore(s)) return `${head}: ${gpu} keeps caps in whole watts`;
    if (s.attribute === 'power_limit_uw' && capIsPowerMax(s.driver)) return `${head}: the GPU clamps its PL1 to limits that sysfs does not show (${gpu}, power1_max), and reads back the clamped value`;
  }
  return `${head}: the kernel stored a different value`;
}

interface Colors {
  heading(s: string): string;
  dim(s: string): string;
  warn(s: string): string;
  ok(s: string): string;
  id(s: string): string;
}

async function table(head: string[], rows: string[][], p: Colors): Promise<string> {
  const { borderlessTable } = await import('../../render/table.js');
  return borderlessTable(head.map((h) => p.heading(h)), rows, { trimEnd: true });
}

export async function renderPlan(plan: Plan, p: Colors, title: string, tree?: PowercapTree): Promise<string> {
  const zoneOf = zonesOf(tree);
  const rows = plan.steps.map((s) => {
    // what the kernel will store, not what was typed: RAPL keeps 1/8 W steps (25.3 W → 25.25 W)
    const stored = expectedStore(s);
    const [now, next] = formatPair(s, s.before, stored, zoneOf(s.zoneId));
    const asked = stored !== s.requested ? ` (asked ${formatPair(s, s.requested, stored)[0]})` : '';
    return [p.id(zoneCell(s)), constraintCell(s), settingCell(s), now, s.before === stored ? p.dim(`${next} (unchanged)`) : next + asked];
  });
  return `${title}\n` + (await table(['ZONE', 'CONSTRAINT', 'SETTING', 'NOW', 'NEW'], rows, p));
}

export async function renderResult(result: ApplyResult, p: Colors, tree?: PowercapTree): Promise<string> {
  const zoneOf = zonesOf(tree);
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const c of result.changes) {
    const s = c.step;
    const note = appliedNote(c);
    if (note) notes.push(note);
    const [req, app] = formatPair(s, s.requested, c.applied, zoneOf(s.zoneId));
    rows.push([p.id(zoneCell(s)), constraintCell(s), settingCell(s), formatValue(s, c.before, zoneOf(s.zoneId)), req, note ? p.warn(`${app} *`) : p.ok(app)]);
    for (const d of c.dependents) {
      if (d.before === d.applied) continue;
      rows.push([p.dim(`  ↳ ${zoneCell(d)}`), p.dim('split'), p.dim(settingCell(s)), p.dim(formatValue(s, d.before, zoneOf(d.zoneId))), p.dim('–'), formatValue(s, d.applied, zoneOf(d.zoneId))]);
    }
  }
  let out = await table(['ZONE', 'CONSTRAINT', 'SETTING', 'BEFORE', 'REQUESTED', 'APPLIED'], rows, p);
  if (notes.length) out += '\n' + notes.map((n) => p.warn(`* ${n}`)).join('\n');
  return out;
}

/** One line per restore, for stderr after a failure. */
export function rollbackLines(entries: RollbackEntry[], tree?: PowercapTree): string[] {
  const zoneOf = zonesOf(tree);
  return entries.map((r) => {
    const s = { attribute: r.attribute } as PlanStep;
    const z = zoneOf(r.zoneId);
    const what = visible(`${r.zoneId}${r.zoneName ? ` (${r.zoneName})` : ''} ${r.constraint ? constraintLabel(r.constraint) + ' ' : ''}`) + settingCell(s);
    const inexact = r.readBack === r.restoredTo ? ''
      : r.zoneId.startsWith('dtpm:')
        ? ` (was ${formatValue(s, r.restoredTo, z)}: a DTPM node stores what its children applied, it cannot be put back exactly)`
        : ` (was ${formatValue(s, r.restoredTo, z)}: the kernel stored a different value)`;
    return r.ok
      ? `rolled back: ${what} ${formatValue(s, r.from, z)} → ${formatValue(s, r.readBack, z)}${inexact}`
      : `NOT rolled back: ${what} is ${formatValue(s, r.from, z)}, was ${formatValue(s, r.restoredTo, z)} (${r.errno}): restore it by hand`;
  });
}
