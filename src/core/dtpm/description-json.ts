/**
 * The JSON description of a DTPM hierarchy (`dtpm export`, `dtpm import`): its writer and its parser.
 *
 *   { "format": "powercapctl-dtpm", "version": 1,
 *     "nodes": [ { "id": "soc", "name": "soc", "type": "virtual", "parent": null },
 *                { "id": "soc/package", "name": "package", "type": "virtual", "parent": "soc" },
 *                { "id": "soc/package/cpu0-cpufreq", "name": "cpu0-cpufreq", "type": "device", "parent": "soc/package" } ] }
 * `id` is any unique string (default: the name), `parent` another node's id or null,
 * `type` optional (left out: a registered name is a device, any other virtual),
 * nodes in any order; siblings keep file order. Export adds informational keys
 * (powerMinUw, powerMaxUw, weight, dtPaths) that import ignores.
 */
import { invalidData } from '../errors.js';
import type { Hierarchy } from './hierarchy.js';
import type { DescNode, Description } from './description.js';
import { orderNodes } from './node-order.js';
import { dtPathsOf } from './registry.js';

export const DESCRIPTION_FORMAT = 'powercapctl-dtpm';
export const DESCRIPTION_VERSION = 1;

/** The JSON document `dtpm export` writes. */
export function descriptionJson(h: Hierarchy): Record<string, unknown> {
  return {
    format: DESCRIPTION_FORMAT,
    version: DESCRIPTION_VERSION,
    nodes: h.nodes.map((n) => ({
      id: n.path,
      name: n.name,
      type: n.device ? 'device' : 'virtual',
      parent: n.parent ? n.parent.path : null,
      ...(n.device ? { kind: n.device.kind, dtPaths: dtPathsOf(n.device).paths } : {}),
      powerMinUw: n.powerMinUw,
      powerMaxUw: n.powerMaxUw,
      weight: n.weight,
    })),
  };
}

/** A JSON description read back: every node checked, then ordered parents first (node-order.ts). */
export function parseDescriptionJson(text: string, file: string): Description {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (doc?.format !== DESCRIPTION_FORMAT) throw invalidData(`${file}: not a DTPM description (no "format": "${DESCRIPTION_FORMAT}")`, 'write one with `powercapctl dtpm export`');
  if (typeof doc.version === 'number' && doc.version > DESCRIPTION_VERSION) throw invalidData(`${file}: description version ${doc.version} is newer than this powercapctl reads`);
  if (!Array.isArray(doc.nodes)) throw invalidData(`${file}: "nodes" must be an array`);
  const raw = (doc.nodes as any[]).map((n, i) => {
    const where = `${file}: nodes[${i}]`;
    if (typeof n !== 'object' || n === null) throw invalidData(`${where}: not an object`);
    if (typeof n.name !== 'string') throw invalidData(`${where}: "name" must be a string`);
    const type = n.type ?? 'auto';
    if (type !== 'virtual' && type !== 'device' && type !== 'auto') throw invalidData(`${where}: "type" must be "virtual" or "device"`);
    const id = n.id === undefined ? n.name : n.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidData(`${where}: "id" must be a string or a number`);
    const parent = n.parent ?? null;
    if (parent !== null && typeof parent !== 'string' && typeof parent !== 'number') throw invalidData(`${where}: "parent" must be an id or null`);
    return { id: String(id), name: n.name as string, type: type as DescNode['type'], parent: parent === null ? null : String(parent) };
  });
  return orderNodes(raw, file);
}
