/**
 * The limits an exporter publishes: every constraint's power limit, time
 * window and max power, and each zone's enabled state, re-read on their own
 * (slower) cadence. Only files that read at start are re-read: an attribute
 * the driver answers with an errno every time (DTPM's time windows: ENODATA)
 * is left out rather than counted as an error on every refresh.
 *
 * The same package can be exposed twice, through MSR (intel-rapl) and MMIO
 * (intel-rapl-mmio), each copy holding its own limit (drivers/powercap/intel_rapl_common.c
 * programs each interface's registers independently). Which of them holds the package is
 * decided by core/limits/effective.ts limitInForce(), on the values as last re-read.
 *
 * The same reader gives the limit each sampled zone is held to (inForce(): the lowest limit in
 * force over its constraints), for "at the limit" in watch and the exporter: for a package, its
 * other copy's limits are read too, exported or not, since they hold the package as well.
 */
import type { Source } from '../source/types.js';
import { parseKernelInt, zoneAttr, type PowercapTree, type Zone } from '../zones/powercap-tree.js';
import { limitInForce, lowestInForce, otherCopy, raplCopies, zoneEnabled, type InForce, type ZoneLimit } from '../limits/effective.js';

export type LimitKind = 'power_limit_uw' | 'time_window_us' | 'max_power_uw';
export const LIMIT_KINDS: readonly LimitKind[] = ['power_limit_uw', 'time_window_us', 'max_power_uw'];

export interface LimitValue {
  zone: Zone;
  /** the constraint's name, or `constraint_N` when it has none */
  constraint: string;
  kind: LimitKind;
  path: string;
  /** null after a failed re-read */
  value: bigint | null;
}

export interface EnabledValue {
  zone: Zone;
  path: string;
  value: boolean | null;
}

/** A package exposed through both MSR and MMIO, per constraint name. */
export interface LimitPair {
  name: string;
  constraint: string;
  /** the two copies' power_limit_uw entries (MSR first) */
  limits: [LimitValue, LimitValue];
  /** the two zones' enabled entries (null when the zone has no enabled file) */
  enabled: [EnabledValue | null, EnabledValue | null];
}

const constraintLabel = (name: string | null, index: number) => name ?? `constraint_${index}`;

const FIELD: Record<LimitKind, 'powerLimitUw' | 'timeWindowUs' | 'maxPowerUw'> = {
  power_limit_uw: 'powerLimitUw',
  time_window_us: 'timeWindowUs',
  max_power_uw: 'maxPowerUw',
};

/** One constraint of a zone asked about: the power limits of the copies that hold it (the zone, or a package's two). */
interface HeldBy {
  sides: Array<{ zone: Zone; limit: LimitValue | null; enabled: EnabledValue | null }>;
}

export class LimitReader {
  readonly limits: LimitValue[] = [];
  readonly enabled: EnabledValue[] = [];
  readonly pairs: LimitPair[] = [];
  /** read errors of the last refreshes, by errno (`invalid` for text that is no integer) */
  readonly errors = new Map<string, number>();
  /** read on each refresh for inForce() but not exported: the other copies of sampled packages */
  private readonly unexported: { limits: LimitValue[]; enabled: EnabledValue[] } = { limits: [], enabled: [] };
  /** per zone asked about in inForce(), per constraint, what holds it */
  private readonly held: Array<HeldBy[] | null>;
  private readonly inForceOut: ZoneLimit[];
  private readAtUs: bigint | null = null;

  /**
   * @param zones the zones whose limits are exported
   * @param inForceOf the zones whose limit in force inForce() gives, in its order (the sampled ones;
   *   null for one the tree does not hold, whose limit is `unknown`)
   */
  constructor(
    private readonly source: Source,
    zones: readonly Zone[],
    tree: PowercapTree,
    inForceOf: ReadonlyArray<Zone | null> = [],
  ) {
    const enabledOf = new Map<string, EnabledValue>();
    const byKey = new Map<string, LimitValue>();
    const tracked = new Set<Zone>();
    const track = (z: Zone, exported: boolean) => {
      if (tracked.has(z)) return;
      tracked.add(z);
      const into = exported ? this : this.unexported;
      if (z.enabled !== null) {
        const e = { zone: z, path: zoneAttr(z, 'enabled'), value: z.enabled };
        into.enabled.push(e);
        enabledOf.set(z.id, e);
      }
      for (const c of z.constraints) {
        const constraint = constraintLabel(c.name, c.index);
        for (const kind of exported ? LIMIT_KINDS : ['power_limit_uw' as const]) {
          const value = c[FIELD[kind]];
          if (value === null) continue; // absent, or unreadable at start
          const l: LimitValue = { zone: z, constraint, kind, path: zoneAttr(z, `constraint_${c.index}_${kind}`), value };
          into.limits.push(l);
          if (kind === 'power_limit_uw') byKey.set(`${z.id}\0${constraint}`, l);
        }
      }
    };
    for (const z of zones) track(z, true);
    for (const z of inForceOf) {
      if (z === null) continue;
      track(z, false);
      const other = otherCopy(tree, z);
      if (other) track(other, false);
    }
    this.held = inForceOf.map((z) => {
      if (z === null) return null;
      const copies = otherCopy(tree, z) ? raplCopies(tree, z.name!)! : [z];
      return z.constraints.filter((c) => z.files.has(`constraint_${c.index}_power_limit_uw`)).map((c) => {
        const constraint = constraintLabel(c.name, c.index);
        // a copy without a constraint of that name (MMIO has no peak_power) leaves the zone's own alone
        const holders = copies.filter((o) => o === z || o.constraints.some((oc) => constraintLabel(oc.name, oc.index) === constraint));
        return { sides: holders.map((o) => ({ zone: o, limit: byKey.get(`${o.id}\0${constraint}`) ?? null, enabled: enabledOf.get(o.id) ?? null })) };
      });
    });
    this.inForceOut = new Array<ZoneLimit>(inForceOf.length);
    // MSR and MMIO copies of the same top-level package, both selected
    const selected = new Set(zones);
    const names = new Set(zones.filter((z) => z.parent === null && z.name !== null).map((z) => z.name!));
    for (const name of names) {
      const copies = raplCopies(tree, name);
      if (!copies || !copies.every((z) => selected.has(z))) continue;
      const [msr, mmio] = copies as [Zone, Zone];
      for (const c of mmio.constraints) {
        const constraint = constraintLabel(c.name, c.index);
        const a = byKey.get(`${msr.id}\0${constraint}`);
        const b = byKey.get(`${mmio.id}\0${constraint}`);
        if (a && b) this.pairs.push({ name, constraint, limits: [a, b], enabled: [enabledOf.get(msr.id) ?? null, enabledOf.get(mmio.id) ?? null] });
      }
    }
  }

  /**
   * The limit each zone of `inForceOf` is held to, on the values as last re-read (one array,
   * refilled on each call): µW, `none` (not limited) or `unknown` (core/limits/effective.ts
   * lowestInForce over limitInForce per constraint). A limit in force that reads 0 is taken as
   * none: it is what RAPL leaves in the limits of subdomains and psys that were never set (profile
   * save leaves them out for that reason, profile/from-tree.ts), and what a DTPM node reads until
   * it is limited (dtpm.c stores 0 in a node above its leaves). A package copy forced to 0 W would
   * be held at its floor and is left out all the same: a zone is never "at" a limit of 0.
   */
  inForce(): readonly ZoneLimit[] {
    for (let i = 0; i < this.held.length; i++) {
      const held = this.held[i]!;
      this.inForceOut[i] = held === null ? 'unknown' : lowestInForce(held.map((h): InForce<Zone> => {
        const f = limitInForce(h.sides.map((s) => ({
          zone: s.zone,
          powerLimitUw: s.limit?.value ?? null,
          // a zone without an enabled file is not disabled; one that read nothing at start is unknown
          enabled: s.enabled ? s.enabled.value : zoneEnabled(s.zone),
        })));
        return f.kind === 'held' && f.powerLimitUw === 0n ? { kind: 'none' } : f;
      }));
    }
    return this.inForceOut;
  }

  /** Re-read the limits when `everyUs` has passed since the last read (the tree read at start is the first), at time `tUs`. */
  refreshIfDue(tUs: bigint, everyUs: bigint): void {
    if (this.readAtUs === null) this.readAtUs = tUs;
    else if (tUs - this.readAtUs >= everyUs) {
      this.refresh();
      this.readAtUs = tUs;
    }
  }

  /** Re-read every limit and enabled file (one open/read/close each), the unexported ones too. */
  refresh(): void {
    this.refreshList(this.limits, this.enabled);
    this.refreshList(this.unexported.limits, this.unexported.enabled);
  }

  private refreshList(limits: LimitValue[], enabled: EnabledValue[]): void {
    for (const l of limits) {
      const r = this.source.read(l.path);
      if (!r.ok) {
        l.value = null;
        this.count(r.errno);
        continue;
      }
      const v = parseKernelInt(r.text);
      l.value = v ?? null;
      if (v === undefined) this.count('invalid');
    }
    for (const e of enabled) {
      const r = this.source.read(e.path);
      if (!r.ok) {
        e.value = null;
        this.count(r.errno);
        continue;
      }
      const t = r.text.trim();
      e.value = t === '1' ? true : t === '0' ? false : null;
      if (e.value === null) this.count('invalid');
    }
  }

  private count(errno: string): void {
    this.errors.set(errno, (this.errors.get(errno) ?? 0) + 1);
  }
}

/** The limit in force on a package, from the two copies' values as last re-read (limitInForce). */
export function pairInForce(pair: LimitPair): InForce<Zone> {
  return limitInForce(pair.limits.map((l, i) => ({
    zone: l.zone,
    powerLimitUw: l.value,
    // a zone without an enabled file is not disabled
    enabled: pair.enabled[i] ? pair.enabled[i]!.value : true,
  })));
}
