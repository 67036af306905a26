/**
 * The power source a profile is applied for (`when: ac`, `when: battery`): what
 * --power-source says; else, when the profile has items with `when`, the machine's, read
 * from the power supply class (--power-supply-root, core/power-source.ts); else none, and
 * every item holds. A snapshot records no power supply: AC, said once. A folder that cannot
 * be read, or a supply attribute, is said once on stderr (Io.warn prints a warning once).
 */
import type { CommandContext } from './context.js';
import type { Profile } from '../core/profile/parse.js';
import { DEFAULT_POWER_SUPPLY_ROOT, powerSourceAt, type PowerSourceKind, type PowerSourceReading } from '../core/power-source.js';

export interface PowerSourceFact {
  kind: PowerSourceKind;
  /** `option`: --power-source; `power-supply`: read from the folder; `snapshot`: a snapshot records none, AC planned */
  from: 'option' | 'power-supply' | 'snapshot';
  /** the folder read (`power-supply`) */
  root: string | null;
  reading: PowerSourceReading | null;
}

const errnoText = (errno: string) => (errno === 'invalid' ? 'not an integer' : `cannot be read (${errno})`);

/** The power source for `profile`, or null when it has no item with `when` and none was given. */
export function powerSourceFor(ctx: CommandContext, profile: Profile, given: PowerSourceKind | undefined): PowerSourceFact | null {
  if (given !== undefined) return { kind: given, from: 'option', root: null, reading: null };
  if (!profile.items.some((i) => i.when !== undefined)) return null;
  if (ctx.globals.snapshot !== undefined) {
    ctx.io.warn('a snapshot records no power supply: the items for AC are applied (--power-source battery applies those for battery)');
    return { kind: 'ac', from: 'snapshot', root: null, reading: null };
  }
  const root = ctx.globals.powerSupplyRoot ?? DEFAULT_POWER_SUPPLY_ROOT;
  const reading = powerSourceAt(root);
  if (reading.folderErrno !== null) {
    const why = reading.folderErrno === 'ENOENT' ? 'not found' : `cannot be read (${reading.folderErrno})`;
    ctx.io.warn(`${root}: ${why}: AC assumed for the items with when: (--power-source battery says otherwise)`);
  }
  for (const u of reading.unreadable) ctx.io.warn(`${root}/${u.path} ${errnoText(u.errno)}: left out when telling AC from battery`);
  return { kind: reading.kind, from: 'power-supply', root, reading };
}

/** `battery (BAT0)`, `AC (ADP1 online)`, `AC (--power-source)`: the source and what said so. */
export function powerSourceText(p: PowerSourceFact): string {
  const kind = p.kind === 'ac' ? 'AC' : 'battery';
  if (p.from === 'option') return `${kind} (--power-source)`;
  if (p.from === 'snapshot') return `${kind} (assumed: a snapshot)`;
  const r = p.reading!;
  const why = r.by === 'ac-online' ? `${r.supply} online` : r.by === 'battery' ? `${r.supply}, no AC online` : r.by === 'no-supply' ? 'no battery' : 'assumed';
  return `${kind} (${why})`;
}

/** The JSON of the fact: `{ kind, from, root, by, supply }`. */
export function powerSourceJson(p: PowerSourceFact | null) {
  if (p === null) return null;
  return { kind: p.kind, from: p.from, root: p.root, by: p.reading?.by ?? null, supply: p.reading?.supply ?? null };
}
