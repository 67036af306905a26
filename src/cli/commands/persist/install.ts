import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { loadProfile, readProfileText } from '../../../core/profile/parse.js';
import { reconcile } from '../../../core/profile/reconcile.js';
import { profileFromTree, profileToYaml } from '../../../core/profile/save.js';
import { readPowercapTree } from '../../../core/zones/model.js';
import { install, isRealRoot, under } from '../../../core/persist/install.js';
import { APPLY_UNIT, PROFILE_PATH, RESUME_UNIT, WATCH_UNIT } from '../../../core/persist/units.js';
import { parseIntervalUs } from '../apply/run.js';
import { provenance } from '../profile/save.js';
import { runCalls, systemctl, UDEVADM, type Call } from './systemctl.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function defaultExec(): string {
  const bin = path.join(PACKAGE_ROOT, 'bin/powercapctl');
  try { return fs.realpathSync(bin); } catch { return bin; }
}

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const rootDir = path.resolve(str(opts.rootDir) ?? '/');
  const real = isRealRoot(rootDir);
  const watchUs = str(opts.watch) ? parseIntervalUs(str(opts.watch)!, '--watch') : null;
  const exec = str(opts.exec) ?? defaultExec();
  if (!path.isAbsolute(exec)) throw usageError(`--exec ${exec}: the units need an absolute path`, 'e.g. --exec /usr/bin/powercapctl');
  const file = args[0] as string | undefined;

  // the profile: the one given (checked first), the one installed, or the limits set now
  let profileText: string | null = null;
  let profileFrom: string;
  if (file !== undefined) {
    const profile = await loadProfile(file);
    // on the running system the profile must fit this machine's zones before anything is installed
    if (real) await reconcile(ctx.source().powercap, profile, { check: true });
    profileText = readProfileText(file);
    profileFrom = file;
  } else if (fs.existsSync(under(rootDir, PROFILE_PATH))) {
    await loadProfile(under(rootDir, PROFILE_PATH));
    profileFrom = `${PROFILE_PATH} (kept)`;
  } else {
    const saved = profileFromTree(readPowercapTree(ctx.source().powercap));
    profileText = profileToYaml(saved, [`powercapctl profile: the limits of ${provenance(ctx)} at ${new Date().toISOString()}, saved by persist install`]);
    profileFrom = `the limits set now (${saved.limits.length})`;
  }

  const written = install(rootDir, { exec, watchUs }, profileText);
  let calls: Call[] = [];
  if (real) {
    calls = runCalls([
      systemctl('daemon-reload'),
      [UDEVADM, 'control', '--reload'],
      systemctl('start', APPLY_UNIT),
      ...(watchUs !== null ? [systemctl('restart', WATCH_UNIT)] : [systemctl('stop', WATCH_UNIT)]),
    ]);
  }
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-persist-install', version: 1, rootDir, profile: PROFILE_PATH, profileFrom, exec, watchUs, written, systemctl: calls, units: [APPLY_UNIT, RESUME_UNIT, ...(watchUs !== null ? [WATCH_UNIT] : [])] });
    return;
  }
  const lines = [`installed into ${rootDir}${real ? '' : ' (an image folder: systemctl not called)'}: profile from ${profileFrom}`];
  // enablement links are named by their role; the link target is the unit beside them (--json has it)
  const shown = written.map((w) => w.path);
  const width = Math.max(...shown.map((x) => x.length));
  written.forEach((w, i) => lines.push(`  ${shown[i]!.padEnd(width)}  ${w.role}`));
  for (const c of calls) lines.push(`${c.ok ? 'ran' : 'FAILED'}: ${c.command}${c.ok || !c.output ? '' : `: ${c.output.split('\n')[0]}`}`);
  if (!real) lines.push(`on the target: systemctl daemon-reload && udevadm control --reload && systemctl start ${APPLY_UNIT}${watchUs !== null ? ` ${WATCH_UNIT}` : ''}`);
  ctx.io.out(lines.join('\n'));
}
