/**
 * Finding zones the way people name them: by id (`intel-rapl:0`), by name when
 * unique (`package-0`), by `type/name` (`intel-rapl-mmio/package-0`), or by glob.
 */
import { notFound, usageError } from '../errors.js';
import type { PowercapTree, Zone } from './model.js';
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

function unknownZone(tree: PowercapTree, ref: string) {
  const near = tree.zones
    .filter((z) => z.id.startsWith(ref.slice(0, 4)) || (z.name ?? '').startsWith(ref.slice(0, 3)))
    .slice(0, 6)
    .map(describeZone);
  return notFound(
    `no zone '${ref}'`,
    near.length ? `did you mean: ${near.join(', ')}` : 'see the zones with: powercapctl list',
  );
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
