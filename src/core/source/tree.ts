/**
 * An in-memory attribute tree, the form a snapshot stores: directories hold
 * attributes (raw text, or the errno reading gave) and subdirectories. Reading
 * it gives exactly what reading the live tree gave, errors included.
 */
import { SysfsError } from '../errors.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';

/** An attribute: its raw text, or an object recording an errno on read and/or write. */
export type AttrValue = string | { text?: string; errno?: string; writeErrno?: string };

export interface DirNode {
  attrs?: Record<string, AttrValue>;
  dirs?: Record<string, DirNode>;
}

export type WriteHandler = (tree: TreeSource, rel: string, text: string) => void;

export class TreeSource implements Source {
  constructor(
    readonly rootNode: DirNode,
    readonly info: SourceInfo,
    private readonly writeHandler?: WriteHandler,
  ) {}

  /** the directory node at rel, or null */
  dir(rel: string): DirNode | null {
    let node: DirNode | undefined = this.rootNode;
    if (rel === '') return node;
    for (const part of rel.split('/')) {
      node = ownValue(node?.dirs, part);
      if (!node) return null;
    }
    return node;
  }

  private split(rel: string): [DirNode | null, string] {
    const i = rel.lastIndexOf('/');
    return i < 0 ? [this.rootNode, rel] : [this.dir(rel.slice(0, i)), rel.slice(i + 1)];
  }

  list(rel: string): DirEntry[] | null {
    const node = this.dir(rel);
    if (!node) return null;
    const out: DirEntry[] = [];
    for (const name of Object.keys(node.attrs ?? {})) out.push({ name, kind: 'file' });
    for (const name of Object.keys(node.dirs ?? {})) out.push({ name, kind: 'dir' });
    return out;
  }

  isDir(rel: string): boolean {
    return this.dir(rel) !== null;
  }

  /** the stored attribute value itself (for the emulator), or undefined */
  attr(rel: string): AttrValue | undefined {
    const [node, name] = this.split(rel);
    return ownValue(node?.attrs, name);
  }

  read(rel: string): ReadResult {
    const v = this.attr(rel);
    if (v === undefined) return { ok: false, errno: this.dir(rel) ? 'EISDIR' : 'ENOENT' };
    if (typeof v === 'string') return { ok: true, text: v };
    if (v.errno) return { ok: false, errno: v.errno };
    return { ok: true, text: v.text ?? '' };
  }

  /** store new text for an existing attribute, keeping any recorded write errno */
  setText(rel: string, text: string): void {
    const [node, name] = this.split(rel);
    if (!node?.attrs || !Object.hasOwn(node.attrs, name)) throw new SysfsError('ENOENT', rel);
    const old = node.attrs[name]!;
    node.attrs[name] = typeof old === 'object' && old.writeErrno ? { text, writeErrno: old.writeErrno } : text;
  }

  write(rel: string, text: string): void {
    if (this.attr(rel) === undefined) throw new SysfsError(this.dir(rel) ? 'EISDIR' : 'ENOENT', rel);
    if (!this.writeHandler) throw new SysfsError('EROFS', rel);
    this.writeHandler(this, rel, text);
  }
}

/** o[key] when it is o's own property: `constructor` or `__proto__` in a snapshot are names, not Object's */
function ownValue<T>(o: Record<string, T> | undefined, key: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}
