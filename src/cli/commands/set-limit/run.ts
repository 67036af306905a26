import type { CommandContext } from '../../context.js';
import { Exit, PowercapError, usageError } from '../../../core/errors.js';
import { readPowercapTree } from '../../../core/zones/powercap-tree.js';
import { applyPlan, planChanges, type ApplyResult, type LimitRequest } from '../../../core/limits/index.js';
import { parseValue } from '../../options.js';
import { powerSpec } from '../../option-values.js';
import type { SetLimitArgs, SetLimitOptions } from './spec.js';
import { sourceJson } from '../../render/zones.js';
import { trapSignals, trapHooks } from '../../signals.js';

/** `ZONE POWER`, or `ZONE=POWER …`; each power through the power parser; the options apply to every zone named. */
export function parseTargets(zone: string, rest: string[], opts: Pick<SetLimitOptions, 'constraint' | 'timeWindow' | 'enable' | 'disable'>): LimitRequest[] {
  const common: Omit<LimitRequest, 'zone'> = {};
  if (opts.constraint !== undefined) common.constraint = opts.constraint;
  if (opts.timeWindow !== undefined) common.timeWindowUs = opts.timeWindow;
  if (opts.enable) common.enable = true;
  if (opts.disable) common.enable = false;
  const all = [zone, ...rest];
  if (all.some((a) => a.includes('='))) {
    return all.map((a) => {
      const i = a.indexOf('=');
      if (i < 0) throw usageError(`'${a}' is not ZONE=POWER: with several zones, give each as ZONE=POWER`, 'e.g. set-limit intel-rapl:0=25W intel-rapl:1=20W');
      const z = a.slice(0, i).trim();
      const p = a.slice(i + 1).trim();
      if (z === '' || p === '') throw usageError(`'${a}' is not ZONE=POWER`, 'e.g. intel-rapl:0=25W');
      return { zone: z, power: parseValue(powerSpec, p, z), ...common };
    });
  }
  if (all.length > 2) {
    throw usageError(`too many arguments (${all.length}): give ZONE POWER, or several ZONE=POWER pairs`, 'e.g. set-limit intel-rapl:0=25W intel-rapl:1=20W');
  }
  const req: LimitRequest = { zone, ...common };
  if (all[1] !== undefined) req.power = parseValue(powerSpec, all[1], 'POWER');
  return [req];
}

export async function run(ctx: CommandContext, [zone, rest]: SetLimitArgs, opts: SetLimitOptions): Promise<void> {
  const requests = parseTargets(zone, rest, opts);
  const dryRun = opts.dryRun;
  const json = ctx.globals.json;
  const src = ctx.source({ write: !dryRun });
  const snap = src.snapshot;
  // a read-only snapshot is refused before anything else: nothing will be half-done
  if (snap && !dryRun) snap.assertWritable();

  const tree = readPowercapTree(src.powercap);
  const force = opts.force;
  const plan = planChanges(tree, requests, { force, ...(opts.only !== undefined ? { only: opts.only } : {}) });
  const said = (await import('./render.js')).planMessages(plan);
  for (const n of said.notes) ctx.io.note(n);
  for (const w of said.warnings) ctx.io.warn(w);
  if (plan.risks.length && force) for (const r of plan.risks) ctx.io.warn(`--force: ${r}`);
  else if (plan.risks.length && dryRun) for (const r of plan.risks) ctx.io.warn(`${r}: writing it asks for confirmation at a terminal, or needs --force`);

  const colors = async () => {
    const { makeColors, palette } = await import('../../color.js');
    return palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  };
  const render = () => import('./render.js');

  if (dryRun) {
    const r = await render();
    if (json) ctx.io.json(r.resultJson({ source: sourceJson(src.info), plan, result: null, dryRun: true, notes: plan.notes }));
    else ctx.io.out(await r.renderPlan(plan, await colors(), 'plan (dry run: nothing is written)', tree));
    return;
  }

  const atTerminal = !json && ctx.io.stdinIsTTY && ctx.io.stdoutIsTTY;
  // a limit that would starve the zone: a person confirms it (even with --yes), a script says --force
  if (plan.risks.length && !force) {
    if (!atTerminal) {
      throw new PowercapError(Exit.REFUSED, `${plan.risks.join('; ')}: that would starve the zone; nothing was written`, 'use --force if you mean it');
    }
    const { confirm } = await import('@inquirer/prompts');
    let yes = false;
    try {
      yes = await confirm({ message: `${plan.risks.join('; ')}: the zone may barely run. Write it anyway?`, default: false });
    } catch {
      throw new PowercapError(Exit.INTERRUPTED, 'interrupted: nothing was written');
    }
    if (!yes) throw new PowercapError(Exit.FAILED, 'not confirmed: nothing was written', 'use --force to skip the question');
  }

  // ask only a person at a terminal, only for the live tree, never when input is piped
  if (!snap && !opts.yes && atTerminal) {
    const r = await render();
    ctx.io.out(await r.renderPlan(plan, await colors(), 'about to write:', tree));
    const { confirm } = await import('@inquirer/prompts');
    let yes = false;
    try {
      yes = await confirm({ message: `Apply ${plan.steps.length === 1 ? 'this change' : `these ${plan.steps.length} changes`}?`, default: false });
    } catch {
      throw new PowercapError(Exit.INTERRUPTED, 'interrupted: nothing was written');
    }
    if (!yes) throw new PowercapError(Exit.FAILED, 'not confirmed: nothing was written', 'use --yes to skip the question');
  }

  // every catchable fatal signal between two writes rolls back (cli/signals.ts), exit 128+N
  const trap = trapSignals();
  const notesBefore = src.notes.length;
  let result: ApplyResult;
  try {
    result = await applyPlan(src.powercap, plan, trapHooks(trap), { isRoot: ctx.isRoot });
  } finally {
    trap.release();
  }
  // what the emulated kernel did that a user should know (a DTPM child clamped to its minimum)
  const notes = src.notes.slice(notesBefore);
  if (result.ok) {
    if (snap) snap.save();
    for (const n of notes) ctx.io.warn(n);
  }

  const r = await render();
  if (json) {
    ctx.io.json(r.resultJson({ source: sourceJson(src.info), plan, result, dryRun: false, notes: result.ok ? [...plan.notes, ...notes] : [...plan.notes], error: result.error }));
  } else if (result.ok) {
    ctx.io.out(await r.renderResult(result, await colors(), tree));
  }
  if (!result.ok) {
    // what was undone matters more than --quiet: always on stderr
    for (const line of r.rollbackLines(result.rolledBack, tree)) ctx.io.log(line);
    throw result.error!;
  }
  if (snap) ctx.io.note(`updated ${snap.path}`);
}
