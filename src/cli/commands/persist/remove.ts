import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { isRealRoot, remove, status } from '../../../core/persist/install.js';
import { WATCH_UNIT } from '../../../core/persist/systemd-units.js';
import { trapHooks, trapSignals } from '../../signals.js';
import { callLine, callsError, runCalls, systemctl, UDEVADM } from './systemctl.js';
import type { PersistRemoveOptions } from './spec.js';

export async function run(ctx: CommandContext, _args: [], opts: PersistRemoveOptions): Promise<void> {
  const rootDir = path.resolve(opts.rootDir);
  const real = isRealRoot(rootDir);
  // the watchdog and a balance or govern loop stop before their units go (the loop writes back the
  // limits it found); a signal between two files puts back what was removed
  const installed = status(rootDir);
  const loop = installed.loop;
  // systemctl stop fails on a unit it does not know: only the units installed are stopped
  const stop = real ? [...(installed.watch.installed ? [systemctl('stop', WATCH_UNIT)] : []), ...(loop ? [systemctl('stop', loop.unit)] : [])] : [];
  const reload = real ? [systemctl('daemon-reload'), [UDEVADM, 'control', '--reload']] : [];
  const trap = trapSignals();
  let r;
  let calls;
  try {
    const before = runCalls(stop, trap);
    r = await remove(rootDir, opts.purge, trapHooks(trap));
    calls = [...before, ...runCalls(reload, trap)];
  } finally {
    trap.release();
  }
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-persist-remove', version: 1, rootDir, ...r, systemctl: calls });
  } else {
    const lines = [r.removed.length ? `removed from ${rootDir}:` : `nothing installed in ${rootDir}`];
    for (const p of r.removed) lines.push(`  ${p}`);
    for (const p of r.kept) lines.push(`kept ${p} (--purge removes it)`);
    for (const c of calls) lines.push(callLine(c));
    ctx.io.out(lines.join('\n'));
  }
  const err = callsError([...stop, ...reload], calls, r.removed.length ? 'the units and udev rule are removed' : 'nothing was installed', trap);
  if (err) throw err;
}
