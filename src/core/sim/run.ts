/**
 * `sim SCENARIO`: the policy in a closed loop with the plant, on a virtual clock. The plant
 * steps every tick (20 ms by default); every interval the controller (the same
 * BalanceController and Governor the commands run) reads the plant through PlantSource, decides
 * and writes. Deterministic: the same scenario gives the same records and figures.
 *
 * Order within a step at time t: the controller acts on what the plant published up to t (its
 * writes take effect at t), then the plant draws min(demand(t), limit) over [t, t + tick).
 */
import { BalanceController, type PeriodRecord } from '../balance/controller.js';
import { DEFAULT_ALLOC_PARAMS, minimumBudgetUw } from '../balance/allocate.js';
import { budgetBelowMinimum, createFileBudget, fixedBudget, type BudgetFileRead, type BudgetSource } from '../balance/budget.js';
import { dtpmLevels, planBalanceZones } from '../balance/zones.js';
import { takesHalves } from '../balance/run.js';
import { Governor, GovernBudget } from '../govern/governor.js';
import { findThermalZone, readTemperatureMc } from '../govern/thermal.js';
import { usageError } from '../errors.js';
import { formatPower } from '../units.js';
import { computeFigures, emptyTrace, type SimFigures, type SimTrace } from './figures.js';
import type { LoadedScenario } from './load.js';
import { Plant, PlantSource, PlantThermalSource } from './plant.js';
import type { PolicyKind, Scenario } from './scenario.js';

export interface SimResult {
  scenario: Scenario;
  policy: PolicyKind;
  /** each zone's name (its id when it has none), in the trace's order */
  names: string[];
  trace: SimTrace;
  /** every controller period (none for the static policy), then the restore */
  records: PeriodRecord[];
  figures: SimFigures;
}

export interface SimOptions {
  /** run another policy on the same plant and workload (static to compare with the kernel's split) */
  policy?: PolicyKind;
}

/** The plant of a loaded scenario, in its initial state. */
export function buildPlant(l: LoadedScenario): Plant {
  const s = l.scenario;
  const constraint = s.policy.kind === 'static' ? null : s.policy.constraint;
  return new Plant({
    powercap: structuredClone(l.powercap), energyModel: l.energyModel, registry: l.registry,
    info: { kind: 'snapshot', file: s.snapshot ?? s.file },
    zones: s.zones.map((z) => ({ id: z.id, demand: l.demands.get(z.id)! })),
    constraint, limits: s.limits, thermal: s.thermal,
  });
}

/** The budget file as the scenario rewrites it: its text at a virtual time. */
function virtualBudgetFile(events: ReadonlyArray<{ atUs: number; text: string | null }>, now: () => number): () => BudgetFileRead {
  return () => {
    let text: string | null = null;
    for (const e of events) if (e.atUs <= now()) text = e.text;
    return text === null ? { ok: false, errno: 'ENOENT' } : { ok: true, text };
  };
}

export async function runSim(l: LoadedScenario, o: SimOptions = {}): Promise<SimResult> {
  const s = l.scenario;
  const kind: PolicyKind = o.policy ?? s.policy.kind;
  const plant = buildPlant(l);
  const source = new PlantSource(plant);
  const thermalSource = s.thermal ? new PlantThermalSource(plant, s.thermal.zone, { kind: 'snapshot', file: `${s.file}#thermal` }) : null;
  let now = 0;
  const wall = (tUs: number) => s.startMs + tUs / 1000;

  const ids = s.zones.map((z) => z.id);
  const policy = s.policy;
  const common = policy.kind === 'static' ? null : policy;
  const zones = planBalanceZones(plant.powercap, ids.map((id) => plant.powercap.byId.get(id)!), {
    ...(common?.constraint ? { constraint: common.constraint } : {}),
    minUw: common?.minimums ?? new Map(),
    weight: common?.weights ?? new Map(),
    // the states the plant's leaves apply (limits: opp), as the command reads them from the energy model
    levelsUw: plant.forest ? dtpmLevels(plant.forest) : new Map(),
  });
  const minimumUw = minimumBudgetUw(zones);

  // the budget: the controller's source, and the one the figures judge against
  let budget: BudgetSource | null = null;
  let external: BudgetSource | null = null;
  let governor: Governor | null = null;
  if (kind === 'govern') {
    if (policy.kind !== 'govern' || !thermalSource) throw usageError(`${s.file}: the govern policy needs a govern scenario (a target and a thermal model)`);
    governor = new Governor({
      controlTempMc: policy.targetMc, switchOnMc: policy.switchOnMc, sustainablePowerMw: policy.sustainablePowerMw,
      tunables: policy.tunables, periodMs: s.intervalUs / 1000, ...(policy.rampUwPerS !== null ? { rampUwPerS: policy.rampUwPerS } : {}),
    }, zones.map((z) => z.minUw));
    const tz = findThermalZone(thermalSource, s.thermal!.zone);
    budget = new GovernBudget(governor, () => readTemperatureMc(thermalSource, tz));
  } else if (policy.kind === 'balance' && policy.budgetFile) {
    const read = virtualBudgetFile(policy.budgetFile, () => now);
    budget = await createFileBudget({ file: `${s.file}#budgetFile`, read, fallbackUw: policy.fallbackUw });
    external = await createFileBudget({ file: `${s.file}#budgetFile`, read, fallbackUw: policy.fallbackUw });
  } else {
    const uw = policy.kind === 'govern' ? null : policy.budgetUw;
    if (uw === null) throw usageError(`${s.file}: a ${kind} run needs a budget (a govern scenario has none)`);
    budget = fixedBudget(uw);
    external = budget;
  }
  const fixedUw = policy.kind !== 'govern' ? policy.budgetUw : null;
  if (fixedUw !== null && fixedUw < minimumUw) throw budgetBelowMinimum(fixedUw, minimumUw, formatPower);

  const controller = kind === 'static' ? null : new BalanceController({
    source, zones, budget: budget!, params: { ...DEFAULT_ALLOC_PARAMS, ...(common?.tuning ?? {}) },
  });

  const trace = emptyTrace(ids, zones.map((z) => z.maxUw), s.thermal !== null, kind === 'govern');
  const records: PeriodRecord[] = [];
  const steps = Math.round(s.durationUs / s.tickUs);
  const every = Math.round(s.intervalUs / s.tickUs);
  const half = Math.floor(every / 2);
  const counters = half > 0 && takesHalves(s.intervalUs) && zones.some((z) => z.reading.attr === 'energy_uj');
  const targets = policy.kind === 'govern' ? policy.targets : [];
  const ctx = { tUs: 0, wallMs: 0, minimumUw, maximumUw: zones.reduce((a, z) => a + z.maxUw, 0), powerUw: null, saturated: true };
  let budgetNow = fixedUw ?? 0;
  let staticUw: number | null = null;

  for (let k = 0; k < steps; k++) {
    const t = k * s.tickUs;
    now = t;
    if (external) {
      ctx.tUs = t;
      ctx.wallMs = wall(t);
      budgetNow = external.next(ctx).budgetUw;
    }
    if (kind === 'static' && k % every === 0 && budgetNow !== staticUw) {
      // a static manager writes the parent again when its budget changes, and does nothing else
      applyStaticSplit(plant, source, budgetNow, policy.kind === 'static' ? policy.parent : null);
      staticUw = budgetNow;
    }
    // as the command measures a counter's power: over the second half of the period (balance/run.ts)
    if (controller && counters && k % every === half) controller.observe(controller.readPowers(), ids.map(() => t));
    if (controller && k % every === 0) {
      if (governor) for (const g of targets) if (g.atUs <= t) governor.setTarget(g.targetMc);
      const rec = controller.step(t, controller.readPowers(), wall(t));
      records.push(rec);
      if (kind === 'govern') budgetNow = rec.budget.budgetUw;
    }
    const w = plant.takeWrites();
    plant.advance(t, s.tickUs);
    trace.tUs.push(t);
    trace.dtUs.push(s.tickUs);
    plant.zones.forEach((z, i) => {
      trace.demandUw[i]!.push(z.demandUw);
      trace.limitUw[i]!.push(z.limitUw);
      trace.powerUw[i]!.push(z.powerUw);
      trace.writes[i]!.push(w.get(z.id) ?? 0);
    });
    trace.parentWrites.push(plant.parents.reduce((a, p) => a + (w.get(p.id) ?? 0), 0));
    trace.budgetUw.push(budgetNow);
    trace.temperatureMc?.push(plant.temperatureMc!);
    trace.targetMc?.push(governor ? governor.targetMc : 0);
  }
  if (controller) records.push(controller.stop(s.durationUs, wall(s.durationUs)));
  const figures = computeFigures(trace, { intervalUs: s.intervalUs });
  return { scenario: s, policy: kind, names: plant.zones.map((z) => z.name ?? z.id), trace, records, figures };
}

/**
 * The kernel's own split, written once: the budget to the DTPM parent of the zones (the kernel
 * gives each child its share of the parent's maximum, dtpm.c __set_power_limit_uw), or, for
 * zones with no common DTPM parent (RAPL packages), each zone its share of the total maximum.
 */
export function applyStaticSplit(plant: Plant, source: PlantSource, budgetUw: number, parentId: string | null): void {
  const dtpm = plant.zones.every((z) => z.node !== null);
  if (dtpm) {
    const parent = parentId ? plant.parents.find((p) => p.id === parentId) : commonParent(plant);
    if (parent) {
      source.write(parent.limitRel, `${budgetUw}\n`);
      return;
    }
  }
  const total = plant.zones.reduce((a, z) => a + z.maxUw, 0);
  for (const z of plant.zones) source.write(z.limitRel, `${Math.floor((budgetUw * z.maxUw) / total)}\n`);
}

/** The deepest DTPM node above every zone. */
function commonParent(plant: Plant) {
  const chains = plant.zones.map((z) => {
    const c: string[] = [];
    for (let n = z.node?.parent ?? null; n; n = n.parent) c.unshift(n.zoneId ?? n.name);
    return c;
  });
  let common: string | null = null;
  for (let i = 0; chains.every((c) => c[i] !== undefined && c[i] === chains[0]![i]); i++) common = chains[0]![i]!;
  return plant.parents.find((p) => p.id === common) ?? null;
}
