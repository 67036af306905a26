/**
 * The device tree as parsed: nodes with labels, properties and children (dtc's node and
 * property model), and paths through it.
 */

export type Cell = bigint | null;

export type DtValue =
  | { kind: 'string'; value: string }
  | { kind: 'cells'; bits: number; cells: Cell[]; refs: string[] }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'ref'; ref: string };

export interface DtNode {
  name: string;
  labels: string[];
  props: Map<string, DtValue[]>;
  children: DtNode[];
  parent: DtNode | null;
}

export const newDtNode = (name: string, parent: DtNode | null): DtNode => ({ name, labels: [], props: new Map(), children: [], parent });

/** `/cpus/cpu@0` */
export function nodePath(n: DtNode): string {
  const parts: string[] = [];
  for (let x: DtNode | null = n; x && x.parent; x = x.parent) parts.unshift(x.name);
  return '/' + parts.join('/');
}

/** The node at a path (a component may leave out its unit address: `cpu` for `cpu@0`). */
export function findPath(root: DtNode, p: string): DtNode | undefined {
  let n: DtNode | undefined = root;
  for (const part of p.split('/').filter(Boolean)) {
    n = n?.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    if (!n) return undefined;
  }
  return n;
}
