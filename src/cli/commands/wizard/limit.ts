/**
 * Wizard flow (a): cap a zone. Every value typed is checked by planChanges, the
 * function set-limit plans with (same unit parser, same bounds, same messages),
 * while the user types; the change is applied by applyPlan, set-limit's
 * transaction (read back, rolled back on failure, or on a signal between writes:
 * trapSignals, exit 128+N, as set-limit does).
 */
import type { CommandContext } from '../../context.js';
import type { Prompts } from './commandline.js';
import { PowercapError, refused } from '../../../core/errors.js';
import { readPowercapTree, defaultConstraint, type Constraint, type PowercapTree, type Zone } from '../../../core/zones/powercap-tree.js';
import { duration, powerSpec } from '../../option-values.js';
import { applyPlan, planChanges, powerBounds, constraintLabel, describeStep, type ApplyResult, type LimitRequest, type Plan, type PlanStep } from '../../../core/limits/index.js';
import { formatDuration, formatPower } from '../../../core/units.js';
import { constraintCell, dtpmNotLimited, mainLimitCell, NOT_LIMITED, readingCell } from '../../render/zones.js';
import { hintFor } from '../../hints.js';
import { trapHooks, trapSignals } from '../../signals.js';
import { setLimitCommand, toolPrefix, type LimitChoice } from './commandline.js';

/**
 * The message of a refused value, for the line under the prompt ("nothing was written" goes
 * without saying), with its way out worded for the wizard, which has no options (cli/hints.ts).
 */
export function promptError(err: unknown): string {
  if (err instanceof PowercapError) {
    const msg = err.message.replace(/: nothing was written$/, '');
    const hint = hintFor(err.reason, 'wizard', err.hint);
    return hint ? `${msg} (${hint})` : msg;
  }
  return (err as Error)?.message ?? String(err);
}

/** The checker a prompt's validate callback uses: true, or the error text. */
/** What a person typed at the prompts, parsed by the parsers set-limit's options declare (option-values.ts). */
export function typedRequest(base: LimitRequest, typed: { power?: string; timeWindow?: string }): LimitRequest {
  return {
    ...base,
    ...(typed.power !== undefined ? { power: powerSpec.parse(typed.power) } : {}),
    ...(typed.timeWindow !== undefined ? { timeWindowUs: duration().parse(typed.timeWindow) } : {}),
  };
}

export function checker(tree: PowercapTree, base: LimitRequest): (typed: { power?: string; timeWindow?: string }) => true | string {
  return (typed) => {
    try {
      planChanges(tree, [typedRequest(base, typed)]);
      return true;
    } catch (err) {
      return promptError(err);
    }
  };
}

/** A limit as `list` words it: a DTPM node never limited is "not limited", not 0 W (render/zones.ts dtpmNotLimited). */
const limitText = (zone: Zone | undefined, v: bigint) => (zone && dtpmNotLimited(zone, v) ? NOT_LIMITED : formatPower(v));

/** A step's value in words; the step's zone (from `tree`) says whether a DTPM 0 is "not limited". */
const fmt = (tree: PowercapTree, s: PlanStep, v: bigint | null) =>
  v === null ? '?' : s.attribute === 'power_limit_uw' ? limitText(tree.byId.get(s.zoneId), v) : s.attribute === 'time_window_us' ? formatDuration(v) : v === 0n ? 'disabled' : 'enabled';

export function summaryLines(plan: Plan, tree: PowercapTree): string[] {
  return plan.steps.map((s) => `  ${describeStep(s)}${s.zoneName ? ` (${s.zoneName})` : ''}: ${fmt(tree, s, s.before)} → ${fmt(tree, s, s.requested)}`);
}

function zoneChoices(tree: PowercapTree) {
  const w = (f: (z: Zone) => string) => Math.max(...tree.zones.map((z) => f(z).length));
  const nameW = w((z) => '  '.repeat(z.depth) + (z.name ?? '–'));
  const idW = w((z) => z.id);
  const readW = w(readingCell);
  return tree.zones.map((z) => {
    const label = `${('  '.repeat(z.depth) + (z.name ?? '–')).padEnd(nameW)}  ${z.id.padEnd(idW)}  ${readingCell(z).padStart(readW)}  ${mainLimitCell(z)}`;
    return z.constraints.length ? { name: label, value: z.id } : { name: label, value: z.id, disabled: '(no limit to set)' };
  });
}

/** How a constraint is named on the command line: its name when it has a unique one, else its number. */
const constraintRef = (z: Zone, c: Constraint) =>
  c.name !== null && z.constraints.filter((x) => x.name === c.name).length === 1 ? c.name : String(c.index);

export async function limitFlow(ctx: CommandContext, p: Prompts): Promise<void> {
  const src = ctx.source({ write: true });
  const snap = src.snapshot;
  // a snapshot that cannot be replaced is refused before any question
  if (snap) snap.assertWritable();
  const tree = readPowercapTree(src.powercap);
  if (!tree.zones.some((z) => z.constraints.length)) {
    throw refused('no zone here has a power limit to set (energy counters only)', 'see the zones with: powercapctl list');
  }
  const where = snap ? snap.path : src.info.kind === 'live' ? src.info.root : '';
  if (!snap && process.getuid?.() !== 0) {
    ctx.io.note('note: writing limits on a live tree needs root; the write at the end will be refused (run with sudo, or rehearse on a snapshot with --snapshot FILE)');
  }
  ctx.io.out(`Zones of ${where}:`);

  const zoneId = await p.select({
    message: 'Which zone?',
    choices: zoneChoices(tree),
    default: tree.zones.find((z) => z.constraints.length)!.id,
    pageSize: Math.min(20, tree.zones.length),
    loop: false,
  });
  const zone = tree.byId.get(zoneId)!;

  let c: Constraint = defaultConstraint(zone)!;
  if (zone.constraints.length > 1) {
    const index = await p.select({
      message: 'Which constraint?',
      choices: zone.constraints.map((x) => ({ name: constraintCell(x, zone), value: x.index })),
      default: c.index,
    });
    c = zone.constraints.find((x) => x.index === index)!;
  }
  const cref = constraintRef(zone, c);
  const check = checker(tree, { zone: zone.id, constraint: cref });

  const { minUw, maxUw } = powerBounds(zone, c);
  const range = [minUw !== null ? `min ${formatPower(minUw)}` : '', maxUw !== null ? `max ${formatPower(maxUw)}` : ''].filter(Boolean).join(', ');
  const now = c.powerLimitUw === null ? 'unreadable' : limitText(zone, c.powerLimitUw);
  const power = (
    await p.input({
      message: `New ${constraintLabel(c)} limit for ${zone.name ?? zone.id} (now ${now}${range ? `; ${range}` : ''}; e.g. 25W, 2500mW, max, 80%):`,
      validate: (v) => (v.trim() === '' ? 'type a power with a unit: 25W, 2500mW, max, min or 80%' : check({ power: v.trim() })),
    })
  ).trim();

  let timeWindow: string | undefined;
  const windowFile = `constraint_${c.index}_time_window_us`;
  if (zone.files.has(windowFile) && !zone.unreadable[windowFile]) {
    const wnow = c.timeWindowUs === null ? '?' : formatDuration(c.timeWindowUs);
    const change = await p.confirm({ message: `Change the time window too (now ${wnow})?`, default: false });
    if (change) {
      timeWindow = (
        await p.input({
          message: `Time window (now ${wnow}; e.g. 28s, 2.44ms, 976us):`,
          validate: (v) => (v.trim() === '' ? 'type a duration with a unit: 28s, 2.44ms, 976us' : check({ power, timeWindow: v.trim() })),
        })
      ).trim();
    }
  }

  const request = typedRequest({ zone: zone.id, constraint: cref }, { power, ...(timeWindow !== undefined ? { timeWindow } : {}) });
  const plan = planChanges(tree, [request]);
  ctx.io.out(['', 'Summary:', ...summaryLines(plan, tree), ...plan.warnings.map((w) => `  note: ${w}`), ''].join('\n'));

  const choice: LimitChoice = { zone: zone.id, power, constraint: cref, timeWindow };
  const equivalent = setLimitCommand(toolPrefix(ctx.globals), choice);
  const ok = await p.confirm({ message: `Write ${plan.steps.length === 1 ? 'this change' : 'these changes'} to ${snap ? snap.path : 'the live tree'}?`, default: false });
  if (!ok) {
    ctx.io.out('Nothing was written.');
    ctx.io.out(`\nTo make this change later, without questions:\n  ${equivalent}`);
    return;
  }

  // every catchable fatal signal between two writes rolls back (cli/signals.ts), exit 128+N, as set-limit
  const trap = trapSignals();
  const notesBefore = src.notes.length;
  let result: ApplyResult;
  try {
    result = await applyPlan(src.powercap, plan, trapHooks(trap), { isRoot: ctx.isRoot });
  } finally {
    trap.release();
  }
  if (!result.ok) {
    // what was undone, in set-limit's words; it matters more than --quiet
    const { rollbackLines } = await import('../set-limit/render.js');
    for (const line of rollbackLines(result.rolledBack)) ctx.io.log(line);
    throw result.error!;
  }
  if (snap) snap.save();
  for (const ch of result.changes) {
    const s = ch.step;
    const back = fmt(tree, s, ch.applied);
    ctx.io.out(`Applied: ${describeStep(s)} ${fmt(tree, s, s.requested)}${back !== fmt(tree, s, s.requested) ? ` (the kernel kept ${back})` : ''}`);
    for (const d of ch.dependents) {
      const dz = tree.byId.get(d.zoneId);
      ctx.io.out(`  ${d.zoneId}${d.zoneName ? ` (${d.zoneName})` : ''}: ${d.before === null ? '?' : limitText(dz, d.before)} → ${d.applied === null ? '?' : limitText(dz, d.applied)}`);
    }
  }
  if (snap) {
    for (const n of src.notes.slice(notesBefore)) ctx.io.warn(n);
    ctx.io.out(`Updated ${snap.path}.`);
  }
  ctx.io.out(`\nThe same change, without questions:\n  ${equivalent}`);
}
