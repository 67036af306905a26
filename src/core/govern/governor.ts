/**
 * govern: the budget balance splits, driven by a temperature through the thermal power
 * allocator's controller (drivers/thermal/gov_power_allocator.c; the arithmetic is in
 * kernel/power-allocator.ts, one function per kernel function). Per period, as
 * power_allocator_manage() (power_allocator_throttle() before 6.8) does:
 * - below the switch-on temperature: reset_pid_controller() and allow_maximum_power(): the
 *   budget is the zones' total maximum;
 * - else pid_controller() on the temperature, with max_allocatable_power the zones' total
 *   maximum, the tunables from estimate_pid_constants() unless given (sustainable power: given,
 *   or the zones' total minimum as estimate_sustainable_power() takes it).
 * Differences, said where they are: the budget is kept to at least the zones' total minimum (a
 * DTPM leaf cannot be limited below it, the kernel's actors can go to 0 mW); the budget moves
 * toward the controller's value at a limited rate after the target changes (the kernel has no
 * target change at run time: its trips are fixed); where the temperature cannot be read, the
 * budget is held.
 */
import {
  estimatePidConstants, estimateSustainablePower, pidController, resetPidController, type PidState, type PidTunables,
} from '../kernel/power-allocator.js';
import type { BudgetContext, BudgetReading, BudgetSource } from '../balance/budget.js';
import type { GovernorStep } from './step.js';

export type { GovernorMode, GovernorStep } from './step.js';

export interface GovernorOptions {
  /** the temperature held, m°C (the kernel's trip_max, control_temp) */
  controlTempMc: number;
  /** below it the governor grants the maximum and resets (the kernel's switch-on trip); null: always on */
  switchOnMc: number | null;
  /** mW; null: the zones' total minimum */
  sustainablePowerMw: number | null;
  /** overrides of the estimated tunables */
  tunables?: Partial<Omit<PidTunables, 'sustainable_power'>>;
  /** the controller's period (the kernel's passive polling delay), ms */
  periodMs: number;
  /** after a target change the budget moves by at most this many µW a second (default: the sustainable power a second) */
  rampUwPerS?: number;
}

const mW = (uw: number) => Math.floor(uw / 1000);
/** integral_cutoff when none is given: the integral works within 1 °C under the target (and above it) */
export const DEFAULT_INTEGRAL_CUTOFF_MC = 1000;

export class Governor {
  readonly tunables: PidTunables;
  private readonly state: PidState = { err_integral: 0n, prev_err: 0 };
  private controlTempMc: number;
  private lastBudgetUw: number | null = null;
  private ramping = false;

  /** @param minPowersUw each zone's minimum (for the sustainable-power estimate) */
  constructor(readonly o: GovernorOptions, minPowersUw: readonly number[]) {
    this.controlTempMc = o.controlTempMc;
    const sustainable = o.sustainablePowerMw ?? estimateSustainablePower(minPowersUw.map(mW));
    const k = estimatePidConstants(sustainable, o.switchOnMc, o.controlTempMc) ?? { k_po: 0, k_pu: 0, k_i: 0 };
    this.tunables = { k_po: k.k_po, k_pu: k.k_pu, k_i: k.k_i, k_d: 0, integral_cutoff: DEFAULT_INTEGRAL_CUTOFF_MC, sustainable_power: sustainable, ...o.tunables };
  }

  get targetMc(): number {
    return this.controlTempMc;
  }

  /** A new target: the budget then moves toward the controller's at the ramp rate. */
  setTarget(mc: number): void {
    if (mc === this.controlTempMc) return;
    this.controlTempMc = mc;
    this.ramping = this.lastBudgetUw !== null;
  }

  /**
   * The budget for the next period from the temperature (null: unreadable), between the zones'
   * total minimum and maximum (µW).
   */
  step(temperatureMc: number | null, minimumUw: number, maximumUw: number, saturated = true): GovernorStep {
    const base = { temperatureMc, controlTempMc: this.controlTempMc, ramped: false, atMinimum: false, integralFrozen: false };
    if (temperatureMc === null) {
      const held = this.lastBudgetUw ?? Math.max(minimumUw, this.tunables.sustainable_power * 1000);
      return this.done({ ...base, mode: 'hold', pid: null, wantedUw: held, budgetUw: held }, minimumUw, maximumUw);
    }
    if (this.o.switchOnMc !== null && temperatureMc < this.o.switchOnMc) {
      resetPidController(this.state);
      this.ramping = false;
      return this.done({ ...base, mode: 'maximum', pid: null, wantedUw: maximumUw, budgetUw: maximumUw }, minimumUw, maximumUw);
    }
    // an error below the target is integrated only while the zones use their budget: "the
    // accumulated error is only valid if the requested power will make the system warmer"
    // (pid_controller()); zones drawing less than they may would wind it up for nothing. Then
    // the cutoff is the kernel's default 0: only an error over the target is integrated.
    const frozen = !saturated && this.tunables.integral_cutoff > 0;
    const tunables = frozen ? { ...this.tunables, integral_cutoff: 0 } : this.tunables;
    const pid = pidController(this.state, tunables, temperatureMc, this.controlTempMc, mW(maximumUw), this.o.periodMs);
    const wanted = pid.powerRange * 1000;
    let budget = wanted;
    let ramped = false;
    if (this.ramping && this.lastBudgetUw !== null) {
      const stepUw = ((this.o.rampUwPerS ?? this.tunables.sustainable_power * 1000) * this.o.periodMs) / 1000;
      const delta = wanted - this.lastBudgetUw;
      if (Math.abs(delta) > stepUw) {
        budget = Math.round(this.lastBudgetUw + Math.sign(delta) * stepUw);
        ramped = true;
      } else this.ramping = false;
    }
    return this.done({ ...base, mode: 'pid', pid, wantedUw: wanted, budgetUw: budget, ramped, integralFrozen: frozen }, minimumUw, maximumUw);
  }

  private done(s: GovernorStep, minimumUw: number, maximumUw: number): GovernorStep {
    if (s.budgetUw < minimumUw) {
      s.budgetUw = minimumUw;
      s.atMinimum = true;
    }
    if (s.budgetUw > maximumUw) s.budgetUw = maximumUw;
    this.lastBudgetUw = s.budgetUw;
    return s;
  }
}

/** The governor as balance's budget source: the temperature read each period. */
export class GovernBudget implements BudgetSource {
  readonly kind = 'govern' as const;
  constructor(readonly governor: Governor, private readonly readTemperature: () => number | string) {}

  next(ctx: BudgetContext): BudgetReading {
    const t = this.readTemperature();
    const step = this.governor.step(typeof t === 'number' ? t : null, ctx.minimumUw, ctx.maximumUw, ctx.saturated);
    return { budgetUw: step.budgetUw, origin: 'govern', governor: step };
  }
}
