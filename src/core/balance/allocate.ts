/**
 * Splitting a power budget among zones by what they draw (balance). Pure: zones and a budget
 * in, new limits and the writes that reach them out; the controller (controller.ts) reads and
 * writes, the simulator (sim/) runs the same function on a virtual clock.
 *
 * The kernel's own split of a DTPM parent (dtpm.c, __set_power_limit_uw) is static: each child
 * gets its share of the parent's maximum, whatever it draws. Here each period:
 * 1. classify: a zone drawing at least `saturation` of its limit is saturated (it may want
 *    more than it has); one below has slack (its draw is its demand); no reading is unknown
 *    (treated as saturated: its demand is not known to be small);
 * 2. every zone gets its minimum; slack zones their draw plus a margin; what is left goes to the
 *    saturated zones by weight, water-filled (a share above a zone's maximum is cut there and
 *    the excess re-shared); what is still left is headroom, spread by weight over the zones
 *    below their maximum, so a zone whose demand rises can take it before the next period;
 * 3. hysteresis: a change smaller than the zone's threshold is not written, unless the limits
 *    would otherwise add up past the budget;
 *    With a budget on the power drawn (govern), a slack zone's margin comes on top of the budget;
 * 4. the writes: lowered limits first (largest cut first), then raised ones, at most one per
 *    zone. When the limits in force add up to at most the budget, every prefix of the write
 *    list keeps them there; when they start above it (the first period), the sum falls with
 *    every lowered write and is within the budget from the last one on.
 * Powers are µW, plain integers (far below 2^53).
 */

export interface AllocZone {
  id: string;
  minUw: number;
  maxUw: number;
  /** power drawn over the last period; null when it could not be measured */
  powerUw: number | null;
  /** the limit in force (as read back) */
  limitUw: number;
  /**
   * what was last asked for, of which limitUw is what the kernel kept (a DTPM leaf stores the
   * power of the state it chose, RAPL truncates to its unit): hysteresis compares the new
   * target with this, so a limit the kernel rounds is not rewritten every period. Default limitUw.
   */
  requestedUw?: number;
  /** share of the budget among saturated zones (and of headroom), > 0 */
  weight: number;
  /** targets are rounded down to a multiple of this (RAPL: 125000 µW); 0 or absent: 1 µW */
  quantumUw?: number;
  /**
   * the limits the kernel can store, ascending (a DTPM leaf with an energy model stores the
   * power of the state it picks: dtpm_cpu.c set_pd_power_limit); absent: any value
   */
  levelsUw?: readonly number[];
  /** how much the zone's draw moves from one period to the next when nothing changes (controller.ts), µW */
  jitterUw?: number;
}

export interface AllocParams {
  /** a zone drawing at least this fraction of its limit is saturated */
  saturation: number;
  /** a slack zone gets its draw plus this fraction of it … */
  marginFraction: number;
  /** … and at least this fraction of its maximum */
  marginMinFraction: number;
  /** a change below this fraction of the zone's maximum is not written */
  hysteresisFraction: number;
  /** a slack zone's margin is at least this many times its jitter (up to half its draw), so its own noise does not make it look saturated */
  jitterMargin: number;
}

/** Tuned on the bundled scenarios (docs/balance.md "Tuning"). */
export const DEFAULT_ALLOC_PARAMS: Readonly<AllocParams> = Object.freeze({
  saturation: 0.95,
  marginFraction: 0.1,
  marginMinFraction: 0.02,
  hysteresisFraction: 0.02,
  jitterMargin: 3,
});

export type ZoneState = 'saturated' | 'slack' | 'unknown';

export interface ZoneAllocation {
  id: string;
  state: ZoneState;
  /** what the zone gets before headroom: its minimum, its draw plus margin, or its weighted share */
  grantUw: number;
  /** grant plus its share of the headroom: the limit it should have */
  targetUw: number;
  /** the limit it will have once the writes are made (targetUw, or the old limit kept by hysteresis) */
  limitUw: number;
  /** the old limit is kept: the change was below the threshold */
  held: boolean;
  /** hysteresis would have held it, but the budget needed the cut */
  forced: boolean;
}

export interface LimitWrite {
  id: string;
  fromUw: number;
  toUw: number;
  lower: boolean;
}

export interface Allocation {
  budgetUw: number;
  /** Σ minimum of the zones */
  minimumUw: number;
  zones: ZoneAllocation[];
  /** lowered first, then raised; one per zone at most */
  writes: LimitWrite[];
  /** Σ limits once the writes are made */
  sumLimitsUw: number;
  /** budget left after the grants, spread as headroom (part of it stays unused when every zone is at its maximum) */
  headroomUw: number;
}

/** Σ of the zones' minimum: the lowest budget that can be split. */
export const minimumBudgetUw = (zones: readonly Pick<AllocZone, 'minUw'>[]): number => zones.reduce((s, z) => s + z.minUw, 0);

/** A zone's state from its draw against its limit. */
export function classify(z: Pick<AllocZone, 'powerUw' | 'limitUw'>, saturation: number): ZoneState {
  if (z.powerUw === null) return 'unknown';
  return z.powerUw >= saturation * z.limitUw ? 'saturated' : 'slack';
}

/**
 * Water-filling: share `poolUw` among the items by weight, none above its room; what a full
 * item cannot take is shared again among the others. Returns each item's part (µW, floored)
 * in the items' order.
 */
export function waterFill(items: ReadonlyArray<{ roomUw: number; weight: number }>, poolUw: number): number[] {
  const n = items.length;
  const out = new Array<number>(n).fill(0);
  const open = new Array<boolean>(n);
  let openCount = 0;
  for (let i = 0; i < n; i++) {
    open[i] = items[i]!.roomUw > 0 && items[i]!.weight > 0;
    if (open[i]) openCount++;
  }
  let pool = poolUw;
  while (pool > 0 && openCount > 0) {
    let totalW = 0;
    for (let i = 0; i < n; i++) if (open[i]) totalW += items[i]!.weight;
    // the items whose room is at most their share fill up; the others wait for the next round
    let filled = 0;
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (!open[i]) continue;
      const room = items[i]!.roomUw - out[i]!;
      if (room <= (pool * items[i]!.weight) / totalW) {
        used += room;
        out[i] = items[i]!.roomUw;
        open[i] = false;
        filled++;
      }
    }
    if (filled === 0) {
      // nobody fills up: everyone takes a floored share, and the pool is spent
      for (let i = 0; i < n; i++) if (open[i]) out[i]! += Math.floor((pool * items[i]!.weight) / totalW);
      break;
    }
    pool -= used;
    openCount -= filled;
  }
  return out;
}

const floorTo = (v: number, q: number | undefined): number => (q && q > 1 ? Math.floor(v / q) * q : Math.floor(v));

/** A slack zone's want: its draw plus the margin, within its bounds. */
export function slackWant(z: AllocZone, p: AllocParams): number {
  const draw = z.powerUw ?? 0;
  const noise = Math.min((z.jitterUw ?? 0) * p.jitterMargin, draw / 2);
  const margin = Math.max(draw * p.marginFraction, z.maxUw * p.marginMinFraction, noise);
  let want = Math.min(z.maxUw, Math.max(z.minUw, Math.ceil(draw + margin)));
  // a limit already giving between one and two margins is kept: a noisy draw moves no limit
  const current = z.requestedUw ?? z.limitUw;
  if (current >= want && current <= Math.ceil(draw + 2 * margin) && current <= z.maxUw) want = current;
  // with states, the lowest one that holds it (a limit in between would be cut to the state below)
  return z.levelsUw ? Math.min(z.maxUw, z.levelsUw.find((l) => l >= want) ?? z.maxUw) : want;
}

/** The limit the kernel keeps of a target: the state at or below it, the quantum below it. */
function keptOf(z: AllocZone, targetUw: number): number {
  if (z.levelsUw && z.levelsUw.length > 0) {
    let kept = z.levelsUw[0]!;
    for (const l of z.levelsUw) if (l <= targetUw) kept = l;
    return Math.max(z.minUw, kept);
  }
  return Math.max(z.minUw, floorTo(targetUw, z.quantumUw));
}

/** The next state above a limit, or null. */
const nextLevel = (z: AllocZone, uw: number): number | null => z.levelsUw?.find((l) => l > uw && l <= z.maxUw) ?? null;

/**
 * Zones with states lose what lies between their target and the state below it: hand that back
 * a state at a time, while the sum stays within what was shared out (the budget, or with a
 * budget on the draw, the budget and the slack zones' margins), to the zone missing the most of
 * its share (saturated zones first: they want more).
 */
function levelUp(zones: readonly AllocZone[], states: readonly ZoneState[], target: number[], wanted: readonly number[]): void {
  if (!zones.some((z) => z.levelsUw)) return;
  let pool = 0;
  for (let i = 0; i < zones.length; i++) pool += Math.max(0, wanted[i]! - target[i]!);
  for (;;) {
    let best = -1;
    let bestKey = -Infinity;
    for (let i = 0; i < zones.length; i++) {
      const next = nextLevel(zones[i]!, target[i]!);
      if (next === null || next - target[i]! > pool) continue;
      const key = (states[i] === 'slack' ? 0 : 1e12) + (wanted[i]! - target[i]!);
      if (key > bestKey) { bestKey = key; best = i; }
    }
    if (best < 0) return;
    const next = nextLevel(zones[best]!, target[best]!)!;
    pool -= next - target[best]!;
    target[best] = next;
  }
}

/**
 * What a budget bounds: the limits (balance: Σ limits ≤ budget, so the zones can never draw
 * more), or the power drawn (govern: the controller's budget is the power the zones may
 * dissipate; a slack zone counts its draw, and the margin it is given on top is not taken from
 * the others, so the zones draw what the controller grants).
 */
export type BudgetBounds = 'limits' | 'draw';

/**
 * The new limits of the zones under `budgetUw` and the writes that set them. A budget below
 * the zones' total minimum is split as if it were that minimum: callers check it first
 * (minimumBudgetUw) and report it.
 */
export function allocate(zones: readonly AllocZone[], budgetUw: number, params: AllocParams = DEFAULT_ALLOC_PARAMS, bounds: BudgetBounds = 'limits'): Allocation {
  const minimumUw = minimumBudgetUw(zones);
  const budget = Math.max(Math.floor(budgetUw), minimumUw);
  const states = zones.map((z) => classify(z, params.saturation));
  const grant = zones.map((z) => z.minUw);
  let rest = budget - minimumUw;
  const slack = zones.map((_, i) => i).filter((i) => states[i] === 'slack');
  const hungry = zones.map((_, i) => i).filter((i) => states[i] !== 'slack');
  const want = zones.map((z) => slackWant(z, params));

  // bounded draw: slack zones take their draw from the budget, and their margin besides
  const drawRest = budget - slack.reduce((s, i) => s + Math.min(zones[i]!.powerUw!, want[i]!), 0) - hungry.reduce((s, i) => s + zones[i]!.minUw, 0);
  if (bounds === 'draw' && drawRest >= 0) {
    for (const i of slack) grant[i] = want[i]!;
    rest = drawRest;
  } else {
    // slack zones first: their draw plus margin (shared by weight when even that does not fit)
    const slackParts = waterFill(slack.map((i) => ({ roomUw: want[i]! - zones[i]!.minUw, weight: zones[i]!.weight })), rest);
    slack.forEach((i, k) => { grant[i]! += slackParts[k]!; rest -= slackParts[k]!; });
  }

  // then the saturated (and unknown) zones, by weight up to their maximum
  const hungryParts = waterFill(hungry.map((i) => ({ roomUw: zones[i]!.maxUw - zones[i]!.minUw, weight: zones[i]!.weight })), rest);
  hungry.forEach((i, k) => { grant[i]! += hungryParts[k]!; rest -= hungryParts[k]!; });

  // what is left is headroom, over every zone below its maximum
  const headroomUw = rest;
  const extra = waterFill(zones.map((z, i) => ({ roomUw: z.maxUw - grant[i]!, weight: z.weight })), rest);
  const wanted = grant.map((g, i) => g + extra[i]!);
  const target = zones.map((z, i) => keptOf(z, wanted[i]!));
  levelUp(zones, states, target, wanted);
  // the sum the writes must keep to: the budget, or (bounded draw) the targets' own sum
  const cap = bounds === 'draw' ? Math.max(budget, target.reduce((s, v) => s + v, 0)) : budget;

  // hysteresis: small changes are held …
  const held = zones.map((z, i) => {
    const threshold = Math.max(z.maxUw * params.hysteresisFraction, z.quantumUw ?? 1);
    return Math.abs(target[i]! - (z.requestedUw ?? z.limitUw)) < threshold;
  });
  const limit = zones.map((z, i) => (held[i] ? z.limitUw : target[i]!));
  // … unless the budget needs the cut: release the holds that keep a limit above its target, largest first
  const forced = zones.map(() => false);
  let sum = limit.reduce((s, v) => s + v, 0);
  const holdsAbove = zones.map((_, i) => i).filter((i) => held[i] && zones[i]!.limitUw > target[i]!)
    .sort((a, b) => (zones[b]!.limitUw - target[b]!) - (zones[a]!.limitUw - target[a]!) || a - b);
  for (const i of holdsAbove) {
    if (sum <= cap) break;
    sum -= limit[i]! - target[i]!;
    limit[i] = target[i]!;
    held[i] = false;
    forced[i] = true;
  }

  const writes = planWrites(zones.map((z, i) => ({ id: z.id, fromUw: z.limitUw, toUw: limit[i]! })));
  return {
    budgetUw: budget,
    minimumUw,
    zones: zones.map((z, i) => ({
      id: z.id, state: states[i]!, grantUw: grant[i]!, targetUw: target[i]!, limitUw: limit[i]!, held: held[i]! && limit[i] !== target[i], forced: forced[i]!,
    })),
    writes,
    sumLimitsUw: sum,
    headroomUw,
  };
}

/**
 * The writes from the limits in force to the new ones: unchanged zones dropped, lowered limits
 * first (the largest cut first, so the sum falls fastest), then raised ones.
 */
export function planWrites(changes: ReadonlyArray<{ id: string; fromUw: number; toUw: number }>): LimitWrite[] {
  const lowered: LimitWrite[] = [];
  const raised: LimitWrite[] = [];
  for (const c of changes) {
    if (c.toUw === c.fromUw) continue;
    const w: LimitWrite = { id: c.id, fromUw: c.fromUw, toUw: c.toUw, lower: c.toUw < c.fromUw };
    (w.lower ? lowered : raised).push(w);
  }
  lowered.sort((a, b) => (a.toUw - a.fromUw) - (b.toUw - b.fromUw));
  return lowered.concat(raised);
}
