import type { CommandContext } from '../../context.js';
import { createNode } from '../../../core/dtpm/edit.js';
import { openTarget, targetJson, warnFindings, nodeJson, nodeSummary } from '../dtpm/target.js';
import type { CreateNodeArgs, CreateNodeOptions } from './spec.js';

export async function run(ctx: CommandContext, [path]: CreateNodeArgs, opts: CreateNodeOptions): Promise<void> {
  const target = openTarget(ctx, { configfs: opts.configfs, dryRun: opts.dryRun, writing: true });
  const r = createNode(target, path, {
    parents: opts.parents,
    ...(opts.device ? { expect: 'device' as const } : opts.virtual ? { expect: 'virtual' as const } : {}),
  });
  const created = r.changes.map((c) => r.hierarchy.nodes.find((n) => n.path === c.path)!);
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), dryRun: opts.dryRun, created: created.map(nodeJson), findings: r.findings });
    return;
  }
  warnFindings(ctx, r.findings);
  const verb = opts.dryRun ? 'would create' : 'created';
  for (const n of created) ctx.io.out(`${verb} ${n.path}  ${nodeSummary(n)}`);
  const last = created[created.length - 1]!;
  if (!last.device) {
    const near = r.hierarchy.registry.filter((e) => !r.hierarchy.nodes.some((n) => n.device?.name === e.name) && close(e.name, last.name));
    if (near.length) ctx.io.note(`note: '${last.name}' is not a registered device, so it is a virtual node; did you mean ${near.map((e) => e.name).join(' or ')}?`);
  }
}

/** a likely typo of a device name: same after dropping a -cpufreq/-devfreq suffix, or at most two edits apart */
function close(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/-(cpufreq|devfreq)$/, '');
  if (strip(a) === strip(b)) return true;
  if (Math.abs(a.length - b.length) > 2) return false;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]! <= 2;
}
