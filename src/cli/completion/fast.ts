/**
 * The hidden fast path the completion scripts call for dynamic values:
 *
 *   powercapctl __complete <kind> [--root DIR | --snapshot FILE | --em-root DIR]… [--] [context…]
 *
 * prints one candidate per line. main.ts loads this module before (and instead
 * of) commander, so it must stay light: it imports the zone discovery, the two
 * sources and nothing else (no commander, no chalk, no schema check), and reads
 * only what a candidate needs (a zone's `name` file, a constraint's name).
 * Completing never prints an error: any failure means no candidates, exit 0.
 *
 * Kinds: zone (ids and names; a name two zones share is offered as type/name),
 * constraint (names of the zone named in the context, else of every zone),
 * dtpm-node (DTPM node paths, names joined by '/'), device (the DTPM registry),
 * domain (energy-model performance domains).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { discover, controlTypeOf } from '../../core/zones/powercap-tree.js';
import { isRaplType } from '../../core/kernel/rapl.js';
import { LiveSource } from '../../core/source/live.js';
import { TreeSource, type DirNode } from '../../core/source/tree.js';
import { joinRel, type Source } from '../../core/source/types.js';

const DEFAULT_ROOT = '/sys/class/powercap';
const DEFAULT_EM_ROOT = '/sys/kernel/debug/energy_model';

export interface CompleteRequest {
  kind: string;
  root?: string | undefined;
  snapshot?: string | undefined;
  emRoot?: string | undefined;
  context: string[];
}

/** A word as typed on the line: surrounding quotes dropped, a leading ~ expanded. */
export function unquote(word: string): string {
  let w = word;
  if (w.length >= 2 && (w[0] === "'" || w[0] === '"') && w.at(-1) === w[0]) w = w.slice(1, -1);
  else w = w.replace(/\\(.)/g, '$1');
  if (w === '~' || w.startsWith('~/')) w = os.homedir() + w.slice(1);
  return w;
}

/** `__complete` arguments → request; env fills in a source the line does not name (flag over env, as resolveGlobals). */
export function parseCompleteArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CompleteRequest {
  const req: CompleteRequest = { kind: argv[0] ?? '', context: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      req.context.push(...argv.slice(i + 1).map(unquote));
      break;
    }
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) break;
    if (flag === '--root') req.root = unquote(value);
    else if (flag === '--snapshot') req.snapshot = unquote(value);
    else if (flag === '--em-root') req.emRoot = unquote(value);
  }
  const str = (v: string | undefined) => (v ? v : undefined);
  if (req.root === undefined && req.snapshot === undefined) {
    req.snapshot = str(env.POWERCAPCTL_SNAPSHOT);
    if (req.snapshot === undefined) req.root = str(env.POWERCAPCTL_ROOT);
  }
  req.emRoot ??= str(env.POWERCAPCTL_EM_ROOT);
  return req;
}

interface Opened {
  powercap: Source;
  energyModel: Source | null;
  registry: string[] | null;
}

function open(req: CompleteRequest): Opened {
  if (req.snapshot !== undefined) {
    // no schema check here: a candidate list from a slightly odd file is harmless, and the check costs time
    const doc = JSON.parse(fs.readFileSync(req.snapshot, 'utf8')) as {
      powercap?: DirNode;
      energyModel?: DirNode | null;
      dtpm?: { registry?: Array<{ name?: unknown }> };
    };
    const info = { kind: 'snapshot' as const, file: req.snapshot };
    const registry = Array.isArray(doc.dtpm?.registry)
      ? doc.dtpm.registry.map((r) => r?.name).filter((n): n is string => typeof n === 'string')
      : null;
    return {
      powercap: new TreeSource(doc.powercap ?? {}, info),
      energyModel: doc.energyModel ? new TreeSource(doc.energyModel, info) : null,
      registry: registry && registry.length ? registry : null,
    };
  }
  return {
    powercap: new LiveSource(req.root ?? DEFAULT_ROOT),
    energyModel: new LiveSource(req.emRoot ?? DEFAULT_EM_ROOT),
    registry: null,
  };
}

interface Found {
  id: string;
  path: string;
  files: Set<string>;
}

function zonesOf(source: Source): Found[] {
  const { zones } = discover(source);
  const out: Found[] = [];
  for (const [id, f] of zones) {
    out.push({ id, path: f.path, files: new Set(f.entries.filter((e) => e.kind === 'file').map((e) => e.name)) });
  }
  return out;
}

function readAttr(source: Source, dir: string, file: string, files: Set<string>): string | null {
  if (!files.has(file)) return null;
  const r = source.read(joinRel(dir, file));
  return r.ok ? r.text.replace(/\n$/, '') : null;
}

const nameOf = (source: Source, z: Found) => readAttr(source, z.path, 'name', z.files);

/**
 * Zone ids, then names that resolve to one zone: a unique name; a shared name as type/name
 * where that is unique (what resolveZone accepts); and a package's bare name where it means
 * exactly its MSR and MMIO copies (core/limits/effective.ts, which set-limit sets as one).
 * `intel-rapl/dram` on a two-socket Xeon names two zones and is not offered.
 */
export function zoneCandidates(source: Source): string[] {
  const zones = zonesOf(source);
  const names = new Map<string, string[]>();
  for (const z of zones) {
    const n = nameOf(source, z);
    if (n) names.set(n, [...(names.get(n) ?? []), z.id]);
  }
  const isTop = (id: string) => /^[^:]+:[0-9a-f]+$/.test(id);
  const out = zones.map((z) => z.id);
  for (const [name, ids] of names) {
    if (ids.length === 1) {
      out.push(name);
      continue;
    }
    const types = ids.map(controlTypeOf);
    if (ids.length === 2 && ids.every(isTop) && types.every(isRaplType) && types[0] !== types[1]) out.push(name);
    for (const t of new Set(types)) if (types.filter((x) => x === t).length === 1) out.push(`${t}/${name}`);
  }
  return out;
}

function constraintNames(source: Source, z: Found): string[] {
  const out: string[] = [];
  const indexes = [...z.files]
    .map((f) => /^constraint_([0-9]+)_power_limit_uw$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  for (const n of indexes) out.push(readAttr(source, z.path, `constraint_${n}_name`, z.files) ?? n);
  return out;
}

/** Constraint names of the first zone the context names (a ZONE=POWER pair counts), else of every zone. */
export function constraintCandidates(source: Source, context: string[]): string[] {
  const zones = zonesOf(source);
  const byRef = (ref: string): Found | undefined => {
    const id = zones.find((z) => z.id === ref);
    if (id) return id;
    const slash = ref.indexOf('/');
    const [type, name] = slash > 0 ? [ref.slice(0, slash), ref.slice(slash + 1)] : [null, ref];
    const named = zones.filter((z) => (type === null || controlTypeOf(z.id) === type) && nameOf(source, z) === name);
    return named.length ? named[0] : undefined;
  };
  for (const word of context) {
    const z = byRef(word.includes('=') ? word.slice(0, word.indexOf('=')) : word);
    if (z) return constraintNames(source, z);
  }
  return [...new Set(zones.flatMap((z) => constraintNames(source, z)))];
}

/** DTPM nodes as paths of names from the top: `rk3399/package/cpu0-cpufreq`. */
export function dtpmNodeCandidates(source: Source): string[] {
  const zones = zonesOf(source).filter((z) => controlTypeOf(z.id) === 'dtpm');
  const byId = new Map(zones.map((z) => [z.id, z]));
  const pathOf = new Map<string, string>();
  const resolve = (z: Found): string => {
    const known = pathOf.get(z.id);
    if (known !== undefined) return known;
    const parentId = z.id.slice(0, z.id.lastIndexOf(':'));
    const parent = byId.get(parentId);
    const own = nameOf(source, z) ?? z.id;
    const p = parent ? `${resolve(parent)}/${own}` : own;
    pathOf.set(z.id, p);
    return p;
  };
  return zones.map(resolve);
}

/** Energy-model performance domains: the directories of the debugfs layout. */
export function domainCandidates(em: Source | null): string[] {
  return (em?.list('') ?? []).filter((e) => e.kind === 'dir' || e.kind === 'link').map((e) => e.name);
}

/** Registry devices; on a live tree (no registry) the names the energy model implies: cpu<N>-cpufreq, device names. */
export function deviceCandidates(opened: Opened): string[] {
  if (opened.registry) return opened.registry;
  const em = opened.energyModel;
  return domainCandidates(em).map((d) => (/^cpu[0-9]+$/.test(d) && em?.list(d)?.some((e) => e.name === 'cpus') ? `${d}-cpufreq` : d));
}

export function candidates(req: CompleteRequest): string[] {
  const opened = open(req);
  switch (req.kind) {
    case 'zone':
      return zoneCandidates(opened.powercap);
    case 'constraint':
      return constraintCandidates(opened.powercap, req.context);
    case 'dtpm-node':
      return dtpmNodeCandidates(opened.powercap);
    case 'device':
      return deviceCandidates(opened);
    case 'domain':
      return domainCandidates(opened.energyModel);
    default:
      return [];
  }
}

/** Entry from main.ts: print the candidates, never an error. */
export function runComplete(argv: string[]): void {
  let out: string[] = [];
  try {
    out = candidates(parseCompleteArgs(argv));
  } catch {
    out = [];
  }
  // one candidate per line, `candidate<TAB>description` for fish: a name holding a control
  // character (newline, tab, ESC) cannot be offered faithfully, so it is not offered at all
  const unique = [...new Set(out.filter((c) => c !== '' && !/[\x00-\x1f\x7f]/.test(c)))];
  if (unique.length) {
    process.stdout.on('error', () => {}); // the shell went away: nothing to say
    process.stdout.write(unique.join('\n') + '\n');
  }
  process.exitCode = 0;
}
