import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { isRealRoot, remove } from '../../../core/persist/install.js';
import { WATCH_UNIT } from '../../../core/persist/units.js';
import { runCalls, systemctl, UDEVADM, type Call } from './systemctl.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export async function run(ctx: CommandContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const rootDir = path.resolve(str(opts.rootDir) ?? '/');
  const real = isRealRoot(rootDir);
  // the watchdog stops before its unit goes
  const before: Call[] = real ? runCalls([systemctl('stop', WATCH_UNIT)]) : [];
  const r = remove(rootDir, opts.purge === true);
  const after: Call[] = real ? runCalls([systemctl('daemon-reload'), [UDEVADM, 'control', '--reload']]) : [];
  const calls = [...before, ...after];
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-persist-remove', version: 1, rootDir, ...r, systemctl: calls });
    return;
  }
  const lines = [r.removed.length ? `removed from ${rootDir}:` : `nothing installed in ${rootDir}`];
  for (const p of r.removed) lines.push(`  ${p}`);
  for (const p of r.kept) lines.push(`kept ${p} (--purge removes it)`);
  for (const c of calls) lines.push(`${c.ok ? 'ran' : 'FAILED'}: ${c.command}`);
  ctx.io.out(lines.join('\n'));
}
