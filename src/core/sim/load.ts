/**
 * A scenario with what it names: the snapshot (or a tree built for the declared zones), the
 * recording, each zone's demand. Mistakes found here are reported at the scenario's line too.
 */
import { Exit } from '../errors.js';
import { loadSnapshotFile, type RegistryEntry } from '../snapshot/file.js';
import type { DirNode } from '../source/tree.js';
import { TreeSource } from '../source/tree.js';
import { DTPM_CONTROL_TYPE } from '../kernel/dtpm.js';
import { readPowercapTree } from '../zones/powercap-tree.js';
import type { RecordingDoc } from '../watch/recording.js';
import { parseScenario, readScenarioText, scenarioError, type Scenario, type ScenarioZone } from './scenario.js';
import { noisyDemand, recordingDemands, scheduleDemand, type Demand } from './workload.js';

export interface LoadedScenario {
  scenario: Scenario;
  powercap: DirNode;
  energyModel: DirNode | null;
  registry: RegistryEntry[];
  /** each scenario zone's demand, by id */
  demands: Map<string, Demand>;
}

/** A RAPL package counter's range on most parts (kernel.md §2). */
const RAPL_RANGE_UJ = '262143328850';

/**
 * The powercap tree of declared zones, laid out as sysfs nests it: DTPM ids get their virtual
 * ancestors (bounds the sums of their leaves, limit 0 as after boot), RAPL ids a long_term
 * constraint and an energy counter.
 */
export function declaredTree(zones: readonly ScenarioZone[]): DirNode {
  const root: DirNode = { dirs: {} };
  const dirOf = (id: string): DirNode => {
    const parts = id.split(':');
    const type = parts[0]!;
    let node = (root.dirs![type] ??= { attrs: { enabled: '1\n' }, dirs: {} });
    for (let i = 2; i <= parts.length; i++) {
      const name = parts.slice(0, i).join(':');
      node.dirs ??= {};
      node = node.dirs[name] ??= { attrs: {}, dirs: {} };
    }
    return node;
  };
  for (const z of zones) {
    const max = z.maxUw!;
    const min = z.minUw ?? 0;
    const limit = z.limitUw ?? max;
    const d = dirOf(z.id);
    if (z.id.startsWith(`${DTPM_CONTROL_TYPE}:`)) {
      d.attrs = {
        name: `${z.name ?? z.id}\n`, enabled: '1\n', power_uw: '0\n', max_power_range_uw: `${max - min}\n`,
        constraint_0_name: 'Instantaneous\n', constraint_0_power_limit_uw: `${limit}\n`, constraint_0_max_power_uw: `${max}\n`,
        constraint_0_time_window_us: { errno: 'ENODATA' },
      };
    } else {
      d.attrs = {
        name: `${z.name ?? `package-${z.id.split(':')[1]}`}\n`, enabled: '1\n', energy_uj: '0\n', max_energy_range_uj: `${RAPL_RANGE_UJ}\n`,
        constraint_0_name: 'long_term\n', constraint_0_power_limit_uw: `${limit}\n`, constraint_0_max_power_uw: `${max}\n`,
        constraint_0_time_window_us: '999424\n', ...(min > 0 ? { constraint_0_min_power_uw: `${min}\n` } : {}),
      };
    }
  }
  // DTPM virtual nodes: the sums of what is under them
  const sums = (node: DirNode, name: string): { min: number; max: number } => {
    const kids = Object.entries(node.dirs ?? {});
    if (kids.length === 0) {
      const max = Number(String(node.attrs?.constraint_0_max_power_uw ?? '0'));
      return { min: max - Number(String(node.attrs?.max_power_range_uw ?? '0')), max };
    }
    let min = 0;
    let max = 0;
    for (const [n, k] of kids) {
      const s = sums(k, n);
      min += s.min;
      max += s.max;
    }
    if (name.includes(':') && !node.attrs?.name) {
      node.attrs = {
        name: `${name}\n`, enabled: '1\n', power_uw: '0\n', max_power_range_uw: `${max - min}\n`,
        constraint_0_name: 'Instantaneous\n', constraint_0_power_limit_uw: '0\n', constraint_0_max_power_uw: `${max}\n`,
        constraint_0_time_window_us: { errno: 'ENODATA' },
      };
    }
    return { min, max };
  };
  for (const [type, node] of Object.entries(root.dirs!)) if (type === DTPM_CONTROL_TYPE) sums(node, type);
  return root;
}

/** Read a scenario and everything it names. Throws exit 6 or 2 at the line of the mistake, 3 for a missing file. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  return loadParsedScenario(await parseScenario(readScenarioText(file), file));
}

export function loadParsedScenario(s: Scenario): LoadedScenario {
  let powercap: DirNode;
  let energyModel: DirNode | null = null;
  let registry: RegistryEntry[] = [];
  if (s.snapshot !== null) {
    const snap = loadSnapshotFile(s.snapshot);
    powercap = structuredClone(snap.doc.powercap);
    energyModel = snap.doc.energyModel ?? null;
    registry = snap.registry;
    const tree = readPowercapTree(new TreeSource(powercap, { kind: 'snapshot', file: s.snapshot }));
    s.zones.forEach((z, i) => {
      const found = tree.byId.get(z.id);
      if (!found) throw scenarioError(Exit.NOT_FOUND, s.file, z.line, `zones[${i}]`, `${z.id} is not in ${s.snapshot}`, `its zones: ${tree.zones.map((x) => x.id).join(', ')}`);
      if (found.controlType === DTPM_CONTROL_TYPE && found.children.length > 0) {
        throw scenarioError(Exit.USAGE, s.file, z.line, `zones[${i}]`, `${z.id} is a DTPM node with children: name its leaves (a policy writes leaves; static splits their parent)`);
      }
    });
  } else powercap = declaredTree(s.zones);

  const demands = new Map<string, Demand>();
  let recorded = new Map<string, Demand>();
  if (s.workload.recording !== null) {
    const rec = loadSnapshotFile(s.workload.recording);
    const doc = rec.doc.recording as RecordingDoc | undefined;
    if (!doc) throw scenarioError(Exit.INVALID_DATA, s.file, s.lines.get('workload.recording') ?? 1, 'workload.recording', `${s.workload.recording} holds no recording (make one with watch --record)`);
    const from = s.zones.map((z) => s.workload.zones.find((w) => w.zone === z.id)?.from ?? z.id);
    recorded = recordingDemands(doc, s.workload.recording, from);
    s.zones.forEach((z, i) => {
      const w = s.workload.zones.find((x) => x.zone === z.id);
      if (w && w.points.length > 0) return;
      if (!recorded.has(from[i]!)) {
        throw scenarioError(Exit.NOT_FOUND, s.file, w?.line ?? s.lines.get('workload.recording') ?? 1, 'workload', `${from[i]} is not in the recording ${s.workload.recording}`);
      }
    });
    s.zones.forEach((z, i) => demands.set(z.id, recorded.get(from[i]!)!));
  }
  for (const w of s.workload.zones) if (w.points.length > 0) demands.set(w.zone, scheduleDemand(w.points, s.workload.repeatUs));
  for (const z of s.zones) if (!demands.has(z.id)) demands.set(z.id, scheduleDemand([], null));
  if (s.workload.noise > 0) s.zones.forEach((z, i) => demands.set(z.id, noisyDemand(demands.get(z.id)!, s.workload.noise, i + 1)));
  return { scenario: s, powercap, energyModel, registry, demands };
}
