/**
 * `npm start`: show this machine's powercap tree, or, when it has none, say so
 * and show the bundled laptop example, so a first run always shows something real.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { LiveSource } from '../../../core/source/live.js';
import { DEFAULT_ROOT } from '../../../core/source/open.js';
import { readPowercapTree } from '../../../core/zones/powercap-tree.js';
import { EXAMPLES_DIR, exampleFile } from '../../paths.js';
import { CommandContext as Ctx } from '../../context.js';
import { shellWord } from '../../hints.js';
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
  const me = selfCommand(process.argv[1], process.env.PATH ?? '', process.cwd());
  ctx.io.note(`\nNext: ${me} --help   ·   ${me} list --json   ·   examples in ${shellWord(shown(EXAMPLES_DIR, process.cwd()) + '/')} (see README)`);
}

const realpath = (p: string): string | null => {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
};

/** A path as typed from `cwd`: relative below it (`bin/powercapctl`), absolute elsewhere (and from /). */
function shown(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || cwd === path.parse(cwd).root ? p : rel;
}

/**
 * How to run this program again from `cwd`: `powercapctl` when that name on PATH is this launcher
 * (an install), else the launcher's path (`bin/powercapctl` from a checkout, where `npm start` runs).
 */
export function selfCommand(launcher: string | undefined, pathVar: string, cwd: string): string {
  if (launcher === undefined) return 'powercapctl';
  const self = realpath(launcher);
  for (const dir of pathVar.split(':')) {
    if (dir === '' || self === null) continue;
    if (realpath(path.join(dir, 'powercapctl')) === self) return 'powercapctl';
  }
  const p = shown(launcher, cwd);
  return shellWord(p.includes('/') ? p : `./${p}`);
}
