/**
 * Description files: a DTPM hierarchy written down, to import, export and paste, in one of two
 * forms, each read by its own parser and both ordered by the one ordering (node-order.ts):
 * - JSON (description-json.ts), what `dtpm export` writes by default;
 * - the kernel's per-SoC table (kernel-table-parser.ts; kernel-table-renderer.ts writes it).
 * An unknown parent, a cycle, a duplicate id or a malformed file is invalid data (exit 6).
 */
import type { RegistryEntry } from './device.js';
import { invalidData } from '../errors.js';
import { parseDescriptionJson } from './description-json.js';
import { parseKernelTable } from './kernel-table-parser.js';

export interface DescNode {
  name: string;
  /** 'auto' (type left out of a file): a registered name is a device, any other virtual, as create-node does */
  type: 'virtual' | 'device' | 'auto';
  /** index of the parent in `nodes` (parents come first), or null for the root */
  parent: number | null;
}

export interface Description {
  nodes: DescNode[];
}

/** Parse a description file: JSON, or a kernel table when the text is not JSON. */
export function parseDescription(text: string, file: string, registry: RegistryEntry[]): Description {
  const t = text.trim();
  if (t === '') throw invalidData(`${file}: the file is empty`);
  if (t.startsWith('{')) return parseDescriptionJson(t, file);
  return parseKernelTable(t, file, registry);
}
