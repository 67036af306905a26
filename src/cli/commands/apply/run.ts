import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { Exit, PowercapError, usageError } from '../../../core/errors.js';
import { loadProfile } from '../../../core/profile/parse.js';
import { reconcile } from '../../../core/profile/reconcile.js';
import { prepareStateFile, updateState } from '../../../core/persist/state.js';
import { parseDurationUs } from '../../../core/units.js';
import { sourceJson } from '../../render/zones.js';
import { trapSignals, trapHooks } from '../../signals.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** An interval: a duration with a unit, or bare seconds (`30`), as watch -i takes it. */
export function parseIntervalUs(text: string, option: string): bigint {
  const t = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? `${text.trim()}s` : text;
  const us = parseDurationUs(t);
  if (us < 100_000n) throw usageError(`${option} ${text}: too short`, 're-read the limits at most every 100 ms (30s is plenty for drift)');
  // a timer holds at most 2^31-1 ms: longer would fire at once, in a loop
  if (us > 86_400_000_000n) throw usageError(`${option} ${text}: too long (allowed: 100ms to 24h)`, 'e.g. 30s, 5min or 1h');
  return us;
}

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const file = args[0] as string;
  const check = opts.check === true;
  const only = str(opts.only);
  const stateFile = str(opts.state) ? path.resolve(str(opts.state)!) : undefined;
  const watch = str(opts.watch);
  if (stateFile && !check) prepareStateFile(stateFile);
  if (watch !== undefined) {
    if (check) throw usageError('--watch and --check contradict each other: give one');
    const intervalUs = parseIntervalUs(watch, '--watch');
    if (ctx.globals.snapshot) throw usageError('--watch keeps a live tree in state: it does not run on a snapshot', 'apply a snapshot once, without --watch');
    const { watchProfile } = await import('./watch.js');
    return watchProfile(ctx, { file, only, intervalUs, stateFile });
  }

  const profile = await loadProfile(file);
  const json = ctx.globals.json;
  const src = ctx.source({ write: !check });
  const snap = src.snapshot;
  if (snap && !check) snap.assertWritable();

  // every catchable fatal signal between two writes rolls back (cli/signals.ts), exit 128+N
  const trap = trapSignals();
  const notesBefore = src.notes.length;
  let r;
  try {
    // a limit that would starve its zone: --force, or a person at a terminal says yes (as set-limit)
    const confirmRisks = async (risks: string[]): Promise<boolean> => {
      if (opts.force === true) {
        for (const x of risks) ctx.io.warn(`--force: ${x}`);
        return true;
      }
      if (json || !ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) return false;
      const { confirm } = await import('@inquirer/prompts');
      try {
        return await confirm({ message: `${risks.join('; ')}: the zone may barely run. Write it anyway?`, default: false });
      } catch {
        throw new PowercapError(Exit.INTERRUPTED, 'interrupted: nothing was written');
      }
    };
    r = await reconcile(src.powercap, profile, {
      check, snapshot: snap, confirmRisks, energyModel: () => ctx.energyModel(), hooks: trapHooks(trap), ...(only ? { only } : {}),
    });
  } finally {
    trap.release();
  }
  const ok = r.result ? r.result.ok : true;
  const notes = snap && ok ? src.notes.slice(notesBefore) : [];
  if (snap && r.changed) snap.save();
  if (stateFile && !check) {
    updateState(stateFile, path.resolve(file), (s) => {
      s.lastApply = {
        at: new Date().toISOString(), ok, changed: r.changed, settings: r.items.length,
        changedSettings: r.items.filter((i) => i.changed).length, error: r.result?.error?.message ?? null,
      };
    });
  }

  for (const w of [...r.warnings, ...r.skipped, ...notes]) ctx.io.warn(w);
  const render = await import('./render.js');
  if (json) {
    ctx.io.json(render.applyJson({ source: sourceJson(src.info), profile: file, check, r, notes, error: r.result?.error ?? null }));
  } else if (ok) {
    const { makeColors, palette } = await import('../../color.js');
    const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
    if (r.items.length) ctx.io.out(await render.renderOutcome(r, check, p));
    ctx.io.out(render.summaryLine(r, check));
  }
  if (!ok) {
    const { rollbackLines } = await import('../set-limit/render.js');
    for (const line of rollbackLines(r.result!.rolledBack)) ctx.io.log(line);
    throw r.result!.error!;
  }
  if (check && !r.inState) {
    const differ = r.items.filter((i) => !i.inState).length;
    throw new PowercapError(Exit.NOT_IN_STATE, `not in the state of ${file}: ${differ} of ${r.items.length} settings differ (nothing was written)`);
  }
  if (snap && r.changed) ctx.io.note(`updated ${snap.path}`);
}
