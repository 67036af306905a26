import * as fs from 'node:fs';
import type { CommandContext } from '../../context.js';
import { invalidData, notFound, PowercapError, usageError } from '../../../core/errors.js';
import { parsePowerUw } from '../../../core/units.js';
import { checkActors, dtpmSplitActors, ipaDivvy, type Actor } from '../../../core/em/budget.js';
import { capTree } from '../../../core/em/cap.js';
import { addChild, computeBounds, computeWeights, newNode, type DtpmNode } from '../../../core/dtpm/hierarchy.js';
import { namedValues, renderTable, watts } from './common.js';

const power = (v: string, what: string) => {
  try {
    return Number(parsePowerUw(v));
  } catch (err) {
    throw usageError(`${what}: ${err instanceof PowercapError ? err.message : String(err)}`, 'powers take a unit: 1.5W, 800mW');
  }
};

/** `name:request:max[:weight]`, the name may itself hold colons (dtpm:0:0:1). */
export function parseActor(text: string): Actor {
  const parts = text.split(':');
  let weight = 1024;
  if (parts.length >= 4 && /^[0-9]+$/.test(parts[parts.length - 1]!)) weight = Number(parts.pop());
  if (parts.length < 3) throw usageError(`actor '${text}' is not name:requested:max[:weight]`, 'e.g. --actor gpu:1.2W:2.5W or --actor cpu4:800mW:2.26W:512');
  const maxUw = power(parts.pop()!, `actor '${text}', maximum`);
  const requestUw = power(parts.pop()!, `actor '${text}', request`);
  const name = parts.join(':');
  if (name === '') throw usageError(`actor '${text}' has no name`);
  return { name, requestUw, maxUw, weight };
}

/** A DTPM tree from a description file: nested {name, children} or a flat list with parent names. */
interface DescNode { name?: unknown; parent?: unknown; children?: unknown; powerMaxUw?: unknown; powerMinUw?: unknown; requestUw?: unknown; weight?: unknown; power_max?: unknown }

function readTreeFile(file: string): { root: DtpmNode; requests: Map<DtpmNode, number>; weights: Map<DtpmNode, number> } {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as { code?: string }).code) throw notFound(`cannot read ${file}: ${(err as { code: string }).code}`);
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const requests = new Map<DtpmNode, number>();
  const weights = new Map<DtpmNode, number>();
  const num = (v: unknown, where: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    if (typeof v === 'string') {
      try { return Number(parsePowerUw(v)); } catch (err) { throw invalidData(`${file}: ${where}: ${(err as Error).message}`); }
    }
    throw invalidData(`${file}: ${where} is not a power (µW integer or a string with a unit)`);
  };
  const make = (d: DescNode, where: string): DtpmNode => {
    if (!d || typeof d !== 'object' || typeof d.name !== 'string' || d.name === '') throw invalidData(`${file}: ${where}: a node needs a name`);
    const kids = Array.isArray(d.children) ? d.children : [];
    const n = newNode(d.name, kids.length ? 'virtual' : 'other');
    if (!kids.length) {
      const max = num(d.powerMaxUw ?? d.power_max, `${d.name}.powerMaxUw`);
      if (max === null || max <= 0) throw invalidData(`${file}: leaf ${d.name} has no powerMaxUw`, 'every leaf needs its maximum power');
      n.powerMaxUw = max;
      n.powerMinUw = num(d.powerMinUw, `${d.name}.powerMinUw`) ?? 0;
      n.powerLimitUw = max;
      const r = num(d.requestUw, `${d.name}.requestUw`);
      if (r !== null) requests.set(n, r);
      if (typeof d.weight === 'number') weights.set(n, d.weight);
    }
    kids.forEach((c, i) => addChild(n, make(c as DescNode, `${where}.children[${i}]`)));
    return n;
  };
  let rootDesc: unknown = doc;
  const o = doc as Record<string, unknown>;
  if (o && typeof o === 'object' && !Array.isArray(o) && Array.isArray(o.nodes)) {
    // flat: [{name, parent, …}] → nested
    const list = o.nodes as DescNode[];
    const byName = new Map<string, DescNode & { children: DescNode[] }>();
    for (const x of list) byName.set(String(x.name), { ...x, children: [] });
    const roots: DescNode[] = [];
    for (const x of byName.values()) {
      if (x.parent === null || x.parent === undefined) { roots.push(x); continue; }
      const p = byName.get(String(x.parent));
      if (!p) throw invalidData(`${file}: node ${String(x.name)} has an unknown parent '${String(x.parent)}'`);
      p.children.push(x);
    }
    if (roots.length !== 1) throw invalidData(`${file}: ${roots.length} roots: a DTPM tree has one`);
    rootDesc = roots[0];
  } else if (o && typeof o === 'object' && o.root) rootDesc = o.root;
  const root = make(rootDesc as DescNode, 'root');
  computeBounds(root);
  computeWeights(root);
  return { root, requests, weights };
}

function leavesOf(n: DtpmNode, out: DtpmNode[] = []): DtpmNode[] {
  if (n.children.length === 0) out.push(n);
  else for (const c of n.children) leavesOf(c, out);
  return out;
}

export async function run(ctx: CommandContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  if (typeof opts.budget !== 'string') throw usageError('--budget is required', 'e.g. --budget 3W');
  const budgetUw = power(opts.budget, '--budget');
  const actorArgs = (opts.actor as string[] | undefined) ?? [];
  const reqArgs = namedValues(opts.request, '--request');
  const weightArgs = namedValues(opts.weight, '--weight');
  let actors: Actor[];
  let dtpm: Array<{ limitUw: number; appliedUw: number; frequencyCapKhz: number | null }>;
  let scope: string;

  if (actorArgs.length > 0) {
    if (opts.zone !== undefined || opts.tree !== undefined || reqArgs.size || weightArgs.size) {
      throw usageError('--actor gives the actors: not with --zone, --tree, --request or --weight');
    }
    actors = actorArgs.map(parseActor);
    checkActors(actors);
    const split = dtpmSplitActors(actors, budgetUw);
    const byNode = new Map(split.steps.map((s) => [s.node, s]));
    dtpm = split.root.children.map((c) => ({ limitUw: byNode.get(c)!.requestedUw, appliedUw: byNode.get(c)!.appliedUw, frequencyCapKhz: null }));
    scope = `${actors.length} actors`;
  } else {
    let root: DtpmNode;
    let requests = new Map<DtpmNode, number>();
    let weights = new Map<DtpmNode, number>();
    if (opts.tree !== undefined) {
      ({ root, requests, weights } = readTreeFile(opts.tree as string));
      if (opts.zone !== undefined) {
        const found: DtpmNode[] = [];
        const visit = (n: DtpmNode) => { if (n.name === opts.zone) found.push(n); n.children.forEach(visit); };
        visit(root);
        if (!found[0]) throw notFound(`no node '${String(opts.zone)}' in ${String(opts.tree)}`);
        root = found[0];
      }
      scope = `${root.name} of ${String(opts.tree)}`;
    } else {
      const [{ readPowercapTree }, { resolveZone }, { buildDtpmForest }, { readEnergyModel }] = await Promise.all([
        import('../../../core/zones/model.js'), import('../../../core/zones/select.js'), import('../../../core/dtpm/fromTree.js'), import('../../../core/em/debugfs.js'),
      ]);
      const src = ctx.source();
      const tree = readPowercapTree(src.powercap);
      const forest = buildDtpmForest(tree, src.registry, src.energyModel ? readEnergyModel(src.energyModel) : []);
      if (opts.zone !== undefined) {
        const z = resolveZone(tree, opts.zone as string);
        const n = forest.byZone.get(z.id);
        if (!n) throw notFound(`${z.id} is not a DTPM zone`, 'model budget divides among the leaves of a DTPM node');
        root = n;
      } else {
        if (forest.roots.length === 0) throw notFound('no DTPM tree in this source', 'give --actor name:req:max, or --tree FILE');
        if (forest.roots.length > 1) throw usageError(`${forest.roots.length} DTPM trees: choose one with --zone`, forest.roots.map((r) => r.name).join(', '));
        root = forest.roots[0]!;
      }
      for (const leaf of leavesOf(root)) {
        const reading = forest.zoneOf.get(leaf)?.powerUw;
        if (reading !== null && reading !== undefined) requests.set(leaf, Number(reading));
      }
      scope = `${root.zoneId ?? ''} ${root.name}`.trim();
    }
    const leaves = leavesOf(root);
    const names = new Set(leaves.map((l) => l.name));
    for (const k of [...reqArgs.keys(), ...weightArgs.keys()]) {
      if (!names.has(k)) throw notFound(`no leaf '${k}' under ${root.name}`, `leaves: ${[...names].slice(0, 12).join(', ')}${names.size > 12 ? ', …' : ''}`);
    }
    actors = leaves.map((l) => {
      const given = reqArgs.get(l.name);
      const requestUw = given !== undefined ? power(given, `--request ${l.name}`) : requests.get(l);
      if (requestUw === undefined) throw usageError(`no request for leaf ${l.name}`, `give --request ${l.name}=POWER (its power_uw could not be read)`);
      const w = weightArgs.get(l.name);
      if (w !== undefined && !/^[0-9]+$/.test(w)) throw usageError(`--weight ${l.name}=${w}: a weight is a whole number (1024 = 1)`);
      return { name: l.name, requestUw, maxUw: l.powerMaxUw, minUw: l.powerMinUw, weight: w !== undefined ? Number(w) : weights.get(l) ?? 1024 };
    });
    checkActors(actors);
    const cap = capTree(root, budgetUw);
    dtpm = cap.leaves.map((l) => ({ limitUw: l.limitUw, appliedUw: l.appliedUw, frequencyCapKhz: l.frequencyCapKhz }));
  }

  const ipa = ipaDivvy(actors, budgetUw);
  const rows = actors.map((a, i) => ({
    name: a.name, requestUw: a.requestUw, maxUw: a.maxUw, minUw: a.minUw ?? 0, weight: a.weight,
    ipa: { weightedUw: ipa[i]!.weightedUw, grantedUw: ipa[i]!.grantedUw, capped: ipa[i]!.capped, extraUw: ipa[i]!.extraUw },
    dtpm: dtpm[i]!,
    shortfallUw: { ipa: Math.max(0, a.requestUw - ipa[i]!.grantedUw), dtpm: Math.max(0, a.requestUw - dtpm[i]!.appliedUw) },
  }));
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0);
  const totals = { requestUw: sum((r) => r.requestUw), ipaUw: sum((r) => r.ipa.grantedUw), dtpmUw: sum((r) => r.dtpm.appliedUw) };
  if (ctx.globals.json) {
    ctx.io.json({ budgetUw, scope, actors: rows, totals });
    return;
  }
  const mark = (short: number) => (short > 0 ? `  −${watts(short)}` : '');
  const table = await renderTable(ctx, [
    { head: 'ACTOR' }, { head: 'REQUEST', right: true }, { head: 'MAX', right: true }, { head: 'WEIGHT', right: true },
    { head: 'IPA GRANT', right: true }, { head: 'DTPM', right: true }, { head: 'STARVED BY' },
  ], rows.map((r) => [
    r.name, watts(r.requestUw), watts(r.maxUw), String(r.weight),
    watts(r.ipa.grantedUw) + mark(r.shortfallUw.ipa), watts(r.dtpm.appliedUw) + mark(r.shortfallUw.dtpm),
    [r.shortfallUw.ipa > 0 ? 'IPA' : '', r.shortfallUw.dtpm > 0 ? 'DTPM' : ''].filter(Boolean).join(', ') || '–',
  ]), rows.map((r) => (r.shortfallUw.ipa > 0 || r.shortfallUw.dtpm > 0 ? 'warn' : null)));
  ctx.io.out(`budget ${watts(budgetUw)} over ${scope}: requests ${watts(totals.requestUw)}; IPA grants ${watts(totals.ipaUw)}, DTPM applies ${watts(totals.dtpmUw)}\n${table}\n` +
    'IPA follows demand (kernel.md §5); DTPM splits by power_max whatever is asked (§3), leaves landing on an OPP at or below their share');
}
