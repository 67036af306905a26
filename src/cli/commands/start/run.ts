/**
 * `npm start`: show this machine's powercap tree, or, when it has none, say so
 * and show the bundled laptop example, so a first run always shows something real.
 */
import type { CommandContext } from '../../context.js';
import { LiveSource } from '../../../core/source/live.js';
import { DEFAULT_ROOT } from '../../../core/source/open.js';
import { readPowercapTree } from '../../../core/zones/model.js';
import { exampleFile } from '../../paths.js';
import { CommandContext as Ctx } from '../../context.js';
import { run as runTree } from '../tree/run.js';

export async function run(ctx: CommandContext): Promise<void> {
  const root = ctx.globals.snapshot === undefined ? (ctx.globals.root ?? DEFAULT_ROOT) : undefined;
  let hasZones = ctx.globals.snapshot !== undefined;
  if (root !== undefined) {
    try {
      hasZones = readPowercapTree(new LiveSource(root)).zones.length > 0;
    } catch {
      hasZones = false;
    }
  }
  if (hasZones) {
    await runTree(ctx, [undefined], { type: undefined });
  } else {
    const example = exampleFile('intel-laptop');
    ctx.io.note(`This machine exposes no powercap zones (${root} is missing or empty: usual in VMs and containers).`);
    ctx.io.note(`Showing the bundled example instead: ${example}\n`);
    const exCtx = new Ctx({ ...ctx.globals, root: undefined, snapshot: example }, 'tree');
    await runTree(exCtx, [undefined], { type: undefined });
  }
  ctx.io.note('\nNext: powercapctl --help   ·   powercapctl list --json   ·   examples in examples/ (see README)');
}
