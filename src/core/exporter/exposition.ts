/**
 * The two exposition formats Prometheus scrapes: the text format (version
 * 0.0.4) and OpenMetrics 1.0.0. A family's samples are the same lines in both;
 * only the metadata differs:
 * - text: `# HELP` and `# TYPE` name the sample (`foo_total` for a counter,
 *   `foo_info` typed gauge for an info metric);
 * - OpenMetrics: `# TYPE`, `# UNIT` and `# HELP` name the family (`foo`), info
 *   is a type of its own, and the exposition ends with `# EOF`.
 * Pure text builders: no I/O.
 */

import { visible } from '../control-chars.js';

export type FamilyType = 'counter' | 'gauge' | 'info';

export interface FamilyDef {
  /** the family name: without `_total` (counter) or `_info` (info) */
  name: string;
  type: FamilyType;
  help: string;
  /** base unit, when the name ends with it (`joules`, `watts`, `seconds`, `bytes`) */
  unit?: string;
}

/** The name the samples of a family carry. */
export function sampleName(f: FamilyDef): string {
  return f.type === 'counter' ? `${f.name}_total` : f.type === 'info' ? `${f.name}_info` : f.name;
}

/** A label value: backslash, double quote and newline escaped (both formats). */
export function escapeLabelValue(v: string): string {
  // control characters first shown as \x1b (a textfile or a scrape is read by people too), then escaped as the format wants
  return visible(v, { newlines: true }).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and newline escaped. */
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** `{a="x",b="y"}` from pairs, values escaped; '' for none. */
export function labelSet(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** One family ready to print: its definition and sample lines (`name{labels} value\n`). */
export interface FamilyBlock {
  def: FamilyDef;
  body: string;
}

/** Collects sample lines family by family; a family without samples is left out. */
export class ExpositionBuilder {
  private readonly blocks: FamilyBlock[] = [];
  private current: { def: FamilyDef; prefix: string; lines: string[] } | null = null;

  family(def: FamilyDef): this {
    this.close();
    this.current = { def, prefix: sampleName(def), lines: [] };
    return this;
  }

  /** a sample of the current family; `labels` is a labelSet() string */
  sample(labels: string, value: string): this {
    this.current!.lines.push(`${this.current!.prefix}${labels} ${value}\n`);
    return this;
  }

  private close(): void {
    if (this.current && this.current.lines.length) this.blocks.push({ def: this.current.def, body: this.current.lines.join('') });
    this.current = null;
  }

  build(): FamilyBlock[] {
    this.close();
    return this.blocks;
  }
}

/** The exposition text of the blocks, in the text format or OpenMetrics. */
export function renderExposition(blocks: readonly FamilyBlock[], openMetrics: boolean): string {
  const parts: string[] = [];
  for (const { def, body } of blocks) {
    if (openMetrics) {
      parts.push(`# TYPE ${def.name} ${def.type}\n`);
      if (def.unit) parts.push(`# UNIT ${def.name} ${def.unit}\n`);
      parts.push(`# HELP ${def.name} ${escapeHelp(def.help)}\n`);
    } else {
      const n = sampleName(def);
      parts.push(`# HELP ${n} ${escapeHelp(def.help)}\n# TYPE ${n} ${def.type === 'info' ? 'gauge' : def.type}\n`);
    }
    parts.push(body);
  }
  if (openMetrics) parts.push('# EOF\n');
  return parts.join('');
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Content negotiation: OpenMetrics when the Accept header names
 * `application/openmetrics-text` with a quality at least that of the text
 * format (`text/plain`, `text/*` or `*\/*`); the text format otherwise, also
 * when nothing is asked for. A wildcard alone never selects OpenMetrics, as in
 * the Prometheus client libraries. Prometheus itself asks for OpenMetrics
 * first.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let om = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}

/** Whether an Accept-Encoding header accepts gzip (and does not refuse it with q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const range of acceptEncoding.split(',')) {
    const [coding, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip') continue;
    return !params.some((p) => /^q=0(\.0*)?$/.test(p));
  }
  return false;
}
