/**
 * Simulation scenarios (schema/sim-scenario.schema.json): the zones (from a snapshot, or
 * declared), the workload (each zone's demand over time, or a recording that watch saved), an
 * optional RC thermal model of the total power, and the policy (the kernel's static split,
 * balance, govern). YAML or JSON, parsed by the `yaml` package; every mistake is reported as
 * `FILE:LINE: KEY: what is wrong`, as profiles are (profile/parse.ts): exit 6 for the shape,
 * 2 for a value (a power without a unit).
 */
import * as path from 'node:path';
import { PowercapError, Exit } from '../errors.js';
import { readUserFile } from '../files.js';
import { fileLineError, parseLinedYaml } from '../yaml-doc.js';
import { parseDurationUs, parsePercentBp, parsePowerUw, parseTemperatureMc } from '../units.js';
import type { AllocParams } from '../balance/allocate.js';
import type { PidTunables } from '../kernel/power-allocator.js';
import type { DemandPoint } from './workload.js';

export const SCENARIO_VERSION = 1;

export interface ScenarioZone {
  id: string;
  /** declared zones only (no snapshot): name, bounds and the limit in force at the start */
  name: string | null;
  minUw: number | null;
  maxUw: number | null;
  limitUw: number | null;
  line: number;
}

export interface ZoneDemand {
  zone: string;
  points: DemandPoint[];
  /** a recording's zone to take the demand from */
  from: string | null;
  line: number;
}

export interface ThermalModel {
  /** the thermal zone's `type` */
  zone: string;
  ambientMc: number;
  /** °C per W */
  resistanceCPerW: number;
  timeConstantUs: number;
  initialMc: number;
}

/** The budget file as a resource manager rewrites it: its text from a time on (null: the file is missing). */
export interface BudgetFileEvent {
  atUs: number;
  text: string | null;
}

interface PolicyCommon {
  weights: Map<string, number>;
  minimums: Map<string, number>;
  tuning: Partial<AllocParams>;
  constraint: string | null;
}

export type Policy =
  | { kind: 'static'; budgetUw: number; parent: string | null }
  | ({ kind: 'balance'; budgetUw: number | null; budgetFile: BudgetFileEvent[] | null; fallbackUw: number | null } & PolicyCommon)
  | ({
    kind: 'govern';
    targetMc: number;
    /** later targets (the budget ramps after each change) */
    targets: Array<{ atUs: number; targetMc: number }>;
    sustainablePowerMw: number | null;
    switchOnMc: number | null;
    tunables: Partial<Omit<PidTunables, 'sustainable_power'>>;
    rampUwPerS: number | null;
  } & PolicyCommon);

export type PolicyKind = Policy['kind'];

export interface Scenario {
  file: string;
  description: string | null;
  /** the snapshot file, resolved against the scenario's folder (null: declared zones) */
  snapshot: string | null;
  zones: ScenarioZone[];
  durationUs: number;
  /** the controller's period */
  intervalUs: number;
  /** the plant's step: it publishes power and energy this often */
  tickUs: number;
  /** how the plant applies a DTPM leaf's limit: the power of the state the kernel picks (opp), or the limit clamped to the bounds */
  limits: 'opp' | 'clamp';
  /** noise: each step's demand moves by up to this fraction either way (deterministic) */
  workload: { repeatUs: number | null; recording: string | null; noise: number; zones: ZoneDemand[] };
  thermal: ThermalModel | null;
  policy: Policy;
  /** the wall clock at t = 0 (a budget file's `until` is compared with it), ms since the epoch */
  startMs: number;
  /** 1-based lines of keys, for errors found later (a zone not in the snapshot): `zones`, `policy.parent`, … */
  lines: Map<string, number>;
}

/** `scenario.yaml:4: policy.budget: …`: file, line and key in one line. */
export const scenarioError = fileLineError;

const TOP = ['$schema', 'version', 'description', 'snapshot', 'zones', 'duration', 'interval', 'tick', 'limits', 'workload', 'thermal', 'policy', 'start'];
const DEFAULT_START = '2026-01-01T00:00:00Z';

/** Parse and check a scenario's text (no file is read here: the snapshot and recording are checked by loadScenario). */
export async function parseScenario(text: string, file: string): Promise<Scenario> {
  const { Y, doc, lineOf } = await parseLinedYaml(text, file);
  const lines = new Map<string, number>();
  const shape = (node: unknown, key: string, msg: string) => scenarioError(Exit.INVALID_DATA, file, lineOf(node) ?? 1, key, msg, 'see docs/balance.md "Scenarios"');

  /** a mapping's entries by key, refusing keys not in `allowed` */
  const entries = (node: unknown, key: string, allowed: readonly string[], what: string): Map<string, { value: unknown; line: number }> => {
    if (!Y.isMap(node)) throw shape(node, key, `expected ${what}`);
    const out = new Map<string, { value: unknown; line: number }>();
    for (const pair of node.items) {
      const k = Y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const full = key ? `${key}.${k}` : k;
      if (!allowed.includes(k)) throw shape(pair.key, full, `unknown key (${what} has ${allowed.filter((a) => a !== '$schema').join(', ')})`);
      const line = lineOf(pair.key) ?? 1;
      lines.set(full, line);
      out.set(k, { value: pair.value, line });
    }
    return out;
  };
  const scalar = (node: unknown): unknown => (Y.isScalar(node) ? node.value : node);
  /** a value parsed by units.ts, its error re-said at the key (exit 2, as a profile's bad power) */
  const unit = <T>(e: { value: unknown; line: number }, key: string, parse: (s: string) => T, what: string): T => {
    const v = scalar(e.value);
    if (typeof v !== 'string' && typeof v !== 'number') throw scenarioError(Exit.INVALID_DATA, file, e.line, key, `expected ${what}`);
    try {
      return parse(String(v));
    } catch (err) {
      if (err instanceof PowercapError) throw scenarioError(Exit.USAGE, file, e.line, key, err.message, err.hint);
      throw err;
    }
  };
  const power = (e: { value: unknown; line: number }, key: string) => Number(unit(e, key, parsePowerUw, 'a power such as 2.5W'));
  const duration = (e: { value: unknown; line: number }, key: string) => Number(unit(e, key, parseDurationUs, 'a duration such as 200ms'));
  const temperature = (e: { value: unknown; line: number }, key: string) => unit(e, key, parseTemperatureMc, 'a temperature such as 45C');
  const fraction = (e: { value: unknown; line: number }, key: string) => unit(e, key, (s) => parsePercentBp(s), 'a percentage such as 95%') / 10000;
  const number = (e: { value: unknown; line: number }, key: string, integer: boolean): number => {
    const v = scalar(e.value);
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw scenarioError(Exit.INVALID_DATA, file, e.line, key, `expected ${integer ? 'an integer' : 'a number'}`);
    }
    return v;
  };
  const string = (e: { value: unknown; line: number }, key: string, what: string): string => {
    const v = scalar(e.value);
    if (typeof v !== 'string' || v.trim() === '') throw scenarioError(Exit.INVALID_DATA, file, e.line, key, `expected ${what}`);
    return v.trim();
  };
  const positive = (v: number, e: { line: number }, key: string): number => {
    if (v <= 0) throw scenarioError(Exit.USAGE, file, e.line, key, 'must be more than 0');
    return v;
  };
  const list = (e: { value: unknown; line: number }, key: string, what: string): unknown[] => {
    if (!Y.isSeq(e.value)) throw scenarioError(Exit.INVALID_DATA, file, e.line, key, `expected a list of ${what}`);
    return e.value.items;
  };
  const at = (n: unknown) => ({ value: n, line: lineOf(n) ?? 1 });

  const top = entries(doc.contents, '', TOP, 'a scenario');
  const need = (k: string) => {
    const e = top.get(k);
    if (!e) throw scenarioError(Exit.INVALID_DATA, file, 1, k, 'missing');
    return e;
  };
  const version = scalar(need('version').value);
  if (version !== SCENARIO_VERSION) throw scenarioError(Exit.INVALID_DATA, file, need('version').line, 'version', `unsupported version ${JSON.stringify(version)}: this powercapctl reads version ${SCENARIO_VERSION}`);
  const description = top.has('description') ? string(top.get('description')!, 'description', 'a string') : null;
  const snapshot = top.has('snapshot') ? path.resolve(path.dirname(file), string(top.get('snapshot')!, 'snapshot', 'a snapshot file name')) : null;

  // zones: ids (with a snapshot) or declared mappings
  const zones: ScenarioZone[] = list(need('zones'), 'zones', 'zones').map((n, i) => {
    const key = `zones[${i}]`;
    const line = lineOf(n) ?? 1;
    if (Y.isScalar(n)) return { id: string(at(n), key, 'a zone id'), name: null, minUw: null, maxUw: null, limitUw: null, line };
    const m = entries(n, key, ['id', 'name', 'min', 'max', 'limit'], 'a zone');
    if (!m.has('id')) throw scenarioError(Exit.INVALID_DATA, file, line, `${key}.id`, 'missing');
    const z: ScenarioZone = {
      id: string(m.get('id')!, `${key}.id`, 'a zone id'),
      name: m.has('name') ? string(m.get('name')!, `${key}.name`, 'a string') : null,
      minUw: m.has('min') ? power(m.get('min')!, `${key}.min`) : null,
      maxUw: m.has('max') ? positive(power(m.get('max')!, `${key}.max`), m.get('max')!, `${key}.max`) : null,
      limitUw: m.has('limit') ? power(m.get('limit')!, `${key}.limit`) : null,
      line,
    };
    if (snapshot !== null && (z.minUw !== null || z.maxUw !== null || z.limitUw !== null || z.name !== null)) {
      throw scenarioError(Exit.INVALID_DATA, file, line, key, 'a zone of the snapshot takes its name, bounds and limit from it: give its id (a floor for its limit: policy.minimums)');
    }
    if (snapshot === null && z.maxUw === null) throw scenarioError(Exit.INVALID_DATA, file, line, `${key}.max`, 'missing: a zone declared without a snapshot needs its maximum');
    if (z.minUw !== null && z.maxUw !== null && z.minUw > z.maxUw) throw scenarioError(Exit.USAGE, file, m.get('min')!.line, `${key}.min`, 'above the maximum');
    return z;
  });
  if (zones.length === 0) throw scenarioError(Exit.INVALID_DATA, file, need('zones').line, 'zones', 'no zones: name the zones the policy manages');
  const ids = new Set<string>();
  zones.forEach((z, i) => {
    if (ids.has(z.id)) throw scenarioError(Exit.USAGE, file, z.line, `zones[${i}]`, `${z.id} is named twice`);
    ids.add(z.id);
  });
  if (snapshot === null && zones.some((z) => !/^(dtpm|intel-rapl|intel-rapl-mmio):[0-9a-f]+(:[0-9a-f]+)*$/.test(z.id))) {
    const z = zones.find((x) => !/^(dtpm|intel-rapl|intel-rapl-mmio):/.test(x.id))!;
    throw scenarioError(Exit.USAGE, file, z.line, 'zones', `${z.id}: a declared zone's id is a powercap id (dtpm:0:0:1, intel-rapl:0)`);
  }

  const durationUs = positive(duration(need('duration'), 'duration'), need('duration'), 'duration');
  const intervalUs = top.has('interval') ? positive(duration(top.get('interval')!, 'interval'), top.get('interval')!, 'interval') : 1_000_000;
  const tickUs = top.has('tick') ? positive(duration(top.get('tick')!, 'tick'), top.get('tick')!, 'tick') : 20_000;
  if (intervalUs % tickUs !== 0) throw scenarioError(Exit.USAGE, file, (top.get('interval') ?? top.get('tick'))!.line, 'interval', `the interval is not a whole number of plant ticks (${tickUs} µs)`);
  let limits: 'opp' | 'clamp' = 'opp';
  if (top.has('limits')) {
    const v = string(top.get('limits')!, 'limits', 'opp or clamp');
    if (v !== 'opp' && v !== 'clamp') throw scenarioError(Exit.INVALID_DATA, file, top.get('limits')!.line, 'limits', 'expected opp (the power of the state the kernel picks) or clamp');
    limits = v;
  }
  let startMs = Date.parse(DEFAULT_START);
  if (top.has('start')) {
    const s = string(top.get('start')!, 'start', 'an RFC 3339 time');
    if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) || Number.isNaN(Date.parse(s))) {
      throw scenarioError(Exit.USAGE, file, top.get('start')!.line, 'start', `'${s}' is not an RFC 3339 time`);
    }
    startMs = Date.parse(s);
  }

  // workload
  const wl = entries(need('workload').value, 'workload', ['repeat', 'recording', 'noise', 'zones'], 'a workload');
  const noise = wl.has('noise') ? fraction(wl.get('noise')!, 'workload.noise') : 0;
  const repeatUs = wl.has('repeat') ? positive(duration(wl.get('repeat')!, 'workload.repeat'), wl.get('repeat')!, 'workload.repeat') : null;
  const recording = wl.has('recording') ? path.resolve(path.dirname(file), string(wl.get('recording')!, 'workload.recording', 'a snapshot file holding a recording')) : null;
  const demands: ZoneDemand[] = wl.has('zones') ? list(wl.get('zones')!, 'workload.zones', 'zones and their demand').map((n, i) => {
    const key = `workload.zones[${i}]`;
    const m = entries(n, key, ['zone', 'demand', 'from'], 'a zone\'s workload');
    if (!m.has('zone')) throw scenarioError(Exit.INVALID_DATA, file, lineOf(n) ?? 1, `${key}.zone`, 'missing');
    const zone = string(m.get('zone')!, `${key}.zone`, 'a zone id');
    if (!ids.has(zone)) throw scenarioError(Exit.USAGE, file, m.get('zone')!.line, `${key}.zone`, `${zone} is not one of the scenario's zones`);
    const points = m.has('demand') ? list(m.get('demand')!, `${key}.demand`, 'points ({ at: 0s, power: 1W })').map((p, j) => {
      const pk = `${key}.demand[${j}]`;
      const pm = entries(p, pk, ['at', 'power', 'ramp'], 'a point');
      if (!pm.has('at') || !pm.has('power')) throw scenarioError(Exit.INVALID_DATA, file, lineOf(p) ?? 1, pk, 'a point has `at` and `power`');
      return { atUs: duration(pm.get('at')!, `${pk}.at`), powerUw: power(pm.get('power')!, `${pk}.power`), rampUs: pm.has('ramp') ? duration(pm.get('ramp')!, `${pk}.ramp`) : 0 };
    }) : [];
    const from = m.has('from') ? string(m.get('from')!, `${key}.from`, 'a recorded zone id') : null;
    if (points.length === 0 && recording === null) throw scenarioError(Exit.INVALID_DATA, file, lineOf(n) ?? 1, key, 'no demand: give `demand:` points, or a `workload.recording`');
    return { zone, points, from, line: lineOf(n) ?? 1 };
  }) : [];
  if (demands.length === 0 && recording === null) throw scenarioError(Exit.INVALID_DATA, file, need('workload').line, 'workload', 'no demand: list `zones:` with their `demand:`, or give a `recording:`');

  // thermal model
  let thermal: ThermalModel | null = null;
  if (top.has('thermal')) {
    const t = entries(top.get('thermal')!.value, 'thermal', ['zone', 'ambient', 'resistance', 'timeConstant', 'initial'], 'a thermal model');
    for (const k of ['ambient', 'resistance', 'timeConstant']) if (!t.has(k)) throw scenarioError(Exit.INVALID_DATA, file, top.get('thermal')!.line, `thermal.${k}`, 'missing');
    const ambientMc = temperature(t.get('ambient')!, 'thermal.ambient');
    thermal = {
      zone: t.has('zone') ? string(t.get('zone')!, 'thermal.zone', 'a thermal zone type') : 'skin-therm',
      ambientMc,
      resistanceCPerW: positive(number(t.get('resistance')!, 'thermal.resistance', false), t.get('resistance')!, 'thermal.resistance'),
      timeConstantUs: positive(duration(t.get('timeConstant')!, 'thermal.timeConstant'), t.get('timeConstant')!, 'thermal.timeConstant'),
      initialMc: t.has('initial') ? temperature(t.get('initial')!, 'thermal.initial') : ambientMc,
    };
  }

  // policy
  const POLICY_KEYS = ['kind', 'budget', 'budgetFile', 'fallbackBudget', 'parent', 'weights', 'minimums', 'tuning', 'constraint',
    'target', 'targets', 'sustainablePower', 'switchOn', 'k_po', 'k_pu', 'k_i', 'k_d', 'integral_cutoff', 'ramp'];
  const pe = need('policy');
  const pm = entries(pe.value, 'policy', POLICY_KEYS, 'a policy');
  if (!pm.has('kind')) throw scenarioError(Exit.INVALID_DATA, file, pe.line, 'policy.kind', 'missing: static, balance or govern');
  const kind = string(pm.get('kind')!, 'policy.kind', 'static, balance or govern');
  if (!['static', 'balance', 'govern'].includes(kind)) throw scenarioError(Exit.INVALID_DATA, file, pm.get('kind')!.line, 'policy.kind', `unknown policy '${kind}': static, balance or govern`);
  const onlyFor = (keys: string[], kinds: string[]) => {
    for (const k of keys) {
      if (pm.has(k) && !kinds.includes(kind)) throw scenarioError(Exit.INVALID_DATA, file, pm.get(k)!.line, `policy.${k}`, `not a setting of the ${kind} policy`);
    }
  };
  onlyFor(['parent'], ['static']);
  onlyFor(['budgetFile', 'fallbackBudget'], ['balance']);
  onlyFor(['weights', 'minimums', 'tuning', 'constraint'], ['balance', 'govern']);
  onlyFor(['target', 'targets', 'sustainablePower', 'switchOn', 'k_po', 'k_pu', 'k_i', 'k_d', 'integral_cutoff', 'ramp'], ['govern']);
  onlyFor(['budget'], ['static', 'balance']);
  const byZone = (k: string, parse: (e: { value: unknown; line: number }, key: string) => number): Map<string, number> => {
    const out = new Map<string, number>();
    if (!pm.has(k)) return out;
    const e = pm.get(k)!;
    if (!Y.isMap(e.value)) throw scenarioError(Exit.INVALID_DATA, file, e.line, `policy.${k}`, 'expected a mapping of zone ids');
    for (const pair of e.value.items) {
      const id = String(scalar(pair.key));
      const line = lineOf(pair.key) ?? e.line;
      if (!ids.has(id)) throw scenarioError(Exit.USAGE, file, line, `policy.${k}.${id}`, `${id} is not one of the scenario's zones`);
      out.set(id, parse({ value: pair.value, line }, `policy.${k}.${id}`));
    }
    return out;
  };
  const common = (): PolicyCommon => {
    const tuning: Partial<AllocParams> = {};
    if (pm.has('tuning')) {
      const t = entries(pm.get('tuning')!.value, 'policy.tuning', ['saturation', 'margin', 'marginMin', 'hysteresis'], 'the allocation\'s tuning');
      if (t.has('saturation')) tuning.saturation = fraction(t.get('saturation')!, 'policy.tuning.saturation');
      if (t.has('margin')) tuning.marginFraction = fraction(t.get('margin')!, 'policy.tuning.margin');
      if (t.has('marginMin')) tuning.marginMinFraction = fraction(t.get('marginMin')!, 'policy.tuning.marginMin');
      if (t.has('hysteresis')) tuning.hysteresisFraction = fraction(t.get('hysteresis')!, 'policy.tuning.hysteresis');
    }
    return {
      weights: byZone('weights', (e, k) => positive(number(e, k, false), e, k)),
      minimums: byZone('minimums', power),
      tuning,
      constraint: pm.has('constraint') ? String(scalar(pm.get('constraint')!.value)) : null,
    };
  };
  let policy: Policy;
  if (kind === 'static') {
    if (!pm.has('budget')) throw scenarioError(Exit.INVALID_DATA, file, pe.line, 'policy.budget', 'missing: the budget the kernel splits');
    policy = { kind, budgetUw: power(pm.get('budget')!, 'policy.budget'), parent: pm.has('parent') ? string(pm.get('parent')!, 'policy.parent', 'a DTPM node id') : null };
  } else if (kind === 'balance') {
    if (pm.has('budget') === pm.has('budgetFile')) throw scenarioError(Exit.INVALID_DATA, file, pe.line, 'policy', 'give a budget or a budgetFile, one of the two');
    const budgetFile = pm.has('budgetFile') ? list(pm.get('budgetFile')!, 'policy.budgetFile', 'file contents ({ at: 0s, text: "budget: 2.5W" })').map((n, i) => {
      const key = `policy.budgetFile[${i}]`;
      const m = entries(n, key, ['at', 'text', 'missing'], 'a budget file event');
      if (!m.has('at') || m.has('text') === m.has('missing')) throw scenarioError(Exit.INVALID_DATA, file, lineOf(n) ?? 1, key, 'an event has `at` and either `text` or `missing: true`');
      return { atUs: duration(m.get('at')!, `${key}.at`), text: m.has('text') ? String(scalar(m.get('text')!.value)) : null };
    }).sort((a, b) => a.atUs - b.atUs) : null;
    policy = {
      kind, budgetUw: pm.has('budget') ? power(pm.get('budget')!, 'policy.budget') : null, budgetFile,
      fallbackUw: pm.has('fallbackBudget') ? power(pm.get('fallbackBudget')!, 'policy.fallbackBudget') : null, ...common(),
    };
  } else {
    // govern
    if (!pm.has('target')) throw scenarioError(Exit.INVALID_DATA, file, pe.line, 'policy.target', 'missing: the temperature to hold');
    if (thermal === null) throw scenarioError(Exit.INVALID_DATA, file, pm.get('kind')!.line, 'policy', 'govern needs a `thermal:` model');
    const targetMc = temperature(pm.get('target')!, 'policy.target');
    if (targetMc <= thermal.ambientMc) throw scenarioError(Exit.USAGE, file, pm.get('target')!.line, 'policy.target', 'at or below the ambient temperature: no budget reaches it');
    const targets = pm.has('targets') ? list(pm.get('targets')!, 'policy.targets', 'targets ({ at: 10s, target: 40C })').map((n, i) => {
      const key = `policy.targets[${i}]`;
      const m = entries(n, key, ['at', 'target'], 'a target change');
      if (!m.has('at') || !m.has('target')) throw scenarioError(Exit.INVALID_DATA, file, lineOf(n) ?? 1, key, 'a target change has `at` and `target`');
      return { atUs: duration(m.get('at')!, `${key}.at`), targetMc: temperature(m.get('target')!, `${key}.target`) };
    }).sort((a, b) => a.atUs - b.atUs) : [];
    const tunables: Partial<Omit<PidTunables, 'sustainable_power'>> = {};
    for (const k of ['k_po', 'k_pu', 'k_i', 'k_d'] as const) if (pm.has(k)) tunables[k] = number(pm.get(k)!, `policy.${k}`, true);
    if (pm.has('integral_cutoff')) tunables.integral_cutoff = temperature(pm.get('integral_cutoff')!, 'policy.integral_cutoff');
    policy = {
      kind: 'govern', targetMc, targets,
      sustainablePowerMw: pm.has('sustainablePower') ? Math.floor(power(pm.get('sustainablePower')!, 'policy.sustainablePower') / 1000) : null,
      switchOnMc: pm.has('switchOn') ? temperature(pm.get('switchOn')!, 'policy.switchOn') : null,
      tunables,
      rampUwPerS: pm.has('ramp') ? power(pm.get('ramp')!, 'policy.ramp') : null,
      ...common(),
    };
  }
  return { file, description, snapshot, zones, durationUs, intervalUs, tickUs, limits, workload: { repeatUs, recording, noise, zones: demands }, thermal, policy, startMs, lines };
}

export function readScenarioText(file: string): string {
  return readUserFile(file, { what: 'scenario', hint: 'see examples/sim-*.yaml and docs/balance.md "Scenarios"' });
}
