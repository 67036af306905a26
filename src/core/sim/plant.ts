/**
 * The plant a policy is tried on: powercap zones that draw what their workload asks, up to
 * their limit, and publish it as the kernel does (DTPM: `power_uw`; RAPL: an `energy_uj`
 * counter that wraps at `max_energy_range_uj`), with limits stored as the kernel stores them:
 * - a DTPM leaf: the power of the state dtpm_cpu.c / dtpm_devfreq.c pick when the zone has an
 *   energy model (limits `opp`), else the limit clamped to [min, max] (limits `clamp`);
 * - a DTPM parent written: split among its children by the kernel's static weights
 *   (kernel/dtpm.ts setPowerLimitUw), and counted;
 * - RAPL: clamped to [min, max], then truncated to the 1/8 W unit (kernel/rapl.ts).
 * An optional RC model turns the total power into a temperature: T moves toward
 * ambient + R·P with the time constant τ (exactly, per step: T∞ + (T − T∞)·e^(−dt/τ)).
 *
 * `PlantSource` is the plant behind the one Source interface (the controller reads and writes
 * it as it would sysfs, on a virtual clock); serve.ts publishes the same attributes into real
 * files on the real clock.
 */
import { SysfsError } from '../errors.js';
import { buildDtpmForest, type DtpmForest } from '../dtpm/fromTree.js';
import { readEnergyModel } from '../em/debugfs.js';
import { DTPM_CONTROL_TYPE, setPowerLimitUw, type DtpmNode } from '../kernel/dtpm.js';
import { quantizePowerLimit } from '../kernel/rapl.js';
import { isRaplType } from '../kernel/rapl.js';
import { pickConstraint, powerBounds } from '../limits/plan.js';
import type { DirNode } from '../source/tree.js';
import { TreeSource } from '../source/tree.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from '../source/types.js';
import type { RegistryEntry } from '../dtpm/device.js';
import { readPowercapTree, zoneAttr, type PowercapTree } from '../zones/powercap-tree.js';
import type { Demand } from './workload.js';
import type { ThermalModel } from './scenario.js';

export interface PlantZone {
  id: string;
  name: string | null;
  kind: 'dtpm' | 'rapl';
  /** the limit attribute the plant applies, relative to the powercap root */
  limitRel: string;
  minUw: number;
  maxUw: number;
  /** the limit as stored (what the attribute reads) */
  limitUw: number;
  /** the DTPM node (leaf), for the state a limit leads to and a parent's split */
  node: DtpmNode | null;
  demand: Demand;
  /** demand and power drawn during the last step, µW */
  demandUw: number;
  powerUw: number;
  /** RAPL: the counter, µJ (a double: far below 2^53), and where it wraps */
  energyUj: number;
  rangeUj: number;
  /** the attribute that publishes the power: power_uw or energy_uj */
  readingRel: string;
}

/** A DTPM node above the zones: its limit can be written (and the kernel re-splits it). */
export interface PlantParent {
  id: string;
  limitRel: string;
  powerRel: string | null;
  node: DtpmNode;
}

export interface PlantInput {
  /** the powercap tree (a snapshot's, or one built for declared zones) */
  powercap: DirNode;
  energyModel: DirNode | null;
  registry: RegistryEntry[];
  info: SourceInfo;
  /** the zones and their demand */
  zones: Array<{ id: string; demand: Demand }>;
  constraint: string | null;
  limits: 'opp' | 'clamp';
  thermal: ThermalModel | null;
}

export class Plant {
  readonly zones: PlantZone[];
  readonly parents: PlantParent[];
  readonly tree: TreeSource;
  readonly powercap: PowercapTree;
  /** the DTPM nodes of the tree (null without DTPM zones) */
  readonly forest: DtpmForest | null;
  /** °C × 1000 as a double; null without a thermal model */
  temperatureMc: number | null;
  /** writes to DTPM parents (the kernel re-split them by static weights) */
  parentWrites = 0;
  /** limit writes per zone id (parents included) since the last takeWrites() */
  private writes = new Map<string, number>();
  private readonly byLimitRel = new Map<string, PlantZone | PlantParent>();
  private readonly byNode = new Map<DtpmNode, PlantZone>();

  constructor(readonly input: PlantInput) {
    this.tree = new TreeSource(input.powercap, input.info);
    this.powercap = readPowercapTree(this.tree);
    const hasDtpm = input.zones.some((z) => z.id.startsWith(`${DTPM_CONTROL_TYPE}:`));
    const forest = this.forest = hasDtpm
      ? buildDtpmForest(this.powercap, input.registry, input.energyModel ? readEnergyModel(new TreeSource(input.energyModel, input.info)) : [])
      : null;
    this.zones = input.zones.map((zin) => {
      const z = this.powercap.byId.get(zin.id)!;
      const c = pickConstraint(z, input.constraint ?? undefined);
      const b = powerBounds(z, c);
      const maxUw = Number(b.maxUw ?? z.maxPowerRangeUw ?? 0n);
      const minUw = Number(b.minUw ?? 0n);
      const node = z.controlType === DTPM_CONTROL_TYPE ? forest!.byZone.get(z.id) ?? null : null;
      if (node && input.limits === 'clamp') {
        // the limit is clamped, not turned into a state's power
        node.table = null;
        node.powerMinUw = minUw;
        node.powerMaxUw = maxUw;
      }
      const rapl = isRaplType(z.controlType);
      const pz: PlantZone = {
        id: z.id, name: z.name, kind: rapl ? 'rapl' : 'dtpm', limitRel: zoneAttr(z, `constraint_${c.index}_power_limit_uw`),
        minUw, maxUw, limitUw: Number(c.powerLimitUw ?? BigInt(maxUw)), node, demand: zin.demand, demandUw: 0, powerUw: Number(z.powerUw ?? 0n),
        energyUj: Number(z.energyUj ?? 0n), rangeUj: Number(z.maxEnergyRangeUj ?? 262143328850n),
        readingRel: zoneAttr(z, rapl ? 'energy_uj' : 'power_uw'),
      };
      if (node) {
        node.powerLimitUw = pz.limitUw;
        this.byNode.set(node, pz);
      }
      return pz;
    });
    // the DTPM nodes above the zones, parents first
    const parents: PlantParent[] = [];
    const seen = new Set<DtpmNode>();
    for (const pz of this.zones) {
      for (let n = pz.node?.parent ?? null; n; n = n.parent) {
        if (seen.has(n)) continue;
        seen.add(n);
        const z = forest!.zoneOf.get(n)!;
        parents.push({ id: z.id, node: n, limitRel: zoneAttr(z, 'constraint_0_power_limit_uw'), powerRel: z.files.has('power_uw') ? zoneAttr(z, 'power_uw') : null });
      }
    }
    this.parents = parents.reverse();
    for (const p of [...this.zones, ...this.parents]) this.byLimitRel.set(p.limitRel, p);
    const t = input.thermal;
    this.temperatureMc = t ? t.initialMc : null;
  }

  /** The zone or DTPM parent whose limit attribute this is. */
  limitAt(rel: string): PlantZone | PlantParent | undefined {
    return this.byLimitRel.get(rel);
  }

  /** Store a limit as the kernel would (see the module comment). */
  writeLimit(target: PlantZone | PlantParent, uw: number): void {
    this.writes.set(target.id, (this.writes.get(target.id) ?? 0) + 1);
    if (!('kind' in target)) {
      // a DTPM parent: the kernel hands each child its static share
      this.parentWrites++;
      for (const step of setPowerLimitUw(target.node, uw)) {
        const pz = this.byNode.get(step.node);
        if (pz) pz.limitUw = step.appliedUw;
      }
      return;
    }
    if (target.node) {
      setPowerLimitUw(target.node, uw);
      target.limitUw = target.node.powerLimitUw;
      return;
    }
    const clamped = Math.min(Math.max(uw, target.minUw), target.maxUw);
    target.limitUw = target.kind === 'rapl' ? Number(quantizePowerLimit(BigInt(clamped))) : clamped;
  }

  /** Limit writes per zone or parent id since the last call. */
  takeWrites(): Map<string, number> {
    const w = this.writes;
    this.writes = new Map();
    return w;
  }

  /** One step of dtUs from tUs: each zone draws min(demand, limit); counters and temperature follow. */
  advance(tUs: number, dtUs: number): void {
    let total = 0;
    for (const z of this.zones) {
      z.demandUw = Math.max(0, z.demand.at(tUs));
      z.powerUw = Math.min(z.demandUw, z.limitUw);
      total += z.powerUw;
      if (z.kind === 'rapl') {
        z.energyUj += (z.powerUw * dtUs) / 1e6;
        if (z.energyUj >= z.rangeUj) z.energyUj -= z.rangeUj;
      }
    }
    const t = this.input.thermal;
    if (t && this.temperatureMc !== null) {
      const steady = t.ambientMc + t.resistanceCPerW * (total / 1000);
      this.temperatureMc = steady + (this.temperatureMc - steady) * Math.exp(-dtUs / t.timeConstantUs);
    }
  }

  /** Σ power of the zones during the last step. */
  get totalPowerUw(): number {
    return this.zones.reduce((s, z) => s + z.powerUw, 0);
  }

  /** A DTPM parent's power_uw: the sum over its children (zones of the plant, else as stored). */
  parentPowerUw(p: PlantParent): number {
    const sum = (n: DtpmNode): number => {
      const pz = this.byNode.get(n);
      if (pz) return pz.powerUw;
      return n.children.length ? n.children.reduce((s, c) => s + sum(c), 0) : n.powerUw;
    };
    return sum(p.node);
  }

  /** The attributes that change as the plant runs, with their text now (serve.ts publishes these). */
  dynamicAttributes(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const z of this.zones) out.push([z.readingRel, z.kind === 'rapl' ? `${Math.floor(z.energyUj)}\n` : `${Math.round(z.powerUw)}\n`]);
    for (const p of this.parents) if (p.powerRel) out.push([p.powerRel, `${Math.round(this.parentPowerUw(p))}\n`]);
    return out;
  }

  /** The limit attributes with the values stored now. */
  limitAttributes(): Array<[string, number]> {
    return [...this.zones.map((z): [string, number] => [z.limitRel, z.limitUw]), ...this.parents.map((p): [string, number] => [p.limitRel, p.node.powerLimitUw])];
  }
}

/** The plant behind the Source interface: dynamic attributes from the plant, the rest from the tree. */
export class PlantSource implements Source {
  readonly info: SourceInfo;
  private readonly dynamic = new Map<string, () => string>();

  constructor(readonly plant: Plant) {
    this.info = plant.tree.info;
    for (const z of plant.zones) {
      this.dynamic.set(z.readingRel, z.kind === 'rapl' ? () => `${Math.floor(z.energyUj)}\n` : () => `${Math.round(z.powerUw)}\n`);
      this.dynamic.set(z.limitRel, () => `${z.limitUw}\n`);
    }
    for (const p of plant.parents) {
      if (p.powerRel) this.dynamic.set(p.powerRel, () => `${Math.round(plant.parentPowerUw(p))}\n`);
      this.dynamic.set(p.limitRel, () => `${p.node.powerLimitUw}\n`);
    }
  }

  list(rel: string): DirEntry[] | null {
    return this.plant.tree.list(rel);
  }

  isDir(rel: string): boolean {
    return this.plant.tree.isDir(rel);
  }

  read(rel: string): ReadResult {
    const f = this.dynamic.get(rel);
    return f ? { ok: true, text: f() } : this.plant.tree.read(rel);
  }

  write(rel: string, text: string): void {
    const target = this.plant.limitAt(rel);
    if (!target) throw new SysfsError(this.plant.tree.read(rel).ok ? 'EACCES' : 'ENOENT', rel);
    const t = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (!/^[0-9]{1,15}$/.test(t)) throw new SysfsError('EINVAL', rel);
    this.plant.writeLimit(target, Number(t));
  }
}

/** A thermal class folder with one zone whose `temp` is the plant's temperature. */
export class PlantThermalSource implements Source {
  readonly info: SourceInfo;
  constructor(readonly plant: Plant, readonly type: string, info: SourceInfo) {
    this.info = info;
  }

  list(rel: string): DirEntry[] | null {
    if (rel === '') return [{ name: 'thermal_zone0', kind: 'dir' }];
    if (rel === 'thermal_zone0') return [{ name: 'type', kind: 'file' }, { name: 'temp', kind: 'file' }];
    return null;
  }

  isDir(rel: string): boolean {
    return rel === '' || rel === 'thermal_zone0';
  }

  read(rel: string): ReadResult {
    if (rel === 'thermal_zone0/type') return { ok: true, text: `${this.type}\n` };
    if (rel === 'thermal_zone0/temp') return { ok: true, text: `${Math.round(this.plant.temperatureMc ?? 0)}\n` };
    return { ok: false, errno: 'ENOENT' };
  }

  write(rel: string): void {
    throw new SysfsError('EACCES', rel);
  }
}
