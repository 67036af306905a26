/**
 * grant-read: let a group read energy_uj. The kernel made it mode 0400 in
 * November 2020 (CVE-2020-8694, the PLATYPUS power side channel): a reader that
 * samples it fast can learn about what other code on the CPU computes. The
 * trade-off is printed before anything is written (TRADE_OFF).
 *
 * Two ways, both re-applied whenever a zone appears:
 * - udev (default): on every powercap zone's "add" event, chgrp + chmod g+r of its
 *   energy_uj (%S%p is the zone's sysfs directory);
 * - tmpfiles.d: a `z` line adjusting mode and group at boot (systemd-tmpfiles);
 *   zones that appear after boot (a module loaded later) are not covered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { usageError } from '../errors.js';
import type { InstallFile } from './systemd-units.js';

export const GRANT_UDEV_PATH = '/etc/udev/rules.d/71-powercapctl-energy.rules';
export const GRANT_TMPFILES_PATH = '/etc/tmpfiles.d/powercapctl-energy.conf';

export const TRADE_OFF = [
  'energy_uj is readable by root only since November 2020 (CVE-2020-8694, "PLATYPUS"): a process that reads the',
  'energy counters often enough can infer what other code on the same CPU computes (keys, SGX enclave data).',
  'Granting a group read access gives that ability to every member of the group and every process running as one.',
  'Grant it to a monitoring account or trusted users only, on machines that run no untrusted code or tenants.',
];

/** A group name as useradd(8) takes it: nothing a udev rule or a tmpfiles line could misread. */
export const isGroupName = (group: string): boolean => /^[A-Za-z_][A-Za-z0-9_-]{0,31}$/.test(group);

/** Whether the group exists in DIR/etc/group (null when that file cannot be read). */
export function groupExists(rootDir: string, group: string): boolean | null {
  try {
    return fs.readFileSync(path.join(rootDir, 'etc/group'), 'utf8').split('\n').some((l) => l.split(':')[0] === group);
  } catch {
    return null;
  }
}

const header = (group: string) =>
  `# Written by powercapctl grant-read: members of group ${group} may read energy_uj of every powercap zone.\n` +
  TRADE_OFF.map((l) => `# ${l}`).join('\n') + '\n';

export function grantFile(group: string, method: 'udev' | 'tmpfiles'): InstallFile {
  // the command line's parser refused it already (cli/option-values.ts groupName): never into a rule
  if (!isGroupName(group)) throw usageError(`invalid group name '${group}'`);
  if (method === 'tmpfiles') {
    return {
      path: GRANT_TMPFILES_PATH, role: `energy_uj readable by ${group} (at boot, systemd-tmpfiles)`,
      content: header(group) + `z /sys/class/powercap/*/energy_uj 0440 root ${group} -\n`,
    };
  }
  return {
    path: GRANT_UDEV_PATH, role: `energy_uj readable by ${group} (udev, whenever a zone appears)`,
    content: header(group) +
      `ACTION=="add", SUBSYSTEM=="powercap", TEST=="energy_uj", RUN+="/bin/chgrp ${group} %S%p/energy_uj", RUN+="/bin/chmod 0440 %S%p/energy_uj"\n`,
  };
}
