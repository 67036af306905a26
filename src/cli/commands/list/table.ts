import Table from 'cli-table3';
import type { CommandContext } from '../../context.js';
import type { Zone } from '../../../core/zones/model.js';
import { makeColors, palette } from '../../color.js';
import { constraintCell, enabledCell, readingCell } from '../../render/zones.js';
import { renderColumns, type ColumnCell } from '../../render/columns.js';

/** cli-table3 lays out in quadratic time: past this many rows, the plain column renderer (same look). */
const CLI_TABLE_MAX_ROWS = 200;

export function renderZoneTable(zones: Zone[], ctx: CommandContext): string {
  const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  const head = ['ID', 'NAME', 'ENABLED', 'ENERGY / POWER', 'LIMITS'].map((h) => p.heading(h));
  const rows: ColumnCell[][] = zones.map((z) => {
    const limits = z.constraints.length ? z.constraints.map(constraintCell).join('\n') : p.dim('energy only');
    const reading = readingCell(z);
    return [
      { content: p.id('  '.repeat(z.depth) + z.id) },
      { content: z.name === null ? p.warn('(no name)') : p.name(z.name) },
      { content: z.enabled === false ? p.dim(enabledCell(z)) : enabledCell(z) },
      reading.startsWith('unreadable') || reading === 'invalid' ? { content: p.warn(reading) } : { content: reading, align: 'right' },
      { content: limits },
    ];
  });
  if (rows.length > CLI_TABLE_MAX_ROWS) return renderColumns(head, rows);
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' },
  });
  for (const r of rows) table.push(r.map((c) => ({ content: c.content, hAlign: c.align ?? 'left' })));
  // cli-table3 pads the last column too: trim trailing blanks so both renderers print the same
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
