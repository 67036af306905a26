import type { CommandContext } from '../../context.js';
import { deleteNode } from '../../../core/dtpm/edit.js';
import { openTarget, targetJson, warnFindings } from '../dtpm/target.js';

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const target = openTarget(ctx, { configfs: opts.configfs as string | undefined, dryRun: opts.dryRun === true, writing: true });
  const r = deleteNode(target, args[0] as string, { recursive: opts.recursive === true });
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), dryRun: opts.dryRun === true, deleted: r.changes, returnedDevices: r.returnedDevices, findings: r.findings });
    return;
  }
  warnFindings(ctx, r.findings);
  const verb = opts.dryRun ? 'would delete' : 'deleted';
  for (const c of r.changes) ctx.io.out(`${verb} ${c.path}  ${c.type}${c.zoneId ? `  ${c.zoneId}` : ''}`);
  if (r.returnedDevices.length) ctx.io.note(`back in the registry: ${r.returnedDevices.join(', ')}`);
}
