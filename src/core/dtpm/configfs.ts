/**
 * The configfs interface of the seed patch (never merged): the
 * hierarchy is a tree of directories under a root (`/sys/kernel/config/dtpm`),
 * `mkdir soc/cluster0/cpu0-cpufreq` creates a node (a registered name becomes the
 * device, any other a virtual node), `rmdir` removes one. Attribute files the
 * kernel may put in those directories are ignored; only subdirectories are nodes.
 * Children are read in name order (configfs lists in creation order, which a
 * plain directory does not keep).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoOf, exitForErrno, failed, notFound, PowercapError, Exit } from '../errors.js';
import type { RegistryEntry } from './device.js';
import type { PerfDomain } from '../em/debugfs.js';
import type { DtpmNode } from '../kernel/dtpm.js';
import { buildHierarchy, subtree, validateNodeName, type Hierarchy, type NodeSpec } from './hierarchy.js';

/** The node specs of a configfs-style directory (parents before children). */
export function readConfigfs(dir: string): NodeSpec[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw notFound(`configfs directory not found: ${dir}`, 'mount configfs (mount -t configfs none /sys/kernel/config) or give an existing directory');
  }
  if (!st.isDirectory()) throw notFound(`${dir} is not a directory`);
  const specs: NodeSpec[] = [];
  const visit = (abs: string, parent: number | null, depth: number) => {
    if (depth > 64) throw new PowercapError(Exit.INVALID_DATA, `${abs}: deeper than 64 levels (a loop?)`);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      throw ioError('read', abs, err);
    }
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      specs.push({ name: e.name, parent });
      visit(path.join(abs, e.name), specs.length - 1, depth + 1);
    }
  };
  visit(dir, null, 0);
  return specs;
}

/**
 * DIR + a node path, refusing what would leave DIR or pass through a symbolic link: each
 * component is one plain name (validateNodeName: no '..', no '/', no control characters) and
 * each parent on the way is a real directory (lstat), so a write never lands outside DIR.
 */
export function nodePathIn(dir: string, rel: string): string {
  const parts = rel.split('/');
  for (const p of parts) validateNodeName(p);
  let abs = dir;
  for (let i = 0; i < parts.length - 1; i++) {
    abs = path.join(abs, parts[i]!);
    let st: fs.Stats | null = null;
    try { st = fs.lstatSync(abs); } catch { /* missing: mkdir says ENOENT */ }
    if (st && !st.isDirectory()) {
      throw new PowercapError(Exit.REFUSED, `${abs} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}: refused to create nodes through it`, 'links inside the configfs directory are never followed');
    }
  }
  return path.join(abs, parts[parts.length - 1]!);
}

/** mkdir each path in order; on a failure, remove what this call made and throw. */
export function mkdirNodes(dir: string, relPaths: string[]): void {
  const made: string[] = [];
  for (const rel of relPaths) {
    let abs = rel;
    try {
      abs = nodePathIn(dir, rel);
      fs.mkdirSync(abs);
      made.push(abs);
    } catch (err) {
      for (const m of made.reverse()) try { fs.rmdirSync(m); } catch { /* best effort */ }
      if (err instanceof PowercapError) throw err;
      throw ioError('mkdir', abs, err);
    }
  }
}

/** rmdir each path in order (children before parents). */
export function rmdirNodes(dir: string, relPaths: string[]): void {
  for (const rel of relPaths) {
    const abs = nodePathIn(dir, rel);
    try {
      fs.rmdirSync(abs);
    } catch (err) {
      throw ioError('rmdir', abs, err);
    }
  }
}

function ioError(op: string, abs: string, err: unknown): PowercapError {
  const e = errnoOf(err);
  if (e === 'ENOTEMPTY') return failed(`${op} ${abs}: directory not empty (files in it are not nodes)`, 'remove the files, or on configfs remove child nodes first');
  const code = exitForErrno(e);
  return new PowercapError(code, `${op} ${abs}: ${e}`, code === Exit.PERMISSION ? 'configfs needs root: run with sudo' : undefined);
}

// ------------------------------------------------------------------ dry runs

/** The hierarchy a configfs dry run would give. */
export function simulateCreate(h: Hierarchy, planned: Array<{ name: string; path: string }>, target: { registry: RegistryEntry[]; domains: PerfDomain[] }): Hierarchy {
  const specs: NodeSpec[] = h.nodes.map((n) => ({ name: n.name, parent: n.parent ? h.nodes.indexOf(n.parent) : null, zoneId: n.zoneId, limitUw: n.powerLimitUw, powerUw: n.powerUw }));
  const byPath = new Map(h.nodes.map((n, i) => [n.path, i]));
  for (const p of planned) {
    const pp = p.path.includes('/') ? p.path.slice(0, p.path.lastIndexOf('/')) : null;
    specs.push({ name: p.name, parent: pp === null ? null : byPath.get(pp)! });
    byPath.set(p.path, specs.length - 1);
  }
  return buildHierarchy(order(specs), target.registry, target.domains);
}

/** Specs sorted parents first (stable), for appended children. */
function order(specs: NodeSpec[]): NodeSpec[] {
  const kids = new Map<number | null, number[]>();
  specs.forEach((s, i) => kids.set(s.parent, [...(kids.get(s.parent) ?? []), i]));
  const out: NodeSpec[] = [];
  const newIndex = new Map<number, number>();
  const visit = (p: number | null) => {
    for (const i of kids.get(p) ?? []) {
      const s = specs[i]!;
      newIndex.set(i, out.length);
      out.push({ ...s, parent: s.parent === null ? null : newIndex.get(s.parent)! });
      visit(i);
    }
  };
  visit(null);
  return out;
}

export function simulateDelete(h: Hierarchy, gone: DtpmNode, target: { registry: RegistryEntry[]; domains: PerfDomain[] }): Hierarchy {
  const drop = new Set(subtree(gone));
  const kept = h.nodes.filter((n) => !drop.has(n));
  const specs = kept.map((n): NodeSpec => ({ name: n.name, parent: n.parent ? kept.indexOf(n.parent) : null, zoneId: n.zoneId, limitUw: n.powerLimitUw, powerUw: n.powerUw }));
  return buildHierarchy(specs, target.registry, target.domains);
}
