import type { CommandContext } from '../../context.js';
import { readHierarchy } from '../../../core/dtpm/edit.js';
import { descriptionJson } from '../../../core/dtpm/description-json.js';
import { renderKernelTable, tableNameFor } from '../../../core/dtpm/kernel-table-renderer.js';
import { writeFileAtomic } from '../../../core/atomic.js';
import { notFound, usageError } from '../../../core/errors.js';
import { toJson } from '../../io.js';
import { openTarget } from './target.js';
import type { DtpmExportOptions } from './spec.js';

export async function run(ctx: CommandContext, _args: [], opts: DtpmExportOptions): Promise<void> {
  const format = opts.format;
  // the table's C name means nothing to the JSON description: refused before anything is read
  if (opts.tableName !== undefined && format !== 'kernel-table') {
    throw usageError(`--table-name ${opts.tableName}: the C table's name goes with --format kernel-table`, 'add --format kernel-table, or drop --table-name');
  }
  const target = openTarget(ctx, { configfs: opts.configfs });
  const h = readHierarchy(target);
  if (h.nodes.length === 0) throw notFound('no DTPM hierarchy to export', 'build one with create-node or dtpm import');
  for (const p of h.problems) ctx.io.warn(p.message);
  let text: string;
  let json: unknown;
  if (format === 'kernel-table') {
    const name = opts.tableName ?? tableNameFor(h);
    const t = renderKernelTable(h, name);
    if (t.derived.length) ctx.io.warn(`device-tree paths derived from device names, check them: ${t.derived.join(', ')} (record with registry add --dt-path)`);
    if (t.missing.length) ctx.io.warn(`no device-tree path for ${t.missing.join(', ')}: the table names them by device name`);
    text = t.text;
    json = { format: 'kernel-table', tableName: name, text: t.text, derivedDtPaths: t.derived, missingDtPaths: t.missing };
  } else {
    json = descriptionJson(h);
    text = toJson(json) + '\n';
  }
  if (opts.output !== undefined) {
    writeFileAtomic(opts.output, text);
    if (ctx.globals.json) ctx.io.json({ file: opts.output, outputFormat: format, nodes: h.nodes.length });
    else ctx.io.note(`wrote ${opts.output}: ${h.nodes.length} nodes (${format})`);
    return;
  }
  if (ctx.globals.json) ctx.io.json(json);
  else ctx.io.out(text);
}
