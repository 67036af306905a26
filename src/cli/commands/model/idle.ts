import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { formatDuration } from '../../../core/units.js';
import { breakEvenUs, checkIdleStates, chooseDomainState, RK3399_IDLE_STATES, type DomainIdleState } from '../../../core/calculators/idle.js';
import { outJson, renderTable } from './common.js';
import { formatEnergyNj, formatPowerFine as watts } from '../../../core/units.js';
import type { IdleOptions } from './spec.js';

/** nJ → "5.5 µJ", "418.0 µJ", "1.25 mJ" */
const joules = formatEnergyNj;

export async function run(ctx: CommandContext, _args: unknown[], opts: IdleOptions): Promise<void> {
  const states: DomainIdleState[] = [];
  if (opts.preset === 'rk3399') states.push(...RK3399_IDLE_STATES.map((s) => ({ ...s })));
  // each --state its own copy: --off-power fills in its power
  states.push(...opts.state.map((s) => ({ ...s })));
  checkIdleStates(states);
  const periods = opts.idle.map(Number);
  const latencyUs = opts.latency !== undefined ? Number(opts.latency) : null;
  const onPowerUw = opts.onPower !== undefined ? Number(opts.onPower) : null;
  for (const { name, value } of opts.offPower) {
    const s = states.find((x) => x.name === name);
    if (!s) throw usageError(`--off-power ${name}: no idle state '${name}'`, `states: ${states.map((x) => x.name).join(', ')}`);
    s.powerUw = Number(value);
    if (onPowerUw !== null && s.powerUw > onPowerUw) ctx.io.warn(`${name} draws more (${watts(s.powerUw)}) than staying on (${watts(onPowerUw)})`);
  }
  const choices = periods.map((t) => chooseDomainState(states, t, { latencyUs, onPowerUw }));
  const totalNj = choices.every((c) => c.savedNj !== null) ? choices.reduce((s, c) => s + c.savedNj!, 0) : null;
  if (ctx.globals.json) {
    outJson(ctx, {
      states: states.map((s) => ({ ...s, breakEvenUs: breakEvenUs(s), offOnUs: s.offUs + s.onUs, fitsLatency: latencyUs === null || s.offUs + s.onUs <= latencyUs })),
      latencyUs, onPowerUw, periods: choices, totalSavedNj: totalNj,
    });
    return;
  }
  const st = await renderTable(ctx, [
    { head: 'STATE' }, { head: 'ENTRY', right: true }, { head: 'EXIT', right: true }, { head: 'RESIDENCY', right: true },
    { head: 'BREAK-EVEN', right: true }, { head: 'ENTRY+EXIT', right: true }, { head: 'POWER', right: true },
  ], states.map((s) => [s.name, formatDuration(s.offUs), formatDuration(s.onUs), formatDuration(s.residencyUs), formatDuration(breakEvenUs(s)),
    formatDuration(s.offUs + s.onUs) + (latencyUs !== null && s.offUs + s.onUs > latencyUs ? ' > limit' : ''), s.powerUw === null ? '–' : watts(s.powerUw)]),
  states.map((s) => (latencyUs !== null && s.offUs + s.onUs > latencyUs ? 'dim' : null)));
  const pt = await renderTable(ctx, [{ head: 'IDLE', right: true }, { head: 'CHOSEN' }, { head: 'WHY NOT DEEPER' }, { head: 'SAVED', right: true }],
    choices.map((c) => [formatDuration(c.idleUs), c.name ?? 'stay on', c.rejected.map((r) => `${r.name}: ${r.why === 'latency' ? 'entry+exit above the latency limit' : 'idle shorter than entry+residency'}`).join('; ') || '–',
      c.savedNj === null ? '–' : joules(c.savedNj)]),
    choices.map((c) => (c.state === null ? 'dim' : null)));
  ctx.io.out(`domain idle states${latencyUs !== null ? ` (latency limit ${formatDuration(latencyUs)})` : ''}${onPowerUw !== null ? `, on: ${watts(onPowerUw)}` : ''}\n${st}\n\n${pt}` +
    (totalNj !== null && periods.length > 1 ? `\ntotal saved: ${joules(totalNj)}` : ''));
}
