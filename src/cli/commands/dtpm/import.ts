import type { CommandContext } from '../../context.js';
import { importHierarchy, readHierarchy } from '../../../core/dtpm/edit.js';
import { parseDescription } from '../../../core/dtpm/description.js';
import { readUserFile } from '../../../core/files.js';
import { openTarget, targetJson, warnFindings, nodeJson, nodeSummary } from './target.js';
import type { DtpmImportArgs, DtpmImportOptions } from './spec.js';

export function readDescriptionFile(file: string): string {
  return readUserFile(file, { what: 'description file', hint: 'write one with `powercapctl dtpm export -o FILE`' });
}

export async function run(ctx: CommandContext, [file]: DtpmImportArgs, opts: DtpmImportOptions): Promise<void> {
  const text = readDescriptionFile(file);
  const target = openTarget(ctx, { configfs: opts.configfs, dryRun: opts.dryRun, writing: true });
  const desc = parseDescription(text, file, readHierarchy(target).registry);
  const r = importHierarchy(target, desc, { replace: opts.replace });
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), dryRun: opts.dryRun, nodes: r.hierarchy.nodes.map(nodeJson), findings: r.findings });
    return;
  }
  warnFindings(ctx, r.findings);
  const verb = opts.dryRun ? 'would create' : 'created';
  for (const n of r.hierarchy.nodes) ctx.io.out(`${verb} ${n.path}  ${nodeSummary(n)}`);
}
