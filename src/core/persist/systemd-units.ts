/**
 * The systemd units and the udev rule persist install writes, as file contents: they apply
 * the profile whenever a limit can have been lost (docs/profiles.md "persist"):
 * - at boot, once the drivers are up: a udev rule starts the apply unit for every
 *   powercap zone that appears (RAPL and DTPM drivers may load after
 *   multi-user.target is reached), and the unit is also wanted by multi-user.target;
 * - after every resume: a unit ordered after the sleep targets and wanted by them
 *   (the firmware restores its own limits on resume);
 * - when AC power comes or goes: the udev rule on the change event of a supply that brings
 *   AC (core/power-source.ts isAcSupplyType: Mains, USB, USB_*), for the profile's items with
 *   `when`, and because firmware and the embedded controller often rewrite PL1 on that event;
 * - optionally, a watchdog service running apply in its watching mode;
 * - when the profile has a `balance:` or `govern:` section, a service running that loop
 *   (the balance or govern command run on the profile), after the apply unit so that the static limits are set first;
 *   stopped with SIGTERM, on which the command writes back the limits it found and exits 0.
 * The command lines the units run are the caller's (the CLI builds them from apply's own
 * options); paths are those of the target system, which the installer puts under its root
 * directory.
 */
import { formatDurationInput } from '../units.js';
import { LOOP_COMMANDS, type LoopCommand } from '../profile/section.js';

export const PROFILE_PATH = '/etc/powercapctl/profile.yaml';
export const STATE_PATH = '/var/lib/powercapctl/state.json';
export const UNIT_DIR = '/etc/systemd/system';
export const UDEV_RULE_PATH = '/etc/udev/rules.d/70-powercapctl.rules';
export const APPLY_UNIT = 'powercapctl-apply.service';
export const RESUME_UNIT = 'powercapctl-resume.service';
export const WATCH_UNIT = 'powercapctl-watch.service';
/** The service that runs a profile's balance: or govern: section, by the command it runs. */
export const LOOP_UNITS: Readonly<Record<LoopCommand, string>> = { balance: 'powercapctl-balance.service', govern: 'powercapctl-govern.service' };
/** A loop unit started again this long after it failed (zones that appear late, a budget file not yet there) */
const LOOP_RESTART_SEC = '10s';
/**
 * The supply types of core/power-source.ts isAcSupplyType as a udev pattern: `|` separates
 * alternatives and `*` matches any suffix (udev's fnmatch), so USB_C, USB_PD and USB_PD_DRP
 * are matched with USB (power_supply_sysfs.c POWER_SUPPLY_TYPE_TEXT).
 */
export const AC_SUPPLY_TYPES_UDEV = 'Mains|USB*';
export const SLEEP_TARGETS = ['suspend.target', 'hibernate.target', 'hybrid-sleep.target', 'suspend-then-hibernate.target'];

export interface InstallFile {
  /** absolute path on the target system */
  path: string;
  /** file content; absent for a symbolic link */
  content?: string;
  /** symbolic link target (enablement links, as `systemctl enable` makes them) */
  link?: string;
  /** what it is, for the report */
  role: string;
}

export interface UnitOptions {
  /** the command the apply and resume units run: the program (an absolute path) and its arguments */
  apply: string[];
  /** the watchdog: its command and how often it re-reads the limits (µs); null: no watchdog */
  watch: { command: string[]; intervalUs: bigint } | null;
  /** what the udev rule runs to start the apply unit without waiting for it (udev kills slow RUN programs) */
  startApply: string[];
  /** the service running the profile's balance: or govern: section: which, and its command; null: none */
  loop: { command: LoopCommand; argv: string[] } | null;
}

/** systemd quotes: an argument with spaces or quotes is double-quoted, backslash-escaped. */
const q = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);

/** An ExecStart= line's value: the arguments quoted as systemd reads them. */
const execLine = (argv: string[]) => argv.map(q).join(' ');

export function applyUnit(o: UnitOptions): string {
  return `# Written by powercapctl persist install: remove with \`powercapctl persist remove\`.
[Unit]
Description=Apply the power limits of ${PROFILE_PATH} (powercapctl)
ConditionPathExists=${PROFILE_PATH}
# drivers loaded from /etc/modules-load.d are up; zones that appear later start this unit again (${UDEV_RULE_PATH})
After=systemd-modules-load.service

[Service]
Type=oneshot
ExecStart=${execLine(o.apply)}
StateDirectory=powercapctl

[Install]
WantedBy=multi-user.target
`;
}

export function resumeUnit(o: UnitOptions): string {
  return `# Written by powercapctl persist install: remove with \`powercapctl persist remove\`.
[Unit]
Description=Re-apply the power limits of ${PROFILE_PATH} after resume (powercapctl)
ConditionPathExists=${PROFILE_PATH}
# wanted by the sleep targets and ordered after them: runs once the system is back
After=${SLEEP_TARGETS.join(' ')}

[Service]
Type=oneshot
ExecStart=${execLine(o.apply)}
StateDirectory=powercapctl

[Install]
WantedBy=${SLEEP_TARGETS.join(' ')}
`;
}

export function watchUnit(w: NonNullable<UnitOptions['watch']>): string {
  return `# Written by powercapctl persist install: remove with \`powercapctl persist remove\`.
[Unit]
Description=Keep the power limits of ${PROFILE_PATH} applied, restoring drift every ${formatDurationInput(w.intervalUs)} (powercapctl)
ConditionPathExists=${PROFILE_PATH}
After=${APPLY_UNIT}

[Service]
Type=simple
ExecStart=${execLine(w.command)}
StateDirectory=powercapctl
Restart=on-failure
RestartSec=30s

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The loop of a profile's section as a service. The limits it moves are the ones the apply unit set
 * (After=, and Wants= so that starting it alone sets them first). Type=simple: it runs until stopped;
 * SIGTERM (systemd's stop) makes it write back the limits it found and exit 0. A failure is tried
 * again (zones whose driver loads late, a budget file a manager has not written yet); a profile it
 * cannot use (exit 2: a bad value or setting; 6: a file that does not read) is not, until edited.
 */
export function loopUnit(l: NonNullable<UnitOptions['loop']>): string {
  const what = l.command === 'balance' ? 'Keep the zones of' : 'Hold the temperature of';
  return `# Written by powercapctl persist install: remove with \`powercapctl persist remove\`.
[Unit]
Description=${what} the ${l.command}: section of ${PROFILE_PATH} (powercapctl ${l.command})
ConditionPathExists=${PROFILE_PATH}
# the profile's static limits are set first; this loop moves those of its zones from there
Wants=${APPLY_UNIT}
After=${APPLY_UNIT}

[Service]
Type=simple
# the section is read from the profile at each start: edit it, then systemctl restart ${LOOP_UNITS[l.command]}
ExecStart=${execLine(l.argv)}
# on SIGTERM the limits found at the start are written back, and it exits 0
KillSignal=SIGTERM
Restart=on-failure
RestartSec=${LOOP_RESTART_SEC}
RestartPreventExitStatus=2 6

[Install]
WantedBy=multi-user.target
`;
}

export function udevRule(o: UnitOptions): string {
  return `# Written by powercapctl persist install: remove with \`powercapctl persist remove\`.
# A powercap zone appeared (a RAPL or DTPM driver loaded, at boot or later): apply the profile.
ACTION=="add", SUBSYSTEM=="powercap", RUN+="${execLine(o.startApply)}"
# AC power came or went, through a Mains or any USB supply (USB, USB_C, USB_PD, ...): apply it again,
# for the profile's items for AC or battery, and because firmware often rewrites the limits then.
ACTION=="change", SUBSYSTEM=="power_supply", ATTR{type}=="${AC_SUPPLY_TYPES_UDEV}", RUN+="${execLine(o.startApply)}"
`;
}

/** Every file and enablement link persist install writes, in writing order. */
export function installFiles(o: UnitOptions): InstallFile[] {
  const files: InstallFile[] = [
    { path: `${UNIT_DIR}/${APPLY_UNIT}`, content: applyUnit(o), role: 'apply at boot and when a zone appears or AC changes' },
    { path: `${UNIT_DIR}/${RESUME_UNIT}`, content: resumeUnit(o), role: 'apply after resume' },
    { path: UDEV_RULE_PATH, content: udevRule(o), role: 'udev: a zone appeared, AC power changed' },
    { path: `${UNIT_DIR}/multi-user.target.wants/${APPLY_UNIT}`, link: `../${APPLY_UNIT}`, role: 'enabled at boot' },
    ...SLEEP_TARGETS.map((t) => ({ path: `${UNIT_DIR}/${t}.wants/${RESUME_UNIT}`, link: `../${RESUME_UNIT}`, role: `enabled on ${t}` })),
  ];
  if (o.watch !== null) {
    files.push({ path: `${UNIT_DIR}/${WATCH_UNIT}`, content: watchUnit(o.watch), role: 'drift watchdog (restores what something else changed)' });
    files.push({ path: `${UNIT_DIR}/multi-user.target.wants/${WATCH_UNIT}`, link: `../${WATCH_UNIT}`, role: 'watchdog enabled at boot' });
  }
  if (o.loop !== null) files.push(...loopFiles(o.loop));
  return files;
}

/** A loop's unit and its enablement link. */
function loopFiles(l: NonNullable<UnitOptions['loop']>): InstallFile[] {
  const unit = LOOP_UNITS[l.command];
  return [
    { path: `${UNIT_DIR}/${unit}`, content: loopUnit(l), role: `the profile's ${l.command}: section, kept running (its limits restored when stopped)` },
    { path: `${UNIT_DIR}/multi-user.target.wants/${unit}`, link: `../${unit}`, role: `${l.command} enabled at boot` },
  ];
}

/** The files of the units persist install writes only when asked (the watchdog, a loop): by unit. */
export function optionalUnitFiles(unit: string): string[] {
  return [`${UNIT_DIR}/multi-user.target.wants/${unit}`, `${UNIT_DIR}/${unit}`];
}

/** Every path persist install can have written (for status and remove), the watchdog's and both loops' included. */
export function allInstallPaths(): InstallFile[] {
  const t = ['/bin/true'];
  return [
    ...installFiles({ apply: t, watch: { command: t, intervalUs: 30_000_000n }, startApply: t, loop: null }),
    ...LOOP_COMMANDS.flatMap((command) => loopFiles({ command, argv: t })),
  ];
}
