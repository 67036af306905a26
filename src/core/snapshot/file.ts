/**
 * Snapshot files: one versioned JSON document holding the powercap tree (every
 * attribute's raw text or errno), the energy model (debugfs layout), the DTPM
 * registry and optional recordings. Loaded, checked against the shipped JSON
 * Schema, written back atomically: this module only reads, validates and writes
 * files. A writing command on a snapshot goes through the emulated kernel
 * (core/source/emulated.ts) exactly as it would go through sysfs.
 */
import { readUserFile } from '../files.js';
import { toJson } from '../json.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root.js';
import { PowercapError, Exit, invalidData } from '../errors.js';
import { assertWritableFile, lockFile, writeFileAtomic } from '../atomic.js';
import { TreeSource, type DirNode } from '../source/tree.js';
import { validate, type Schema } from './validate.js';

export const SNAPSHOT_FORMAT = 'powercapctl-snapshot';
export const SNAPSHOT_VERSION = 1;

import type { RegistryEntry } from '../dtpm/device.js';
import type { DriverFacts } from '../source/drivers.js';

export type { RegistryEntry } from '../dtpm/device.js';

export interface SnapshotDoc {
  $schema?: string;
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  capturedAt: string;
  description?: string;
  host: { hostname: string; kernelRelease: string; machine?: string };
  origin?: { root?: string; emRoot?: string | null; hwmonRoot?: string; generatedBy?: string };
  powercap: DirNode;
  energyModel?: DirNode | null;
  dtpm?: { registry?: RegistryEntry[]; [extra: string]: unknown };
  /** what the drivers know and sysfs does not show, for the emulated kernel (source/drivers.ts) */
  drivers?: DriverFacts;
  recording?: Record<string, unknown>;
}

export const schemaPath = () => path.join(packageRoot(), 'schema/snapshot.schema.json');
let schemaCache: Schema | undefined;
export function snapshotSchema(): Schema {
  schemaCache ??= JSON.parse(fs.readFileSync(schemaPath(), 'utf8')) as Schema;
  return schemaCache;
}

/** Parse and check a snapshot's text. Throws exit 6 naming the file and the first problem. */
export function parseSnapshot(text: string, file: string): SnapshotDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const why = text.trim() === '' ? 'the file is empty' : `not valid JSON (${(err as Error).message})`;
    throw invalidData(`${file}: ${why}`, 'a snapshot is written by `powercapctl snapshot save FILE`');
  }
  const d = doc as Partial<SnapshotDoc> | null;
  if (typeof d !== 'object' || d === null || Array.isArray(d) || d.format !== SNAPSHOT_FORMAT) {
    throw invalidData(`${file}: not a powercapctl snapshot (no "format": "${SNAPSHOT_FORMAT}")`);
  }
  if (typeof d.version === 'number' && d.version > SNAPSHOT_VERSION) {
    throw invalidData(
      `${file}: snapshot version ${d.version} is newer than this powercapctl reads (${SNAPSHOT_VERSION})`,
      'upgrade powercapctl to read it',
    );
  }
  // shape first, iteratively: the schema check recurses, and 20 000 levels would overflow it
  checkTreeShape(d.powercap, '/powercap', file);
  checkTreeShape(d.energyModel, '/energyModel', file);
  const problem = validate(snapshotSchema(), doc);
  if (problem) throw invalidData(`${file}: invalid snapshot: ${problem}`);
  return doc as SnapshotDoc;
}

/** The deepest directory tree a snapshot may hold (sysfs powercap nests 3 to 5, a DTPM tree a few more). */
export const MAX_SNAPSHOT_DEPTH = 80;
/** The most directories and attributes a snapshot may hold (4096 zones hold about 40 000). */
export const MAX_SNAPSHOT_ENTRIES = 2_000_000;

/**
 * Walk a stored tree without recursion: at most MAX_SNAPSHOT_DEPTH levels and
 * MAX_SNAPSHOT_ENTRIES entries, every name one path component as the kernel makes them (not
 * empty, not `.` or `..`, no `/` or NUL, at most 255 bytes). Exit 6 naming the first problem.
 */
function checkTreeShape(root: unknown, where: string, file: string): void {
  if (root === undefined || root === null || typeof root !== 'object') return; // the schema check says what is wrong
  const stack: Array<{ node: Record<string, unknown>; at: string; depth: number }> = [{ node: root as Record<string, unknown>, at: where, depth: 0 }];
  let entries = 0;
  const bad = (at: string, why: string) => invalidData(`${file}: invalid snapshot: at ${at}: ${why}`, 'see docs/security.md for the limits');
  while (stack.length) {
    const { node, at, depth } = stack.pop()!;
    if (depth > MAX_SNAPSHOT_DEPTH) throw bad(at.slice(0, 60) + '…', `deeper than ${MAX_SNAPSHOT_DEPTH} directory levels`);
    for (const key of ['attrs', 'dirs'] as const) {
      const m = node[key];
      if (m === undefined || m === null || typeof m !== 'object' || Array.isArray(m)) continue;
      for (const name of Object.keys(m)) {
        if (++entries > MAX_SNAPSHOT_ENTRIES) throw bad(at, `more than ${MAX_SNAPSHOT_ENTRIES} entries`);
        if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || Buffer.byteLength(name) > 255) {
          throw bad(`${at}/${key}`, `${JSON.stringify(name)} is not a file name`);
        }
        const child = (m as Record<string, unknown>)[name];
        if (key === 'dirs' && child !== null && typeof child === 'object') stack.push({ node: child as Record<string, unknown>, at: `${at}/dirs/${name}`, depth: depth + 1 });
      }
    }
  }
}

export class SnapshotFile {
  /** the powercap tree as stored (read-only: writes go through core/source/emulated.ts) */
  readonly powercap: TreeSource;
  private emSource: TreeSource | null = null;
  constructor(
    readonly path: string,
    readonly doc: SnapshotDoc,
  ) {
    this.powercap = new TreeSource(doc.powercap, { kind: 'snapshot', file: path });
  }

  /** the energy model as a source; follows the document, so a domain added by a command is seen at once */
  get energyModel(): TreeSource | null {
    const node = this.doc.energyModel;
    if (!node) return null;
    if (this.emSource?.rootNode !== node) this.emSource = new TreeSource(node, { kind: 'snapshot', file: this.path });
    return this.emSource;
  }

  get registry(): RegistryEntry[] {
    return this.doc.dtpm?.registry ?? [];
  }

  serialize(): string {
    return toJson(this.doc) + '\n';
  }

  /** Refuse early (exit 4) when the file cannot be replaced: call before changing anything. */
  assertWritable(): void {
    assertWritableFile(this.path);
  }

  /** Write the (changed) document back atomically, after checking it against the schema. */
  save(file: string = this.path): void {
    const problem = validate(snapshotSchema(), this.doc);
    if (problem) throw new PowercapError(Exit.FAILED, `internal error: refusing to write an invalid snapshot (${problem})`);
    assertWritableFile(file);
    writeFileAtomic(file, this.serialize());
  }
}

/** Read a snapshot; with `lock`, take its advisory lock first (held until the process ends). */
export function loadSnapshotFile(file: string, o: { lock?: boolean } = {}): SnapshotFile {
  if (o.lock) lockFile(file);
  const text = readUserFile(file, {
    what: 'snapshot file',
    hint: 'create one with `powercapctl snapshot save FILE`, or use an example from examples/',
    // a folder is likely a copy of a sysfs tree, which is read as a live root (the CLI says how)
    dirReason: 'folder-not-snapshot',
  });
  return new SnapshotFile(file, parseSnapshot(text, file));
}

/** A fresh, empty document (for `snapshot new`, examples and tests). */
export function emptySnapshotDoc(host: SnapshotDoc['host'], capturedAt = new Date().toISOString()): SnapshotDoc {
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, capturedAt, host, powercap: {} };
}
