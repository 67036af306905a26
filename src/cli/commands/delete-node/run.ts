import type { CommandContext } from '../../context.js';
import { deleteNode } from '../../../core/dtpm/edit.js';
import { openTarget, targetJson, warnFindings } from '../dtpm/target.js';
import type { DeleteNodeArgs, DeleteNodeOptions } from './spec.js';

export async function run(ctx: CommandContext, [path]: DeleteNodeArgs, opts: DeleteNodeOptions): Promise<void> {
  const target = openTarget(ctx, { configfs: opts.configfs, dryRun: opts.dryRun, writing: true });
  const r = deleteNode(target, path, { recursive: opts.recursive });
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), dryRun: opts.dryRun, deleted: r.changes, returnedDevices: r.returnedDevices, findings: r.findings });
    return;
  }
  warnFindings(ctx, r.findings);
  const verb = opts.dryRun ? 'would delete' : 'deleted';
  for (const c of r.changes) ctx.io.out(`${verb} ${c.path}  ${c.type}${c.zoneId ? `  ${c.zoneId}` : ''}`);
  if (r.returnedDevices.length) ctx.io.note(`back in the registry: ${r.returnedDevices.join(', ')}`);
}
