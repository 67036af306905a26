import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { readProfileText } from '../../../core/profile/parse.js';
import type { LoopCommand } from '../../../core/profile/section.js';
import { reconcile } from '../../../core/profile/reconcile.js';
import { profileFromTree, profileToYaml } from '../../../core/profile/from-tree.js';
import { readPowercapTree } from '../../../core/zones/powercap-tree.js';
import { install, isRealRoot, status, under } from '../../../core/persist/install.js';
import { execPathRisk, type ExecPathRisk } from '../../../core/persist/exec-path.js';
import { APPLY_UNIT, LOOP_UNITS, PROFILE_PATH, RESUME_UNIT, STATE_PATH, WATCH_UNIT, type UnitOptions } from '../../../core/persist/systemd-units.js';
import { formatDurationInput } from '../../../core/units.js';
import { optionNames } from '../../options.js';
import { trapHooks, trapSignals } from '../../signals.js';
import type { OptionSpec } from '../../spec.js';
import { applyOptions } from '../apply/spec.js';
import { balanceOptions } from '../balance/options.js';
import { checkSectionZones, readProfile, type SectionOptions } from '../balance/profile.js';
import { provenance } from '../profile/save.js';
import { callLine, callsError, runCalls, systemctl, UDEVADM } from './systemctl.js';
import type { PersistInstallArgs, PersistInstallOptions } from './spec.js';

export function defaultExec(): string {
  const bin = path.join(PACKAGE_ROOT, 'bin/powercapctl');
  try { return fs.realpathSync(bin); } catch { return bin; }
}

/** An option of a command, as the units' command line names it: the command's own declaration, so a rename there shows here. */
function flagOf(command: string, options: readonly OptionSpec[], long: string): string {
  if (!options.some((o) => optionNames(o.flags).long === long)) throw new Error(`${command} has no --${long}: the units cannot run it`);
  return `--${long}`;
}

/**
 * What the units run: apply on the installed profile, recording its state; the watchdog with its
 * interval; the profile's balance: or govern: section, read from the installed profile at each start.
 */
export function unitCommands(exec: string, watchUs: bigint | null, loop: LoopCommand | null): UnitOptions {
  const apply = [exec, 'apply', PROFILE_PATH, flagOf('apply', applyOptions, 'state'), STATE_PATH];
  return {
    apply,
    watch: watchUs === null ? null : { command: [...apply, flagOf('apply', applyOptions, 'watch'), formatDurationInput(watchUs)], intervalUs: watchUs },
    startApply: systemctl('--no-block', 'start', APPLY_UNIT),
    // balance and govern share --profile (balance/options.ts profileOption)
    loop: loop === null ? null : { command: loop, argv: [exec, loop, flagOf(loop, balanceOptions, 'profile'), PROFILE_PATH] },
  };
}

/** Where the program the units run as root lives, said with the way out. */
export function execWarning(exec: string, risk: ExecPathRisk): string {
  const where = risk.kind === 'temporary' ? `in a temporary folder (${risk.folder}): it may be gone after a reboot, and any user can put files there`
    : risk.kind === 'home' ? `in a home folder (${risk.folder}): its owner can change what root runs`
    : `and ${risk.folder} can be written by ${risk.worldWritable ? 'every user' : `uid ${risk.uid}`}: what root runs can be changed`;
  return `the units run ${exec} as root, ${where}; name an installed powercapctl with --exec (e.g. /usr/bin/powercapctl)`;
}

const PLACES = () => ({
  temporary: [...new Set(['/tmp', '/var/tmp', '/dev/shm', os.tmpdir()])],
  homes: [...new Set(['/home', '/root', os.homedir()])],
});

export async function run(ctx: CommandContext, [file]: PersistInstallArgs, opts: PersistInstallOptions): Promise<void> {
  const rootDir = path.resolve(opts.rootDir);
  const real = isRealRoot(rootDir);
  const watchUs = opts.watch ?? null;
  const exec = opts.exec ?? defaultExec();
  const risk = execPathRisk(exec, PLACES());
  if (risk) ctx.io.warn(execWarning(exec, risk));

  // the profile: the one given (checked first), the one installed, or the limits set now
  let profileText: string | null = null;
  let profileFrom: string;
  let loop: SectionOptions | null = null;
  if (file !== undefined) {
    const read = await readProfile(file);
    loop = read.loop;
    // on the running system the profile must fit this machine's zones before anything is installed
    // (an image's machine is elsewhere: its profile is checked for its form only)
    if (real) {
      await reconcile(ctx.source().powercap, read.profile, { check: true, isRoot: ctx.isRoot });
      if (loop) await checkSectionZones(ctx, loop);
    }
    profileText = readProfileText(file);
    profileFrom = file;
  } else if (fs.existsSync(under(rootDir, PROFILE_PATH))) {
    loop = (await readProfile(under(rootDir, PROFILE_PATH))).loop;
    profileFrom = `${PROFILE_PATH} (kept)`;
  } else {
    const saved = profileFromTree(readPowercapTree(ctx.source().powercap));
    profileText = profileToYaml(saved, [`powercapctl profile: the limits of ${provenance(ctx)} at ${new Date().toISOString()}, saved by persist install`]);
    profileFrom = `the limits set now (${saved.limits.length})`;
  }

  // a signal between two files puts back what was written; between two calls, stops before the next
  const trap = trapSignals();
  // a loop installed before and not wanted now is stopped (it writes back the limits it found);
  // the one wanted is restarted, so that it reads the profile just installed
  const installed = status(rootDir);
  const before = installed.loop;
  const loopUnit = loop === null ? null : LOOP_UNITS[loop.command];
  const asked = real ? [
    systemctl('daemon-reload'),
    [UDEVADM, 'control', '--reload'],
    systemctl('start', APPLY_UNIT),
    // systemctl stop fails on a unit it does not know: stop the watchdog only if one was installed
    ...(watchUs !== null ? [systemctl('restart', WATCH_UNIT)] : installed.watch.installed ? [systemctl('stop', WATCH_UNIT)] : []),
    ...(before !== null && before.unit !== loopUnit ? [systemctl('stop', before.unit)] : []),
    ...(loopUnit !== null ? [systemctl('restart', loopUnit)] : []),
  ] : [];
  let written;
  let calls;
  try {
    written = await install(rootDir, unitCommands(exec, watchUs, loop?.command ?? null), profileText, trapHooks(trap));
    calls = runCalls(asked, trap);
  } finally {
    trap.release();
  }
  const units = [APPLY_UNIT, RESUME_UNIT, ...(watchUs !== null ? [WATCH_UNIT] : []), ...(loopUnit !== null ? [loopUnit] : [])];
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-persist-install', version: 1, rootDir, profile: PROFILE_PATH, profileFrom, exec, watchUs, written, systemctl: calls, units });
  } else {
    const lines = [`installed into ${rootDir}${real ? '' : ' (an image folder: systemctl not called)'}: profile from ${profileFrom}`];
    // enablement links are named by their role; the link target is the unit beside them (--json has it)
    const shown = written.map((w) => w.path);
    const width = Math.max(...shown.map((x) => x.length));
    written.forEach((w, i) => lines.push(`  ${shown[i]!.padEnd(width)}  ${w.role}`));
    for (const c of calls) lines.push(callLine(c));
    if (!real) lines.push(`on the target: systemctl daemon-reload && udevadm control --reload && systemctl start ${units.filter((u) => u !== RESUME_UNIT).join(' ')}`);
    ctx.io.out(lines.join('\n'));
  }
  const err = callsError(asked, calls, 'the profile, units and udev rule are installed', trap);
  if (err) throw err;
}
