import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { Exit, PowercapError } from '../../../core/errors.js';
import { readProfile } from '../balance/profile.js';
import { reconcile } from '../../../core/profile/reconcile.js';
import type { SkippedItem } from '../../../core/profile/desired-state.js';
import { prepareStateFile, updateState } from '../../../core/persist/state.js';
import { sourceJson } from '../../render/zones.js';
import { trapSignals, trapHooks } from '../../signals.js';
import { powerSourceFor, powerSourceText } from '../../power-source.js';
import type { ApplyArgs, ApplyOptions } from './spec.js';

/** An item left out by --only, in the words of the command line. */
export const skippedLine = (s: SkippedItem) =>
  `limits[${s.item.index}] (${s.item.zone}, line ${s.item.line}): no zone of control type ${s.controlType} (--only)`;

/** The refusal of a limit that would starve its zone, worded for a terminal or a script: --force or a yes. */
async function confirmRisks(ctx: CommandContext, force: boolean, risks: string[]): Promise<boolean> {
  if (force) {
    for (const x of risks) ctx.io.warn(`--force: ${x}`);
    return true;
  }
  if (ctx.globals.json || !ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) return false;
  const { confirm } = await import('@inquirer/prompts');
  try {
    return await confirm({ message: `${risks.join('; ')}: the zone may barely run. Write it anyway?`, default: false });
  } catch {
    throw new PowercapError(Exit.INTERRUPTED, 'interrupted: nothing was written');
  }
}

export async function run(ctx: CommandContext, [file]: ApplyArgs, opts: ApplyOptions): Promise<void> {
  const { check, only } = opts;
  const stateFile = opts.state === undefined ? undefined : path.resolve(opts.state);
  if (stateFile) prepareStateFile(stateFile);
  if (opts.watch !== undefined) {
    const { watchProfile } = await import('./watch.js');
    return watchProfile(ctx, { file, only, intervalUs: opts.watch, stateFile, force: opts.force, powerSource: opts.powerSource });
  }

  // a balance: or govern: section is checked here and left to its service (persist install)
  const { profile, loop } = await readProfile(file);
  const power = powerSourceFor(ctx, profile, opts.powerSource);
  const json = ctx.globals.json;
  const src = ctx.source({ write: !check });
  const snap = src.snapshot;
  if (snap && !check) snap.assertWritable();

  // every catchable fatal signal between two writes rolls back (cli/signals.ts), exit 128+N
  const trap = trapSignals();
  const notesBefore = src.notes.length;
  let r;
  try {
    r = await reconcile(src.powercap, profile, {
      check, snapshot: snap, energyModel: () => ctx.energyModel(), hooks: trapHooks(trap), isRoot: ctx.isRoot,
      // a limit that would starve its zone: --force, or a person at a terminal says yes (as set-limit)
      confirmRisks: (risks) => confirmRisks(ctx, opts.force, risks),
      ...(only !== undefined ? { only } : {}),
      ...(power !== null ? { powerSource: power.kind } : {}),
    });
  } finally {
    trap.release();
  }
  const ok = r.result ? r.result.ok : true;
  const notes = snap && ok ? src.notes.slice(notesBefore) : [];
  if (snap && r.changed) snap.save();
  if (stateFile) {
    updateState(stateFile, path.resolve(file), (s) => {
      s.lastApply = {
        at: new Date().toISOString(), ok, changed: r.changed, settings: r.items.length,
        changedSettings: r.items.filter((i) => i.changed).length, error: r.result?.error?.message ?? null,
      };
    });
  }

  const skipped = r.skipped.map(skippedLine);
  for (const w of [...r.warnings, ...skipped, ...notes]) ctx.io.warn(w);
  const render = await import('./render.js');
  if (json) {
    ctx.io.json(render.applyJson({ source: sourceJson(src.info), profile: file, check, r, skipped, notes, power, loop, error: r.result?.error ?? null }));
  } else if (ok) {
    const { makeColors, palette } = await import('../../color.js');
    const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
    if (r.items.length) ctx.io.out(await render.renderOutcome(r, check, p));
    // not in state: the verdict is the error below (exit 7), said once
    if (!check || r.inState) ctx.io.out(render.summaryLine(r, check, power));
    if (loop) ctx.io.out(render.loopLine(loop, file));
  }
  if (!ok) {
    const { rollbackLines } = await import('../set-limit/render.js');
    for (const line of rollbackLines(r.result!.rolledBack)) ctx.io.log(line);
    throw r.result!.error!;
  }
  if (check && !r.inState) {
    const differ = r.items.filter((i) => !i.inState).length;
    const on = power ? ` on ${powerSourceText(power)}` : '';
    throw new PowercapError(Exit.NOT_IN_STATE, `not in the state of ${file}${on}: ${differ} of ${r.items.length} settings differ (nothing was written)`);
  }
  if (snap && r.changed) ctx.io.note(`updated ${snap.path}`);
}
