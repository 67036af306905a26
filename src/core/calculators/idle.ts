/**
 * The genpd CPU-domain governor (seed 004, drivers/pmdomain/governor.c
 * cpu_power_down_ok()): a cluster's power domain can go off when all its CPUs are idle.
 * For an expected idle time T (until the next wakeup of any CPU in the domain) it takes the
 * deepest domain state whose off (entry) latency + minimum residency ≤ T and whose
 * off + on (exit) latency fits every latency constraint; none fits → the domain stays on.
 *
 * Energy: min-residency is, by the binding's definition, the time in the state from which
 * entering it pays off. So against staying on at P_on, a state with power P_off saves
 *   (P_on − P_off) × (T − off − residency)
 * zero at the governor's break-even and negative below it (which the governor never picks).
 * µW × µs = pJ; results are given in nJ.
 */
import { usageError } from '../errors.js';

export interface DomainIdleState {
  name: string;
  /** entry (power-off) latency, µs */
  offUs: number;
  /** exit (power-on) latency, µs */
  onUs: number;
  /** minimum residency, µs */
  residencyUs: number;
  /** domain power in this state, µW (null: not given; no energy figure) */
  powerUw: number | null;
}

export interface IdleChoice {
  idleUs: number;
  /** index into the states, or null when the domain stays on */
  state: number | null;
  name: string | null;
  /** states that did not fit, deepest first, with the reason */
  rejected: Array<{ name: string; why: 'residency' | 'latency' }>;
  /** against staying on; null when powers are unknown */
  savedNj: number | null;
}

export const breakEvenUs = (s: DomainIdleState) => s.offUs + s.residencyUs;

export function checkIdleStates(states: DomainIdleState[]): void {
  if (states.length === 0) throw usageError('no domain idle state given', undefined, 'no-idle-state');
  const names = new Set<string>();
  for (const s of states) {
    if (names.has(s.name)) throw usageError(`idle state '${s.name}' is given twice`);
    names.add(s.name);
  }
}

/** States are given shallowest first, as in the device tree's domain-idle-states list. */
export function chooseDomainState(states: DomainIdleState[], idleUs: number, opts: { latencyUs?: number | null; onPowerUw?: number | null } = {}): IdleChoice {
  const rejected: IdleChoice['rejected'] = [];
  const lat = opts.latencyUs ?? null;
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i]!;
    if (lat !== null && s.offUs + s.onUs > lat) { rejected.push({ name: s.name, why: 'latency' }); continue; }
    if (breakEvenUs(s) > idleUs) { rejected.push({ name: s.name, why: 'residency' }); continue; }
    return { idleUs, state: i, name: s.name, rejected, savedNj: savedNj(s, idleUs, opts.onPowerUw ?? null) };
  }
  return { idleUs, state: null, name: null, rejected, savedNj: opts.onPowerUw == null ? null : 0 };
}

export function savedNj(s: DomainIdleState, idleUs: number, onPowerUw: number | null): number | null {
  if (onPowerUw === null || s.powerUw === null) return null;
  const pj = (onPowerUw - s.powerUw) * (idleUs - breakEvenUs(s));
  return Math.trunc(pj / 1000);
}

/** rk3399's idle states (arch/arm64/boot/dts/rockchip/rk3399.dtsi): CPU_SLEEP is per CPU, CLUSTER_SLEEP the cluster domain's. */
export const RK3399_IDLE_STATES: DomainIdleState[] = [
  { name: 'CPU_SLEEP', offUs: 120, onUs: 250, residencyUs: 900, powerUw: null },
  { name: 'CLUSTER_SLEEP', offUs: 400, onUs: 500, residencyUs: 2000, powerUw: null },
];
