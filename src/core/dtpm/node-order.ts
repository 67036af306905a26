/**
 * The one ordering every description reader goes through (description-json.ts,
 * kernel-table-parser.ts, budget-tree.ts): nodes parents first, siblings in file order, every
 * name checked as create-node checks its argument.
 */
import { invalidData, type PowercapError } from '../errors.js';
import { validateNodeName } from './hierarchy.js';
import type { DescNode, Description } from './description.js';

/**
 * The deepest DTPM hierarchy a description, a budget tree or a snapshot's DTPM registry may
 * describe (real ones are 3 to 5 levels: SoC, package, cluster, device). Deeper is refused
 * (exit 6) instead of overflowing the stack of the recursive kernel rules (docs/security.md).
 */
export const MAX_HIERARCHY_DEPTH = 64;

/**
 * Order nodes parents first (siblings in file order), refusing duplicate ids, unknown parents,
 * cycles and hierarchies deeper than MAX_HIERARCHY_DEPTH (exit 6). Linear and iterative: 100 000
 * nodes take milliseconds. Every description reader (`dtpm import`, `model budget`) goes
 * through here.
 */
export function orderByParent<T extends { id: string; parent: string | null }>(raw: readonly T[], file: string): Array<{ item: T; parent: number | null }> {
  const byId = new Map<string, number>();
  raw.forEach((n, i) => {
    if (byId.has(n.id)) throw invalidData(`${file}: two nodes with id '${n.id}'`);
    byId.set(n.id, i);
  });
  const kids = new Map<string | null, number[]>();
  for (let i = 0; i < raw.length; i++) {
    const n = raw[i]!;
    if (n.parent !== null && !byId.has(n.parent)) throw invalidData(`${file}: node '${n.id}' has an unknown parent '${n.parent}'`);
    const list = kids.get(n.parent);
    if (list) list.push(i);
    else kids.set(n.parent, [i]);
  }
  // depth first from the roots, siblings in file order, with an explicit stack
  const out: Array<{ item: T; parent: number | null }> = [];
  const stack: Array<{ i: number; parent: number | null; depth: number }> = [];
  const pushKids = (list: number[] | undefined, parent: number | null, depth: number) => {
    if (list) for (let k = list.length - 1; k >= 0; k--) stack.push({ i: list[k]!, parent, depth });
  };
  pushKids(kids.get(null), null, 1);
  while (stack.length) {
    const { i, parent, depth } = stack.pop()!;
    if (depth > MAX_HIERARCHY_DEPTH) throw invalidData(`${file}: node '${raw[i]!.id}' is deeper than ${MAX_HIERARCHY_DEPTH} levels`, 'see docs/security.md for the limits');
    const at = out.length;
    out.push({ item: raw[i]!, parent });
    pushKids(kids.get(raw[i]!.id), at, depth + 1);
  }
  if (out.length < raw.length) {
    // a node no root reaches sits on a cycle, or under one: following its parents comes back
    const reached = new Set(out.map((o) => o.item));
    const n = raw.find((x) => !reached.has(x))!;
    const seen = new Set<string>();
    let cur: string | null = n.id;
    while (cur !== null && !seen.has(cur)) {
      seen.add(cur);
      cur = raw[byId.get(cur)!]!.parent;
    }
    throw invalidData(`${file}: the parents of '${n.id}' form a cycle (${[...seen].join(' → ')} → ${cur})`);
  }
  return out;
}

/**
 * A node name from a file, checked as create-node checks its argument (one path component, no
 * '..', no control characters): a description naming `../x` must not make `dtpm import
 * --configfs DIR` create outside DIR. Bad data in a file: exit 6.
 */
export function checkNodeNameIn(name: string, file: string): void {
  try {
    validateNodeName(name);
  } catch (err) {
    throw invalidData(`${file}: ${(err as Error).message}`, (err as PowercapError).hint);
  }
}

/** orderByParent() for `dtpm import`: the description's nodes, every name checked. */
export function orderNodes(raw: Array<{ id: string; name: string; type: DescNode['type']; parent: string | null }>, file: string): Description {
  for (const n of raw) checkNodeNameIn(n.name, file);
  return { nodes: orderByParent(raw, file).map(({ item, parent }) => ({ name: item.name, type: item.type, parent })) };
}
