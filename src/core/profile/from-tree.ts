/**
 * The current limits as a profile (`profile save`, `persist install` without a
 * file). Each zone is named the way that finds exactly it again: its name when
 * unique, type/name when the name is shared (the MSR and MMIO copies of one
 * package keep their own values), else its id. Values are written exactly, in
 * the largest unit that holds them without a fraction.
 *
 * Left out, each for a reason: limits that read 0 (RAPL subzones whose limit is
 * not set: writing 0 would set one), DTPM virtual nodes reading 0 (not limited
 * since boot; writing 0 clamps every leaf to its minimum), time windows that
 * cannot be read (DTPM, peak_power), DTPM `enabled` (always 1), and anything
 * unreadable.
 */
import { constraintLabel } from '../limits/index.js';
import type { PowercapTree, Zone } from '../zones/powercap-tree.js';
import { PROFILE_VERSION, type Profile } from './parse.js';
import { toJson } from '../json.js';
import { formatDurationInput, formatPowerInput } from '../units.js';
import type { PowerSourceKind } from '../power-source.js';
import { LOOP_COMMANDS, type LoopSection } from './section.js';

export interface SavedLimit {
  zone: string;
  constraint?: string;
  power?: string;
  timeWindow?: string;
  enabled?: boolean;
  when?: PowerSourceKind;
}

/** A balance: or govern: section as written: each key's text, list of texts, or mapping (zone → text). */
export type SavedSection = Record<string, string | string[] | Record<string, string>>;

export interface SavedProfile {
  version: number;
  description?: string;
  limits: SavedLimit[];
  /** a profile's loop, kept as written when a file is merged (profile save writes none of its own) */
  balance?: SavedSection;
  govern?: SavedSection;
}

/** A section as its texts, for writing it back. */
export function savedSection(s: LoopSection): SavedSection {
  const out: SavedSection = {};
  for (const e of s.entries) {
    const v = e.value;
    out[e.key] = v.kind === 'scalar' ? v.text : v.kind === 'list' ? v.items.map((i) => i.text) : Object.fromEntries(v.entries.map((m) => [m.name, m.text]));
  }
  return out;
}

function zoneRef(tree: PowercapTree, z: Zone): string {
  if (z.name === null) return z.id;
  const same = tree.zones.filter((o) => o.name === z.name);
  if (same.length === 1) return z.name;
  const typed = same.filter((o) => o.controlType === z.controlType);
  return typed.length === 1 ? `${z.controlType}/${z.name}` : z.id;
}

/** The current limits as a profile; with `when`, every item holds on that power source only. */
export function profileFromTree(tree: PowercapTree, description?: string, when?: PowerSourceKind): SavedProfile {
  const limits: SavedLimit[] = [];
  for (const z of tree.zones) {
    if (z.constraints.length === 0) continue;
    const ref = zoneRef(tree, z);
    const dtpm = z.controlType === 'dtpm';
    const defaultC = z.constraints.find((c) => c.name === 'long_term') ?? (z.constraints.length === 1 ? z.constraints[0] : undefined);
    let first = true;
    for (const c of z.constraints) {
      const limitFile = `constraint_${c.index}_power_limit_uw`;
      const windowFile = `constraint_${c.index}_time_window_us`;
      if (c.powerLimitUw === null || c.powerLimitUw === 0n || z.unreadable[limitFile]) continue;
      const item: SavedLimit = { zone: ref };
      if (c !== defaultC) item.constraint = c.name ?? String(c.index);
      else if (c.name) item.constraint = constraintLabel(c);
      item.power = formatPowerInput(c.powerLimitUw);
      if (!dtpm && c.timeWindowUs !== null && !z.unreadable[windowFile]) item.timeWindow = formatDurationInput(c.timeWindowUs);
      if (first && !dtpm && z.enabled !== null && z.files.has('enabled') && !z.unreadable.enabled) item.enabled = z.enabled;
      if (when !== undefined) item.when = when;
      first = false;
      limits.push(item);
    }
  }
  return { version: PROFILE_VERSION, ...(description ? { description } : {}), limits };
}

/**
 * A profile for one power source merged into an existing one: the existing items for `when`
 * are replaced by `saved`'s; its items for the other power source stay; an item without
 * `when`, which held on both, now holds on the other one (its place on `when` is taken by the
 * saved limits), so the other power source keeps what it had. The description is the new
 * one's, else the existing one's. Values are kept as written.
 */
export function mergeForPowerSource(existing: Profile, saved: SavedProfile, when: PowerSourceKind): { profile: SavedProfile; replaced: number; kept: number } {
  const other: PowerSourceKind = when === 'ac' ? 'battery' : 'ac';
  const kept: SavedLimit[] = [];
  for (const i of existing.items) {
    if (i.when === when) continue;
    const l: SavedLimit = { zone: i.zone };
    if (i.constraint !== undefined) l.constraint = i.constraint;
    if (i.power !== undefined) l.power = i.power;
    if (i.timeWindow !== undefined) l.timeWindow = i.timeWindow;
    if (i.enabled !== undefined) l.enabled = i.enabled;
    l.when = other;
    kept.push(l);
  }
  const description = saved.description ?? existing.description ?? undefined;
  // the other power source's items first when it is AC, so that a file reads AC, then battery
  const limits = when === 'battery' ? [...kept, ...saved.limits] : [...saved.limits, ...kept];
  // the balance: or govern: section holds on both power sources: kept as it is
  const loop = existing.loop ? { [existing.loop.command]: savedSection(existing.loop) } : {};
  return { profile: { version: saved.version, ...(description ? { description } : {}), limits, ...loop }, replaced: existing.items.length - kept.length, kept: kept.length };
}

const plain = (s: string) => (/^[A-Za-z0-9_.\/@-][A-Za-z0-9_.\/@:-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/^[0-9]/.test(s) ? s : JSON.stringify(s));

/** YAML text of a saved profile, with a header saying where it came from. */
export function profileToYaml(p: SavedProfile, header: string[]): string {
  const out = header.map((h) => `# ${h}`);
  out.push(`version: ${p.version}`);
  if (p.description) out.push(`description: ${JSON.stringify(p.description)}`);
  if (p.limits.length === 0) out.push('limits: []');
  else out.push('limits:');
  for (const l of p.limits) {
    const lines: string[] = [`zone: ${plain(l.zone)}`];
    if (l.constraint !== undefined) lines.push(`constraint: ${plain(l.constraint)}`);
    if (l.power !== undefined) lines.push(`power: ${l.power}`);
    if (l.timeWindow !== undefined) lines.push(`timeWindow: ${l.timeWindow}`);
    if (l.enabled !== undefined) lines.push(`enabled: ${l.enabled}`);
    if (l.when !== undefined) lines.push(`when: ${l.when}`);
    out.push(...lines.map((ln, i) => (i === 0 ? `  - ${ln}` : `    ${ln}`)));
  }
  for (const command of LOOP_COMMANDS) {
    const section = p[command];
    if (section === undefined) continue;
    out.push(`${command}:`);
    for (const [key, v] of Object.entries(section)) {
      if (typeof v === 'string') out.push(`  ${key}: ${plain(v)}`);
      else if (Array.isArray(v)) out.push(`  ${key}:`, ...v.map((t) => `    - ${plain(t)}`));
      else out.push(`  ${key}:`, ...Object.entries(v).map(([name, t]) => `    ${plain(name)}: ${plain(t)}`));
    }
  }
  return out.join('\n') + '\n';
}

/** The text of a profile file: JSON when the name ends in .json, else YAML with a header. */
export function profileText(file: string, p: SavedProfile, header: string[]): string {
  return /\.json$/i.test(file) ? toJson(p) + '\n' : profileToYaml(p, header);
}
