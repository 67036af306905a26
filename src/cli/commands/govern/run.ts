/**
 * powercapctl govern: the budget of the zones set each period by the thermal power allocator's
 * controller (core/govern/governor.ts) from a thermal zone's temperature, split as balance
 * splits a budget, through the loop both share (balance/session.ts).
 */
import type { CommandContext } from '../../context.js';
import { Exit, PowercapError, exitForErrno, usageError } from '../../../core/errors.js';
import { LiveSource } from '../../../core/source/live.js';
import { DEFAULT_THERMAL_ROOT, findThermalZone, readTemperatureMc } from '../../../core/govern/thermal.js';
import { Governor, GovernBudget } from '../../../core/govern/governor.js';
import type { PidTunables } from '../../../core/kernel/power-allocator.js';
import { formatTemperatureMc } from '../../../core/units.js';
import { visible } from '../../visible.js';
import type { ZoneArgs } from '../balance/options.js';
import { planLoop, runLoop } from '../balance/session.js';
import { switchOnBelowTarget, type GovernOptions } from './options.js';
import { atSection, runOptions } from '../balance/profile.js';
import { THERMAL_ROOT_ENV } from './thermal-root.js';

/** The gains given on the command line, by the kernel's names (the others are estimated). */
function givenTunables(o: GovernOptions): Partial<Omit<PidTunables, 'sustainable_power'>> {
  const t: Partial<Omit<PidTunables, 'sustainable_power'>> = {};
  if (o.kPo !== undefined) t.k_po = o.kPo;
  if (o.kPu !== undefined) t.k_pu = o.kPu;
  if (o.kI !== undefined) t.k_i = o.kI;
  if (o.kD !== undefined) t.k_d = o.kD;
  if (o.integralCutoff !== undefined) t.integral_cutoff = o.integralCutoff;
  return t;
}

export async function run(ctx: CommandContext, [given]: ZoneArgs, options: GovernOptions): Promise<void> {
  // with --profile the zones and options are the profile's govern: section; either way a target is there
  const { refs, opts, loop } = await runOptions('govern', given, options);
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(ctx, refs, opts);
  } catch (err) {
    throw atSection(loop, err);
  }
  const { plan, budget, name } = prepared;
  await runLoop(ctx, plan, budget, opts, { command: 'govern', thermalName: name, budgetFile: null });
}

/** Everything checked before the loop starts: the zones, the thermal zone, the target against the ambient temperature. */
function prepare(ctx: CommandContext, refs: string[], opts: GovernOptions) {
  const target = opts.target!;
  if (!switchOnBelowTarget(opts.switchOn, target)) {
    throw usageError(`--switch-on ${formatTemperatureMc(opts.switchOn!)} is not below the target ${formatTemperatureMc(target)}`, 'the controller works between the two: give a switch-on temperature below the target');
  }
  const plan = planLoop(ctx, refs, opts);

  const root = opts.thermalRoot ?? (process.env[THERMAL_ROOT_ENV] || DEFAULT_THERMAL_ROOT);
  const thermal = new LiveSource(root);
  const tz = findThermalZone(thermal, opts.thermalZone!);
  const name = tz.type ?? tz.dir;
  const now = readTemperatureMc(thermal, tz);
  if (typeof now === 'string') {
    throw new PowercapError(now === 'invalid' ? Exit.INVALID_DATA : exitForErrno(now), `cannot read the temperature of ${visible(name)} (${root}/${tz.tempPath}: ${now})`);
  }
  // no model of the device here: the temperature at the start stands in for the ambient one
  const ambient = opts.ambient ?? now;
  if (target <= ambient) {
    const what = opts.ambient !== undefined ? 'the ambient temperature given' : `${visible(name)}'s temperature now, which stands in for the ambient one`;
    throw usageError(`the target ${formatTemperatureMc(target)} is not above ${what} (${formatTemperatureMc(ambient)}): no budget holds it there`,
      opts.ambient !== undefined ? 'give a target above the ambient temperature' : 'give a higher target, or --ambient TEMP when the device is warm from its own load');
  }

  const governor = new Governor({
    controlTempMc: target,
    switchOnMc: opts.switchOn ?? null,
    sustainablePowerMw: opts.sustainablePower === undefined ? null : Math.floor(Number(opts.sustainablePower) / 1000),
    tunables: givenTunables(opts),
    periodMs: plan.intervalUs / 1000,
  }, plan.zones.map((z) => z.minUw));
  const budget = new GovernBudget(governor, () => readTemperatureMc(thermal, tz));
  return { plan, budget, name };
}
