/**
 * Reading a profile: the limits a machine should hold (docs/profiles.md,
 * schema/profile.schema.json). YAML or JSON (JSON is YAML), parsed by the `yaml`
 * package, loaded only when a profile is read. Every problem is reported as
 * `FILE:LINE: KEY: what is wrong`, before anything is read from the tree or
 * written to it.
 */
import { PowercapError, Exit, invalidData } from '../errors.js';
import { parseDurationUs, parsePowerSpec, type PowerSpec } from '../units.js';
import { readUserFile } from '../files.js';
import { fileLineError, parseLinedYaml, type YNode } from '../yaml-doc.js';
import { POWER_SOURCES, type PowerSourceKind } from '../power-source.js';
import { LOOP_COMMANDS, readLoopSection, type LoopCommand, type LoopSection } from './section.js';

export const PROFILE_VERSION = 1;

/** One `limits:` entry as written. */
export interface ProfileItem {
  /** position in `limits` (0-based) */
  index: number;
  zone: string;
  constraint?: string;
  /** as written (`25W`, `28s`), and parsed */
  power?: string;
  timeWindow?: string;
  powerSpec?: PowerSpec;
  timeWindowUs?: bigint;
  enabled?: boolean;
  /** the item holds on this power source only (absent: always) */
  when?: PowerSourceKind;
  /** 1-based line of the item, and of each key in it */
  line: number;
  lines: Partial<Record<ItemKey, number>>;
}

export type ItemKey = 'zone' | 'constraint' | 'power' | 'timeWindow' | 'enabled' | 'when';
const ITEM_KEYS: readonly ItemKey[] = ['zone', 'constraint', 'power', 'timeWindow', 'enabled', 'when'];
const TOP_KEYS = ['$schema', 'version', 'description', 'limits', ...LOOP_COMMANDS];

export interface Profile {
  file: string;
  description: string | null;
  items: ProfileItem[];
  /** the `balance:` or `govern:` section, run by persist's service (at most one: both would write the same limits) */
  loop: LoopSection | null;
}

/** `profile.yaml:4: limits[0].power: …`: the one line that names file, line and key. */
export const profileError = fileLineError;

/** An error from elsewhere (units, zone lookup), re-said at a place in the profile; the exit code is kept. */
export function atItem(err: unknown, file: string, item: ProfileItem, key: ItemKey): PowercapError {
  if (!(err instanceof PowercapError)) throw err;
  const e = profileError(err.exitCode, file, item.lines[key] ?? item.line, `limits[${item.index}].${key}`, err.message, err.hint);
  return err.reason ? new PowercapError(e.exitCode, e.message, e.hint, { reason: err.reason }) : e;
}

export function readProfileText(file: string): string {
  return readUserFile(file, { what: 'profile', hint: 'write one with `powercapctl profile save FILE`, or see docs/profiles.md' });
}

/** Parse and check a profile's text. Throws exit 6 (syntax, structure) or 2 (a bad value). */
export async function parseProfile(text: string, file: string): Promise<Profile> {
  const { Y, doc, lineOf } = await parseLinedYaml(text, file);
  const root = doc.contents;
  const bad = (node: YNode | null | undefined, key: string | null, msg: string, code: PowercapError['exitCode'] = Exit.INVALID_DATA, hint?: string) =>
    profileError(code, file, lineOf(node) ?? 1, key, msg, hint);
  if (!Y.isMap(root)) throw bad(root as YNode, null, 'a profile is a mapping with `version: 1` and `limits:`', Exit.INVALID_DATA, 'see docs/profiles.md');

  let version: unknown;
  let description: string | null = null;
  let limitsNode: unknown = undefined;
  let limitsLine: number | null = null;
  let loop: LoopSection | null = null;
  for (const pair of root.items) {
    const key = Y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!TOP_KEYS.includes(key)) {
      throw bad(pair.key as YNode, key, `unknown key (a profile has ${TOP_KEYS.slice(1).join(', ')})`);
    }
    if (key === 'version') version = Y.isScalar(pair.value) ? pair.value.value : undefined;
    if (key === 'description') {
      if (!Y.isScalar(pair.value) || typeof pair.value.value !== 'string') throw bad(pair.value as YNode, key, 'expected a string');
      description = pair.value.value;
    }
    if (key === 'limits') { limitsNode = pair.value; limitsLine = lineOf(pair.key as YNode); }
    if ((LOOP_COMMANDS as readonly string[]).includes(key)) {
      // two loops on the same limits would undo each other's writes, each releasing the zones the other moved
      if (loop) throw bad(pair.key as YNode, key, `a profile has one ${LOOP_COMMANDS.join(' or ')} section: ${loop.command}: is at line ${loop.line}`);
      loop = readLoopSection(Y, file, key as LoopCommand, pair.key, pair.value, lineOf);
    }
  }
  if (version === undefined) throw profileError(Exit.INVALID_DATA, file, 1, 'version', 'missing: a profile starts with `version: 1`');
  if (version !== PROFILE_VERSION) {
    throw bad(root.items.find((p) => Y.isScalar(p.key) && p.key.value === 'version')!.value as YNode, 'version',
      `unsupported version ${JSON.stringify(version)}: this powercapctl reads version ${PROFILE_VERSION}`);
  }
  // a profile that only keeps a budget (balance:, govern:) sets no limit of its own
  if (limitsNode === undefined && !loop) throw profileError(Exit.INVALID_DATA, file, 1, 'limits', 'missing: a profile lists its limits under `limits:`');
  if (limitsNode === undefined || limitsNode === null || (Y.isScalar(limitsNode) && limitsNode.value === null)) {
    return { file, description, items: [], loop };
  }
  if (!Y.isSeq(limitsNode)) throw profileError(Exit.INVALID_DATA, file, limitsLine, 'limits', 'expected a list of limits (`- zone: …`)');

  const items: ProfileItem[] = [];
  limitsNode.items.forEach((node, index) => {
    const k = (key: string) => `limits[${index}]${key ? '.' + key : ''}`;
    if (!Y.isMap(node)) throw bad(node as YNode, k(''), 'expected a mapping with zone, and power, timeWindow or enabled');
    const item: ProfileItem = { index, zone: '', line: lineOf(node as YNode) ?? 1, lines: {} };
    for (const pair of node.items) {
      const key = Y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!(ITEM_KEYS as readonly string[]).includes(key)) {
        throw bad(pair.key as YNode, k(key), `unknown key (an item has ${ITEM_KEYS.join(', ')})`);
      }
      const ik = key as ItemKey;
      item.lines[ik] = lineOf(pair.key as YNode) ?? item.line;
      const v = Y.isScalar(pair.value) ? pair.value.value : pair.value;
      const at = (msg: string, code: PowercapError['exitCode'] = Exit.INVALID_DATA, hint?: string) => profileError(code, file, item.lines[ik]!, k(key), msg, hint);
      switch (ik) {
        case 'zone':
          if (typeof v !== 'string' || v.trim() === '') throw at('expected a zone id, name or type/name (a string)');
          item.zone = v.trim();
          break;
        case 'constraint':
          if (typeof v === 'number' && Number.isInteger(v) && v >= 0) item.constraint = String(v);
          else if (typeof v === 'string' && v.trim() !== '') item.constraint = v.trim();
          else throw at('expected a constraint name (long_term) or number');
          break;
        case 'power':
        case 'timeWindow': {
          // a bare number is a value without a unit: the unit parser says so, with the units it takes
          if (typeof v !== 'string' && typeof v !== 'number') throw at(`expected ${ik === 'power' ? 'a power such as 25W' : 'a duration such as 28s'}`);
          const s = String(v);
          try {
            if (ik === 'power') item.powerSpec = parsePowerSpec(s);
            else item.timeWindowUs = parseDurationUs(s);
          } catch (err) {
            if (err instanceof PowercapError) throw at(err.message, Exit.USAGE, err.hint);
            throw err;
          }
          item[ik] = s.trim();
          break;
        }
        case 'enabled':
          if (typeof v !== 'boolean') throw at('expected true or false');
          item.enabled = v;
          break;
        case 'when':
          // a value the file gives wrong, as a bad power is: a usage error at its line
          if (typeof v !== 'string' || !(POWER_SOURCES as readonly string[]).includes(v.trim())) {
            const got = typeof v === 'string' ? `, not ${JSON.stringify(v)}` : '';
            throw at(`expected ${POWER_SOURCES.join(' or ')} (the power source the item holds on)${got}`, Exit.USAGE);
          }
          item.when = v.trim() as PowerSourceKind;
          break;
      }
    }
    if (item.zone === '') throw profileError(Exit.INVALID_DATA, file, item.line, k('zone'), 'missing: every item names its zone');
    if (item.power === undefined && item.timeWindow === undefined && item.enabled === undefined) {
      throw profileError(Exit.INVALID_DATA, file, item.line, k(''), `nothing to set on ${item.zone}: give power, timeWindow or enabled`);
    }
    items.push(item);
  });
  return { file, description, items, loop };
}

export async function loadProfile(file: string): Promise<Profile> {
  const text = readProfileText(file);
  if (text.trim() === '') throw invalidData(`${file}:1: empty profile: it needs \`version: 1\` and \`limits:\``);
  return parseProfile(text, file);
}
