/**
 * Checks on a DTPM hierarchy (`dtpm check`, also run after every change):
 *
 * - `empty-virtual`: a virtual node with no children (its bounds are 0: any limit
 *   written to it is clamped to 0, and it takes a share of nothing);
 * - `share-below-min`: a child whose share of its parent's minimum falls below its
 *   own minimum. A limit just above the parent's min (not equal to it) gives each
 *   child DIV_ROUND_CLOSEST(L × weight, 1024) (dtpm.c __set_power_limit_uw), so such a child is
 *   handed less than it can apply: the kernel's CPU leaf then reads before its
 *   table (dtpm_cpu.c set_pd_power_limit); powercapctl's emulation clamps instead;
 * - `no-energy-model`: a device with neither an energy-model table nor power bounds
 *   (its min and max read 0: it takes no share of any limit);
 * - `limits-above-parent`: a limited virtual node whose children's limits sum above
 *   its own (a virtual child with no limit counts as its max);
 * - `structure`: a rule broken in what was read (device placed twice, a device with
 *   children, more than one root).
 */
import { formatPower } from '../units.js';
import { weightedShare } from '../kernel/dtpm.js';
import type { DtpmNode, Hierarchy } from './hierarchy.js';

export type FindingCode = 'empty-virtual' | 'share-below-min' | 'no-energy-model' | 'limits-above-parent' | 'structure';

export interface Finding {
  code: FindingCode;
  /** the node's path ('' for the hierarchy as a whole) */
  path: string;
  message: string;
  /** numbers behind the finding, µW */
  values?: Record<string, number>;
}

/** Every finding, in tree order (structure problems first). */
export function checkHierarchy(h: Hierarchy): Finding[] {
  const out: Finding[] = h.problems.map((p) => ({ code: 'structure' as const, path: p.path, message: p.message }));
  for (const n of h.nodes) {
    if (!n.device && n.children.length === 0) {
      out.push({ code: 'empty-virtual', path: n.path, message: `${n.path}: virtual node with no children (its power range is 0)` });
    }
    if (n.device && !n.table && typeof n.device.powerMaxUw !== 'number') {
      out.push({
        code: 'no-energy-model', path: n.path,
        message: `${n.path}: device '${n.device.name}' has no energy model${n.device.domain ? ` (domain '${n.device.domain}' not found)` : ''} and no power bounds`,
      });
    }
    if (n.parent && n.parent.powerMinUw > 0) {
      const share = weightedShare(n.parent.powerMinUw, n.weight);
      if (share < n.powerMinUw) {
        out.push({
          code: 'share-below-min', path: n.path,
          message: `${n.path}: a limit just above ${n.parent.name}'s minimum (${formatPower(n.parent.powerMinUw)}) gives it ${formatPower(share)} ` +
            `(weight ${n.weight}/1024), below its own minimum ${formatPower(n.powerMinUw)}`,
          values: { parentMinUw: n.parent.powerMinUw, weight: n.weight, shareUw: share, minUw: n.powerMinUw },
        });
      }
    }
    if (!n.device && n.children.length > 0 && n.powerLimitUw > 0) {
      const sum = n.children.reduce((a, c) => a + effectiveLimit(c), 0);
      if (sum > n.powerLimitUw) {
        out.push({
          code: 'limits-above-parent', path: n.path,
          message: `${n.path}: its children's limits sum to ${sum} µW, above its own limit ${n.powerLimitUw} µW`,
          values: { limitUw: n.powerLimitUw, childrenSumUw: sum },
        });
      }
    }
  }
  return out;
}

/** A virtual node with no limit (0 after boot) is bounded by its max. */
function effectiveLimit(n: DtpmNode): number {
  return !n.device && n.powerLimitUw === 0 ? n.powerMaxUw : n.powerLimitUw;
}
