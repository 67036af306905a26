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
 */
import type { Source } from '../source/types.js';
import { parseKernelInt, zoneAttr, type PowercapTree, type Zone } from '../zones/powercap-tree.js';
import { limitInForce, raplCopies, type InForce } from '../limits/effective.js';

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

export class LimitReader {
  readonly limits: LimitValue[] = [];
  readonly enabled: EnabledValue[] = [];
  readonly pairs: LimitPair[] = [];
  /** read errors of the last refreshes, by errno (`invalid` for text that is no integer) */
  readonly errors = new Map<string, number>();

  constructor(
    private readonly source: Source,
    zones: readonly Zone[],
    tree: PowercapTree,
  ) {
    const enabledOf = new Map<string, EnabledValue>();
    const byKey = new Map<string, LimitValue>();
    for (const z of zones) {
      if (z.enabled !== null) {
        const e = { zone: z, path: zoneAttr(z, 'enabled'), value: z.enabled };
        this.enabled.push(e);
        enabledOf.set(z.id, e);
      }
      for (const c of z.constraints) {
        const constraint = constraintLabel(c.name, c.index);
        for (const kind of LIMIT_KINDS) {
          const value = c[FIELD[kind]];
          if (value === null) continue; // absent, or unreadable at start
          const l: LimitValue = { zone: z, constraint, kind, path: zoneAttr(z, `constraint_${c.index}_${kind}`), value };
          this.limits.push(l);
          if (kind === 'power_limit_uw') byKey.set(`${z.id}\0${constraint}`, l);
        }
      }
    }
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

  /** Re-read every limit and enabled file (one open/read/close each). */
  refresh(): void {
    for (const l of this.limits) {
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
    for (const e of this.enabled) {
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
