import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { grantFile, groupExists, TRADE_OFF } from '../../../core/persist/grant.js';
import { isRealRoot, writeAll } from '../../../core/persist/install.js';
import { trapHooks, trapSignals } from '../../signals.js';
import { callLine, callsError, runCalls, SYSTEMD_TMPFILES, UDEVADM } from '../persist/systemctl.js';
import type { GrantReadArgs, GrantReadOptions } from './spec.js';

export async function run(ctx: CommandContext, [group]: GrantReadArgs, opts: GrantReadOptions): Promise<void> {
  const rootDir = path.resolve(opts.rootDir);
  const method = opts.tmpfiles ? 'tmpfiles' : 'udev';
  // the trade-off comes first, whatever else is asked: on stderr, so --json output stays clean
  for (const l of TRADE_OFF) ctx.io.log(`note: ${l}`);
  if (groupExists(rootDir, group) === false) ctx.io.warn(`no group '${group}' in ${path.join(rootDir, 'etc/group')}: create it (groupadd ${group}) and add the users`);
  const file = grantFile(group, method);
  const real = isRealRoot(rootDir);
  const asked = !real ? []
    : method === 'udev' ? [[UDEVADM, 'control', '--reload'], [UDEVADM, 'trigger', '--subsystem-match=powercap', '--action=add']]
    : [[SYSTEMD_TMPFILES, '--create', file.path]];
  const trap = trapSignals();
  let written;
  let calls;
  try {
    written = await writeAll(rootDir, [file], trapHooks(trap));
    calls = runCalls(asked, trap);
  } finally {
    trap.release();
  }
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-grant-read', version: 1, group, method, rootDir, file: file.path, written, commands: calls, tradeOff: TRADE_OFF.join(' ') });
  } else {
    const lines = [`wrote ${path.join(rootDir, file.path)}: ${file.role}`];
    for (const c of calls) lines.push(callLine(c));
    if (!real) lines.push(method === 'udev' ? 'on the target: udevadm control --reload && udevadm trigger --subsystem-match=powercap --action=add' : `on the target: systemd-tmpfiles --create ${file.path}`);
    ctx.io.out(lines.join('\n'));
  }
  const err = callsError(asked, calls, `${file.path} is written`, trap);
  if (err) throw err;
}
