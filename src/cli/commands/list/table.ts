import Table from 'cli-table3';
import type { CommandContext } from '../../context.js';
import type { Zone } from '../../../core/zones/model.js';
import { makeColors, palette } from '../../color.js';
import { constraintCell, enabledCell, readingCell } from '../../render/zones.js';

export function renderZoneTable(zones: Zone[], ctx: CommandContext): string {
  const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  const table = new Table({
    head: ['ID', 'NAME', 'ENABLED', 'ENERGY / POWER', 'LIMITS'].map((h) => p.heading(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' },
  });
  for (const z of zones) {
    const limits = z.constraints.length ? z.constraints.map(constraintCell).join('\n') : p.dim('energy only');
    const reading = readingCell(z);
    table.push([
      p.id('  '.repeat(z.depth) + z.id),
      z.name === null ? p.warn('(no name)') : p.name(z.name),
      z.enabled === false ? p.dim(enabledCell(z)) : enabledCell(z),
      reading.startsWith('unreadable') || reading === 'invalid' ? p.warn(reading) : { content: reading, hAlign: 'right' },
      limits,
    ]);
  }
  return table.toString();
}
