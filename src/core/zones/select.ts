/**
 * Finding zones the way people name them: by id (`intel-rapl:0`), by name when
 * unique (`package-0`), by `type/name` (`intel-rapl-mmio/package-0`), or by glob.
 */
import { notFound, usageError } from '../errors.js';
import type { PowercapTree, Zone } from './powercap-tree.js';
import { globToRegExp, isGlob } from '../glob.js';

const qualified = (z: Zone) => `${z.controlType}/${z.name ?? ''}`;

/** Does one zone match one pattern (id, name, type/name, or a glob of any of these)? */
export function zoneMatches(zone: Zone, pattern: string): boolean {
  if (isGlob(pattern)) {
    const re = globToRegExp(pattern);
    return re.test(zone.id) || (zone.name !== null && (re.test(zone.name) || re.test(qualified(zone))));
  }
  return zone.id === pattern || zone.name === pattern || qualified(zone) === pattern;
}

/**
 * The zones matching any of the patterns (all when none), optionally of one control type,
 * in tree order. A pattern that matches nothing is an error (exit 3): a typo must not
 * silently print an empty table.
 */
export function selectZones(tree: PowercapTree, patterns: string[], type?: string): Zone[] {
  if (type !== undefined && !tree.controlTypes.some((c) => c.name === type)) {
    throw notFound(`no control type '${type}'`, `control types here: ${tree.controlTypes.map((c) => c.name).join(', ') || 'none'}`);
  }
  const pool = type === undefined ? tree.zones : tree.zones.filter((z) => z.controlType === type);
  if (patterns.length === 0) return pool;
  for (const p of patterns) {
    if (!pool.some((z) => zoneMatches(z, p))) throw unknownZone(tree, p);
  }
  return pool.filter((z) => patterns.some((p) => zoneMatches(z, p)));
}

/** The edit distance of two names (Levenshtein, a transposition counting one): `pakage-0` is 1 from `package-0`. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // three rows: the one before last (transpositions), the last, the current
  let before = new Array<number>(n + 1).fill(0);
  let last = Array.from({ length: n + 1 }, (_v, j) => j);
  for (let i = 1; i <= m; i++) {
    const row = new Array<number>(n + 1);
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(last[j]! + 1, row[j - 1]! + 1, last[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
    }
    before = last;
    last = row;
  }
  return last[n]!;
}

/**
 * The zones whose id, name or type/name is closest to `ref` (a typo of one): within a third of
 * its length (at least 1, at most 3 edits), closest first, then in tree order; at most `max`.
 */
export function closestZones(tree: PowercapTree, ref: string, max = 4): Zone[] {
  const within = Math.min(3, Math.max(1, Math.floor(ref.length / 3)));
  const scored: Array<{ z: Zone; d: number; i: number }> = [];
  tree.zones.forEach((z, i) => {
    const names = [z.id, ...(z.name === null ? [] : [z.name, qualified(z)])];
    const d = Math.min(...names.map((n) => editDistance(ref.toLowerCase(), n.toLowerCase())));
    if (d <= within) scored.push({ z, d, i });
  });
  return scored.sort((a, b) => a.d - b.d || a.i - b.i).slice(0, max).map((s) => s.z);
}

/** No zone by that name: the closest names as the hint (the CLI words the way out when there are none). */
function unknownZone(tree: PowercapTree, ref: string) {
  const near = closestZones(tree, ref).map(describeZone);
  return notFound(`no zone '${ref}'`, near.length ? `did you mean: ${near.join(', ')}` : undefined, 'zone-unknown');
}

export const describeZone = (z: Zone) => (z.name ? `${z.id} (${z.name})` : z.id);

/** Exactly one zone for a reference; ambiguous names are refused (exit 2) listing the candidates. */
export function resolveZone(tree: PowercapTree, ref: string): Zone {
  const byId = tree.byId.get(ref);
  if (byId) return byId;
  const slash = ref.indexOf('/');
  let matches: Zone[];
  if (slash > 0) {
    const type = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    matches = tree.zones.filter((z) => z.controlType === type && z.name === name);
  } else {
    matches = tree.zones.filter((z) => z.name === ref);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw usageError(
      `zone name '${ref}' is ambiguous: ${matches.map(describeZone).join(', ')}`,
      `name one by id, or as type/name (${matches.map((z) => `${z.controlType}/${z.name}`).filter((v, i, a) => a.indexOf(v) === i).join(', ')})`,
    );
  }
  throw unknownZone(tree, ref);
}
