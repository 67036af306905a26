import type { CommandContext } from '../../context.js';
import { readHierarchy } from '../../../core/dtpm/edit.js';
import { checkHierarchy } from '../../../core/dtpm/findings.js';
import { buildHierarchy } from '../../../core/dtpm/hierarchy.js';
import { parseDescription } from '../../../core/dtpm/description.js';
import { openTarget, targetJson } from './target.js';
import { readDescriptionFile } from './import.js';
import type { DtpmCheckArgs, DtpmCheckOptions } from './spec.js';

/** `dtpm check`: the findings of a hierarchy (core/dtpm/findings.ts) on stdout, exit 1 when there is any. */
export async function run(ctx: CommandContext, [file]: DtpmCheckArgs, opts: DtpmCheckOptions): Promise<void> {
  const target = openTarget(ctx, { configfs: opts.configfs });
  let h = readHierarchy(target);
  if (file !== undefined) {
    const desc = parseDescription(readDescriptionFile(file), file, h.registry);
    h = buildHierarchy(desc.nodes.map((n) => ({ name: n.name, parent: n.parent })), h.registry, h.domains);
  }
  const findings = checkHierarchy(h);
  if (findings.length) process.exitCode = 1;
  if (ctx.globals.json) {
    ctx.io.json({ target: file ? { kind: 'description', file } : targetJson(target), nodes: h.nodes.length, ok: findings.length === 0, findings });
    return;
  }
  if (h.nodes.length === 0) ctx.io.note('no DTPM hierarchy here');
  for (const f of findings) ctx.io.out(`${f.code}: ${f.message}`);
  if (findings.length === 0) ctx.io.note(`ok: ${h.nodes.length} node${h.nodes.length === 1 ? '' : 's'}, nothing to report`);
}
