import * as fs from 'node:fs';
import type { CommandContext } from '../../context.js';
import { invalidData, notFound, PowercapError, usageError } from '../../../core/errors.js';
import { checkActors, dtpmSplitActors, flatAdd, flatRebalance, flatSplit, ipaDivvy, newFlatTree, type Actor, type FlatTree } from '../../../core/em/budget.js';
import type { DtpmNode } from '../../../core/dtpm/hierarchy.js';
import { namedValues, renderTable } from './common.js';
import { formatPowerFine as watts, parsePowerUw } from '../../../core/units.js';

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

/**
 * A DTPM tree from a description file: nested `{name, powerMaxUw, powerMinUw, requestUw, weight,
 * children}` (or `{ "root": … }`), or `{ "nodes": [{name, parent, …}] }`. Powers are µW integers or
 * strings with a unit. Read straight into the flat layout of core/em/budget.ts.
 */
interface DescNode { name?: unknown; parent?: unknown; children?: unknown; powerMaxUw?: unknown; powerMinUw?: unknown; requestUw?: unknown; weight?: unknown }

interface TreeFile { tree: FlatTree; requests: Map<number, number>; weights: Map<number, number> }

function readTreeFile(file: string): TreeFile {
  let doc: unknown;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw notFound(`cannot read ${file}: ${(err as { code?: string }).code ?? 'error'}`, 'a JSON description: {"name": "soc", "children": [{"name": "cpu0", "powerMaxUw": 716848, "requestUw": 300000}]}');
  }
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const num = (v: unknown, where: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'string') {
      try { return Number(parsePowerUw(v)); } catch (err) { throw invalidData(`${file}: ${where}: ${(err as Error).message}`); }
    }
    throw invalidData(`${file}: ${where} is not a power (µW integer or a string with a unit)`);
  };
  let rootDesc: unknown = doc;
  const o = doc as Record<string, unknown>;
  if (o && typeof o === 'object' && !Array.isArray(o) && Array.isArray(o.nodes)) {
    // flat: [{name, parent, …}] → nested
    const byName = new Map<string, DescNode & { children: DescNode[] }>();
    for (const x of o.nodes as DescNode[]) {
      if (byName.has(String(x.name))) throw invalidData(`${file}: node ${String(x.name)} is given twice`);
      byName.set(String(x.name), { ...x, children: [] });
    }
    const roots: DescNode[] = [];
    for (const x of byName.values()) {
      if (x.parent === null || x.parent === undefined) { roots.push(x); continue; }
      const p = byName.get(String(x.parent));
      if (!p) throw invalidData(`${file}: node ${String(x.name)} has an unknown parent '${String(x.parent)}'`);
      p.children.push(x);
    }
    if (roots.length !== 1) throw invalidData(`${file}: ${roots.length} roots: a DTPM tree has one`);
    rootDesc = roots[0];
  } else if (o && typeof o === 'object' && !Array.isArray(o) && o.root) rootDesc = o.root;
  // count first so the arrays are allocated once
  let count = 0;
  const countNodes = (d: DescNode) => { count++; if (Array.isArray(d?.children)) for (const c of d.children) countNodes(c as DescNode); };
  countNodes(rootDesc as DescNode);
  const tree = newFlatTree(count);
  const requests = new Map<number, number>();
  const weights = new Map<number, number>();
  // where a node sits, for messages only (built when an error is thrown)
  const pathOf = (parent: number, name: unknown) => {
    const parts = [String(name)];
    for (let p = parent; p >= 0; p = tree.parent[p]!) parts.unshift(tree.names[p]!);
    return parts.join('/');
  };
  const add = (d: DescNode, parent: number) => {
    if (!d || typeof d !== 'object' || typeof d.name !== 'string' || d.name === '') throw invalidData(`${file}: ${pathOf(parent, '?')}: a node needs a name`);
    const kids = Array.isArray(d.children) ? (d.children as DescNode[]) : [];
    let max = 0;
    let min = 0;
    if (kids.length === 0) {
      const m = num(d.powerMaxUw, `${d.name}.powerMaxUw`);
      if (m === null || m <= 0) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)} has no powerMaxUw`, 'every leaf needs its maximum power');
      max = m;
      min = num(d.powerMinUw, `${d.name}.powerMinUw`) ?? 0;
      if (min > max) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)}: powerMinUw ${min} is above powerMaxUw ${max}`);
    }
    const i = flatAdd(tree, d.name, parent, max, min);
    if (kids.length === 0) {
      const r = num(d.requestUw, `${d.name}.requestUw`);
      if (r !== null) requests.set(i, r);
      if (d.weight !== undefined) {
        if (typeof d.weight !== 'number' || !Number.isInteger(d.weight) || d.weight < 0) throw invalidData(`${file}: ${d.name}.weight is not a whole number ≥ 0`);
        weights.set(i, d.weight);
      }
    }
    for (let k = 0; k < kids.length; k++) add(kids[k]!, i);
  };
  add(rootDesc as DescNode, -1);
  flatRebalance(tree);
  return { tree, requests, weights };
}

interface BudgetRow {
  name: string; requestUw: number; maxUw: number; minUw: number; weight: number;
  ipa: { weightedUw: number; grantedUw: number; capped: boolean; extraUw: number };
  dtpm: { limitUw: number; appliedUw: number; frequencyCapKhz: number | null };
  shortfallUw: { ipa: number; dtpm: number };
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

  const checkNamed = (names: Set<string>, under: string) => {
    for (const k of [...reqArgs.keys(), ...weightArgs.keys()]) {
      if (!names.has(k)) throw notFound(`no leaf '${k}' under ${under}`, `leaves: ${[...names].slice(0, 12).join(', ')}${names.size > 12 ? ', …' : ''}`);
    }
  };
  const actorFor = (name: string, maxUw: number, minUw: number, fallbackRequest: number | undefined, fallbackWeight: number | undefined): Actor => {
    const given = reqArgs.get(name);
    const requestUw = given !== undefined ? power(given, `--request ${name}`) : fallbackRequest;
    if (requestUw === undefined) throw usageError(`no request for leaf ${name}`, `give --request ${name}=POWER (its power_uw could not be read)`);
    const w = weightArgs.get(name);
    if (w !== undefined && !/^[0-9]+$/.test(w)) throw usageError(`--weight ${name}=${w}: a weight is a whole number (1024 = 1)`);
    return { name, requestUw, maxUw, minUw, weight: w !== undefined ? Number(w) : fallbackWeight ?? 1024 };
  };

  if (actorArgs.length > 0) {
    if (opts.zone !== undefined || opts.tree !== undefined || reqArgs.size || weightArgs.size) {
      throw usageError('--actor gives the actors: not with --zone, --tree, --request or --weight');
    }
    actors = actorArgs.map(parseActor);
    checkActors(actors);
    dtpm = dtpmSplitActors(actors, budgetUw).map((x) => ({ ...x, frequencyCapKhz: null }));
    scope = `${actors.length} actors`;
  } else if (opts.tree !== undefined) {
    const file = opts.tree as string;
    if (ctx.globals.snapshot !== undefined) throw usageError('--tree and --snapshot are two trees: give one');
    const { tree, requests, weights } = readTreeFile(file);
    let at = 0;
    if (opts.zone !== undefined) {
      at = tree.names.indexOf(opts.zone as string);
      if (at < 0) throw notFound(`no node '${String(opts.zone)}' in ${file}`);
    }
    // the leaves under `at`, in preorder
    const leaves: number[] = [];
    const stack = [at];
    while (stack.length) {
      const i = stack.pop()!;
      const kids = tree.children[i]!;
      if (kids.length === 0) leaves.push(i);
      else for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
    }
    checkNamed(new Set(leaves.map((i) => tree.names[i]!)), tree.names[at]!);
    actors = leaves.map((i) => actorFor(tree.names[i]!, tree.maxUw[i]!, tree.minUw[i]!, requests.get(i), weights.get(i)));
    checkActors(actors);
    const split = flatSplit(tree, at, budgetUw);
    if (split.belowMin.length) ctx.io.warn(`${split.belowMin.length} node(s) got a share below their minimum and were given the minimum, first ${tree.names[split.belowMin[0]!]}`);
    dtpm = leaves.map((i) => ({ limitUw: split.requestedUw[i]!, appliedUw: split.appliedUw[i]!, frequencyCapKhz: null }));
    scope = `${tree.names[at]} of ${file}`;
  } else {
    const [{ readPowercapTree }, { resolveZone }, { buildDtpmForest }, { readEnergyModel }, { capTree }] = await Promise.all([
      import('../../../core/zones/model.js'), import('../../../core/zones/select.js'), import('../../../core/dtpm/fromTree.js'),
      import('../../../core/em/debugfs.js'), import('../../../core/em/cap.js'),
    ]);
    const src = ctx.source();
    const tree = readPowercapTree(src.powercap);
    const forest = buildDtpmForest(tree, src.registry, (ctx.energyModel() ? readEnergyModel(ctx.energyModel()!) : []));
    let root: DtpmNode;
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
    // the leaves apply OPPs from their energy-model tables: the DtpmNode split of core/dtpm, on a copy
    const cap = capTree(root, budgetUw);
    checkNamed(new Set(cap.leaves.map((l) => l.name)), root.name);
    const byName = new Map<string, DtpmNode>();
    const visit = (n: DtpmNode) => { if (n.children.length === 0) byName.set(n.name, n); n.children.forEach(visit); };
    visit(root);
    actors = cap.leaves.map((l) => {
      const node = byName.get(l.name)!;
      const reading = forest.zoneOf.get(node)?.powerUw;
      return actorFor(l.name, node.powerMaxUw, node.powerMinUw, reading === null || reading === undefined ? undefined : Number(reading), undefined);
    });
    checkActors(actors);
    for (const l of cap.leaves) if (l.warning) ctx.io.warn(l.warning);
    dtpm = cap.leaves.map((l) => ({ limitUw: l.limitUw, appliedUw: l.appliedUw, frequencyCapKhz: l.frequencyCapKhz }));
    scope = `${root.zoneId ?? ''} ${root.name}`.trim();
  }

  const ipa = ipaDivvy(actors, budgetUw);
  const shortIpa = (i: number) => Math.max(0, actors[i]!.requestUw - ipa[i]!.grantedUw);
  const shortDtpm = (i: number) => Math.max(0, actors[i]!.requestUw - dtpm[i]!.appliedUw);
  let tReq = 0;
  let tIpa = 0;
  let tDtpm = 0;
  for (let i = 0; i < actors.length; i++) { tReq += actors[i]!.requestUw; tIpa += ipa[i]!.grantedUw; tDtpm += dtpm[i]!.appliedUw; }
  const totals = { requestUw: tReq, ipaUw: tIpa, dtpmUw: tDtpm };
  const rows = new Array<BudgetRow>(actors.length);
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i]!;
    const g = ipa[i]!;
    rows[i] = {
      name: a.name, requestUw: a.requestUw, maxUw: a.maxUw, minUw: a.minUw ?? 0, weight: a.weight,
      ipa: { weightedUw: g.weightedUw, grantedUw: g.grantedUw, capped: g.capped, extraUw: g.extraUw },
      dtpm: dtpm[i]!,
      shortfallUw: { ipa: shortIpa(i), dtpm: shortDtpm(i) },
    };
  }
  if (ctx.globals.json) {
    // one actor per line (native JSON.stringify on uniform objects: the fastest way out for 10 000 of them)
    const body = JSON.stringify(rows).slice(1, -1).replace(/\},\{"name"/g, '},\n    {"name"');
    ctx.io.out(`{\n  "budgetUw": ${budgetUw},\n  "scope": ${JSON.stringify(scope)},\n  "actors": [\n    ${body}\n  ],\n  "totals": ${JSON.stringify(totals)}\n}`);
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
