import type { CommandContext } from '../../context.js';
import type { PowercapTree, Zone } from '../../../core/zones/powercap-tree.js';
import { makeColors, palette } from '../../color.js';
import { constraintCell, enabledCell, readingCell, zoneIdText, zoneNameText } from '../../render/zones.js';
import { renderColumns, type ColumnCell } from '../../render/columns.js';
import { borderlessTable } from '../../render/table.js';

/** cli-table3 lays out in quadratic time: past this many lines, the plain column renderer (same look). */
const CLI_TABLE_MAX_ROWS = 200;

export function renderZoneTable(zones: Zone[], ctx: CommandContext, tree?: PowercapTree): string {
  const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  const head = ['ID', 'NAME', 'ENABLED', 'ENERGY / POWER', 'LIMITS'].map((h) => p.heading(h));
  // the cells show a source's text made visible (render/zones.ts) before it is painted
  const rows: ColumnCell[][] = zones.map((z) => {
    const limits = z.constraints.length ? z.constraints.map((c) => constraintCell(c, z, tree)).join('\n') : p.dim('energy only');
    const reading = readingCell(z);
    const name = zoneNameText(z);
    return [
      { content: p.id('  '.repeat(z.depth) + zoneIdText(z)) },
      { content: name === null ? p.warn('(no name)') : p.name(name) },
      { content: z.enabled === false ? p.dim(enabledCell(z)) : enabledCell(z) },
      reading.startsWith('unreadable') || reading === 'invalid' ? { content: p.warn(reading) } : { content: reading, align: 'right' },
      { content: limits },
    ];
  });
  // counted in lines, not rows: one zone with 10 000 constraints is a 10 000-line cell
  const lines = zones.reduce((n, z) => n + Math.max(1, z.constraints.length), 0);
  if (lines > CLI_TABLE_MAX_ROWS) return renderColumns(head, rows);
  // same look either way: cli-table3 trimmed of its trailing padding, or the plain renderer
  return borderlessTable(head, rows.map((r) => r.map((c) => ({ content: c.content, hAlign: c.align ?? 'left' }))), { trimEnd: true });
}
