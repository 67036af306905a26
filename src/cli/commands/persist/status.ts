import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { isOptionalUnitFile, status } from '../../../core/persist/install.js';
import type { PersistStatusOptions } from './spec.js';

export async function run(ctx: CommandContext, _args: [], opts: PersistStatusOptions): Promise<void> {
  const rootDir = path.resolve(opts.rootDir);
  const s = status(rootDir);
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-persist-status', version: 1, ...s });
    return;
  }
  const lines: string[] = [];
  const core = s.files.filter((f) => !isOptionalUnitFile(f.path));
  const missing = core.filter((f) => !f.present);
  lines.push(`installed: ${s.installed ? 'yes' : missing.length === core.length ? 'no' : `partly (missing: ${missing.map((f) => f.path).join(', ')})`}${rootDir === '/' ? '' : ` (in ${rootDir})`}`);
  lines.push(`profile: ${s.profile.path}${s.profile.present ? '' : ' (missing)'}`);
  lines.push(`watchdog: ${s.watch.installed ? `${s.watch.enabled ? 'enabled' : 'installed, not enabled'}: ${s.watch.command}` : 'not installed'}`);
  const l = s.loop;
  lines.push(`balance or govern: ${l ? `${l.unit} ${l.enabled ? 'enabled' : 'installed, not enabled'}: ${l.exec}` : 'not installed'}`);
  const st = s.state;
  if (!st || !st.lastApply) lines.push(`last apply: none recorded (${s.statePath})`);
  else lines.push(`last apply: ${st.lastApply.at}: ${st.lastApply.ok ? (st.lastApply.changed ? `${st.lastApply.changedSettings} of ${st.lastApply.settings} settings changed` : `in state (${st.lastApply.settings} settings)`) : `FAILED: ${st.lastApply.error}`}`);
  if (st) {
    lines.push(`drifts restored: ${st.drifts}${st.watch ? ` (watchdog running, pid ${st.watch.pid})` : ''}`);
    for (const d of st.recentDrifts.slice(-5)) lines.push(`  ${d.at}  ${d.zone}${d.name ? ` (${d.name})` : ''} ${d.setting}: found ${d.found}, restored ${d.restored}`);
  }
  ctx.io.out(lines.join('\n'));
}
