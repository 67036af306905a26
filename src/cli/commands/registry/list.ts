import type { CommandContext } from '../../context.js';
import { readHierarchy } from '../../../core/dtpm/edit.js';
import { registryRows } from '../../../core/dtpm/registry.js';
import { formatCpuList } from '../../../core/em/debugfs.js';
import { formatPower } from '../../../core/units.js';
import { openTarget, targetJson } from '../dtpm/target.js';

export async function run(ctx: CommandContext): Promise<void> {
  const target = openTarget(ctx, {});
  const h = readHierarchy(target);
  const rows = registryRows(h);
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), devices: rows });
    return;
  }
  if (rows.length === 0) {
    ctx.io.note(target.kind === 'snapshot' ? 'no registered devices: add one with `powercapctl registry add NAME …`' : 'no DTPM devices found (no DTPM leaves, no energy model)');
    return;
  }
  const [{ default: Table }, { makeColors, palette }] = await Promise.all([import('cli-table3'), import('../../color.js')]);
  const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  const table = new Table({
    head: ['NAME', 'KIND', 'DOMAIN', 'CPUS', 'MIN', 'MAX', 'PLACED AT'].map((x) => p.heading(x)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' },
  });
  for (const r of rows) {
    const cpus = r.cpus ? formatCpuList(r.cpus) + (r.onlineCpus ? ` (online ${formatCpuList(r.onlineCpus)})` : '') : '–';
    table.push([
      p.name(r.name), r.kind, r.domain ?? '–', cpus,
      r.powerMinUw === null ? p.warn('no energy model') : { content: formatPower(r.powerMinUw), hAlign: 'right' as const },
      r.powerMaxUw === null ? '' : { content: formatPower(r.powerMaxUw), hAlign: 'right' as const },
      r.placedAt === null ? p.dim('–') : `${r.placedAt}${r.zoneId ? p.dim(`  ${r.zoneId}`) : ''}`,
    ]);
  }
  ctx.io.out(table.toString());
}
