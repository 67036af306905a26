import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { checkGroupName, grantFile, groupExists, TRADE_OFF } from '../../../core/persist/grant.js';
import { isRealRoot, writeAll } from '../../../core/persist/install.js';
import { runCalls, UDEVADM, type Call } from '../persist/systemctl.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const group = checkGroupName(args[0] as string);
  const rootDir = path.resolve(str(opts.rootDir) ?? '/');
  const method = opts.tmpfiles === true ? 'tmpfiles' : 'udev';
  // the trade-off comes first, whatever else is asked: on stderr, so --json output stays clean
  for (const l of TRADE_OFF) ctx.io.log(`note: ${l}`);
  if (groupExists(rootDir, group) === false) ctx.io.warn(`no group '${group}' in ${path.join(rootDir, 'etc/group')}: create it (groupadd ${group}) and add the users`);
  const file = grantFile(group, method);
  const written = writeAll(rootDir, [file]);
  let calls: Call[] = [];
  if (isRealRoot(rootDir)) {
    calls = method === 'udev'
      ? runCalls([[UDEVADM, 'control', '--reload'], [UDEVADM, 'trigger', '--subsystem-match=powercap', '--action=add']])
      : runCalls([['/bin/systemd-tmpfiles', '--create', file.path]]);
  }
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-grant-read', version: 1, group, method, rootDir, file: file.path, written, commands: calls, tradeOff: TRADE_OFF.join(' ') });
    return;
  }
  const lines = [`wrote ${path.join(rootDir, file.path)}: ${file.role}`];
  for (const c of calls) lines.push(`${c.ok ? 'ran' : 'FAILED'}: ${c.command}`);
  if (!isRealRoot(rootDir)) lines.push(method === 'udev' ? 'on the target: udevadm control --reload && udevadm trigger --subsystem-match=powercap --action=add' : `on the target: systemd-tmpfiles --create ${file.path}`);
  ctx.io.out(lines.join('\n'));
}
