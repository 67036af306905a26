/**
 * Budget trees: a DTPM tree with powers per node, for `model budget`, read through the
 * same ordering as every description (node-order.ts orderByParent).
 */
import { invalidData } from '../errors.js';
import { addChild, newNode, rebalance, type DtpmNode } from '../kernel/dtpm.js';
import { parsePowerUw } from '../units.js';
import { MAX_HIERARCHY_DEPTH, orderByParent } from './node-order.js';

/**
 * A DTPM tree with powers, for the budget trees of `model budget`: nested `{name, powerMaxUw, powerMinUw,
 * requestUw, weight, children}` (or `{ "root": … }`), or `{ "nodes": [{name, parent, …}] }` read
 * through orderByParent() like every description. Powers are µW integers or strings with a unit.
 * Leaves are devices without a table (kind 'other') with the bounds given; inner nodes are virtual.
 */
export interface BudgetTree {
  root: DtpmNode;
  /** every node, parents first */
  nodes: DtpmNode[];
  requests: Map<DtpmNode, number>;
  weights: Map<DtpmNode, number>;
}

interface BudgetDesc { name?: unknown; parent?: unknown; children?: unknown; powerMaxUw?: unknown; powerMinUw?: unknown; requestUw?: unknown; weight?: unknown }

export function parseBudgetTree(text: string, file: string): BudgetTree {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  // `name` and `key` are joined only for a message: 10 000 leaves should not build 30 000 strings
  const num = (v: unknown, name: string, key: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'string') {
      try { return Number(parsePowerUw(v)); } catch (err) { throw invalidData(`${file}: ${name}.${key}: ${(err as Error).message}`); }
    }
    throw invalidData(`${file}: ${name}.${key} is not a power (µW integer or a string with a unit)`);
  };
  const nodes: DtpmNode[] = [];
  const requests = new Map<DtpmNode, number>();
  const weights = new Map<DtpmNode, number>();
  const pathOf = (parent: DtpmNode | null, name: unknown) => {
    const parts = [String(name)];
    for (let p = parent; p; p = p.parent) parts.unshift(p.name);
    return parts.join('/');
  };
  const add = (d: BudgetDesc, parent: DtpmNode | null, leaf: boolean): DtpmNode => {
    if (!d || typeof d !== 'object' || typeof d.name !== 'string' || d.name === '') throw invalidData(`${file}: ${pathOf(parent, '?')}: a node needs a name`);
    const n = newNode(d.name, leaf ? 'other' : 'virtual');
    if (leaf) {
      const m = num(d.powerMaxUw, d.name, 'powerMaxUw');
      if (m === null || m <= 0) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)} has no powerMaxUw`, 'every leaf needs its maximum power');
      const min = num(d.powerMinUw, d.name, 'powerMinUw') ?? 0;
      if (min > m) throw invalidData(`${file}: leaf ${pathOf(parent, d.name)}: powerMinUw ${min} is above powerMaxUw ${m}`);
      n.powerMaxUw = m;
      n.powerMinUw = min;
      n.powerLimitUw = m;
      const r = num(d.requestUw, d.name, 'requestUw');
      if (r !== null) requests.set(n, r);
      if (d.weight !== undefined) {
        if (typeof d.weight !== 'number' || !Number.isInteger(d.weight) || d.weight < 0) throw invalidData(`${file}: ${d.name}.weight is not a whole number ≥ 0`);
        weights.set(n, d.weight);
      }
    }
    if (parent) addChild(parent, n);
    nodes.push(n);
    return n;
  };
  const o = doc as Record<string, unknown> | null;
  let root: DtpmNode;
  if (o && typeof o === 'object' && !Array.isArray(o) && Array.isArray(o.nodes)) {
    const raw = (o.nodes as BudgetDesc[]).map((x) => ({
      id: String(x?.name), parent: x?.parent === null || x?.parent === undefined ? null : String(x.parent), desc: x,
    }));
    const ordered = orderByParent(raw, file);
    const roots = ordered.filter((x) => x.parent === null).length;
    if (roots !== 1) throw invalidData(`${file}: ${roots} roots: a DTPM tree has one`);
    const hasKids = new Set(ordered.map((x) => x.parent));
    ordered.forEach(({ item, parent }, i) => add(item.desc, parent === null ? null : nodes[parent]!, !hasKids.has(i)));
    root = nodes[0]!;
  } else {
    const top = (o && typeof o === 'object' && !Array.isArray(o) && o.root ? o.root : doc) as BudgetDesc;
    const visit = (d: BudgetDesc, parent: DtpmNode | null, depth: number): DtpmNode => {
      if (depth > MAX_HIERARCHY_DEPTH) throw invalidData(`${file}: ${pathOf(parent, '…').split('/').slice(0, 3).join('/')}/…: deeper than ${MAX_HIERARCHY_DEPTH} levels`, 'see docs/security.md for the limits');
      const kids = Array.isArray(d?.children) ? (d.children as BudgetDesc[]) : [];
      const n = add(d, parent, kids.length === 0);
      for (let k = 0; k < kids.length; k++) visit(kids[k]!, n, depth + 1);
      return n;
    };
    root = visit(top, null, 1);
  }
  rebalance(root);
  return { root, nodes, requests, weights };
}
