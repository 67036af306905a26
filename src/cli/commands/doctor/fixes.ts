/**
 * doctor's fixes, worded from each finding's facts (core/doctor/checks.ts `Remedy`) in the
 * commands and options a user types: core says what was found, this says what to do.
 */
import type { EnvironmentCause, Finding, Remedy } from '../../../core/doctor/checks.js';
import { otherRaplInterface } from '../../../core/limits/effective.js';
import { formatDuration, formatPowerInput } from '../../../core/units.js';
import { LOOP_UNITS } from '../../../core/persist/systemd-units.js';

const ENVIRONMENT_FIXES: Record<EnvironmentCause, string> = {
  wsl: 'WSL exposes no RAPL: measure and cap on the Windows host',
  vm: 'hypervisors do not pass RAPL or DTPM to guests: run on the host',
  container: 'bind-mount /sys/class/powercap and /sys/devices/virtual/powercap from the host into the container (read-only for reading)',
  'no-powercap-config': 'this kernel was built without the powercap framework: use a kernel with CONFIG_POWERCAP=y',
  'rapl-not-loaded': 'sudo modprobe intel_rapl_msr (and list it in /etc/modules-load.d/ to load it at boot)',
};

/** What to do about each known writer of power limits (core/doctor/checks.ts COMPETING_WRITERS, by first name). */
export const WRITER_FIXES: Record<string, string> = {
  thermald: 'sudo systemctl disable --now thermald, or remove the RAPL cooling devices from its thermal-conf.xml',
  tuned: 'pick a tuned profile that leaves power limits alone, or stop tuned',
  'power-profiles-daemon': 'keep one power profile, or stop power-profiles-daemon',
  throttled: 'set the limits in /etc/throttled.conf instead, or stop throttled',
  'system76-power': 'use its profile for the limit, or stop system76-power',
  'auto-cpufreq': 'configure auto-cpufreq to leave the limits alone, or stop it',
  'intel-undervolt': 'set the limits in /etc/intel-undervolt.conf instead, or stop its daemon',
  ryzenadj: 'use one tool for the limits',
  geopmd: 'let GEOPM own the limits, or stop geopmd',
};

/**
 * This program's own balance or govern: what it does to a limit set beside it, and how to stop it
 * (it writes back the limits it found on SIGTERM, as persist's service is stopped).
 */
function loopFix(l: { command: 'balance' | 'govern'; pid: number }): string {
  return `powercapctl ${l.command} (pid ${l.pid}) moves the limits of its zones every period: set-limit or apply on one of them makes it let go of that zone ` +
    `(left as set until it restarts, and counted against the others' budget); to set them yourself, stop it first ` +
    `(sudo systemctl stop ${LOOP_UNITS[l.command]} when persist runs it, else kill -TERM ${l.pid}: it writes back the limits it found), ` +
    `or change the profile's ${l.command}: section and restart it`;
}

/** The other RAPL interface than the locked ones, when that is one. */
function otherInterface(locked: string[]): string {
  const other = locked.length === 1 ? otherRaplInterface(locked[0]!) : null;
  return other ? `the other interface (${other})` : 'the other copy of the package';
}

export function fixText(r: Remedy): string {
  switch (r.id) {
    case 'no-powercap':
      if (r.snapshot) return 'this snapshot holds no zones: capture one on a machine that has them';
      return r.causes.length
        ? r.causes.map((c) => ENVIRONMENT_FIXES[c]).join('; ')
        : 'load the RAPL driver (sudo modprobe intel_rapl_msr) or the platform\'s DTPM driver; on a VM, container or WSL, run on the host';
    case 'not-root':
      return 'run with sudo, or let a group read it: sudo powercapctl grant-read GROUP (read the trade-off it prints first)';
    case 'limit-locked':
      return `the lock bit is set by the BIOS: clear it in the firmware setup if it offers that; else set ${otherInterface(r.controlTypes)} if it is not locked. ` +
        'A write answers EACCES (or ENODATA) until then';
    case 'msr-mmio-differ':
      return `set both copies at once: powercapctl set-limit ${r.copies[0]}=POWER ${r.copies[1]}=POWER, or name ${r.package} in a profile (apply sets both)`;
    case 'competing-writer': {
      const others = r.writers.filter((w) => !r.loops.some((l) => w === `powercapctl ${l.command}`));
      return [
        ...(others.length ? [`${others.map((w) => WRITER_FIXES[w] ?? `stop ${w}`).join('; ')}. If both must run, powercapctl apply --watch restores the profile's limits, and the two will keep overwriting each other`] : []),
        ...r.loops.map(loopFix),
      ].join('; ');
    }
    case 'wrap-horizon':
      return r.sampleWithinUs === null
        ? 'nothing to do; a reader that samples less often than the shortest wrap time loses energy'
        : `sample more often than every ${formatDuration(r.sampleWithinUs)} (half the shortest wrap time): one wrap per interval is handled, two are not`;
    case 'dtpm-unlimited':
      return `to cap the node, write a limit (powercapctl set-limit ${r.node} 3W), and keep it with a profile and persist install; 0 is not a cap of 0 W`;
    case 'not-persisted':
      return 'keep them: powercapctl profile save limits.yaml && sudo powercapctl persist install limits.yaml (see README "Keeping limits set")';
    case 'gpu-cap-below-default':
      return `if that is not meant, restore it: sudo powercapctl set-limit ${r.zone} ${formatPowerInput(r.defaultUw)}; if it is, keep it with a profile and persist install`;
    case 'gpu-cap-differs':
      return `apply the profile again (sudo powercapctl apply ${r.profile}); persist install re-applies it at boot and resume` +
        (r.clamps ? '; where the GPU clamps the cap, set one within what it reads back' : '');
  }
}

/** Evidence that is about the command line rather than the machine: how to give doctor what it could not read. */
function extraEvidence(r: Remedy): string[] {
  if (r.id !== 'limit-locked') return [];
  if (r.kernelLog === 'unreadable') return ['the kernel log was not readable (run as root, or pass --kernel-log FILE)'];
  if (r.kernelLog === 'not-given') return ['no kernel log to search for the lock line (--kernel-log FILE: the log of the machine the snapshot came from)'];
  return [];
}

/** A finding as doctor prints it and its JSON carries it: evidence and fix in words. */
export function wordFinding(f: Finding): { id: string; severity: string; title: string; evidence: string[]; fix: string; zones?: string[] } {
  return {
    id: f.id, severity: f.severity, title: f.title,
    evidence: [...f.evidence, ...extraEvidence(f.remedy)],
    fix: fixText(f.remedy),
    ...(f.zones ? { zones: f.zones } : {}),
  };
}
