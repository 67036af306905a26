/**
 * doctor: why a limit does not hold, or why a reading fails, with the evidence
 * and what the fix depends on. Each check has a stable id (docs/profiles.md
 * "doctor"); a check that finds nothing reports nothing. Inputs are passed in (the
 * tree, a /proc directory, the kernel log text, a root directory for installed
 * units), so the same checks run on a live machine, a snapshot and a test fixture.
 * A finding carries facts (`remedy`); the command words the fix, in its commands
 * and options (cli/commands/doctor/fixes.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { constraintLabel, isRaplType } from '../limits/index.js';
import { formatDuration, formatEnergy, formatPower } from '../units.js';
import type { PowercapTree, Zone } from '../zones/powercap-tree.js';
import { effectiveLimit, raplCopies, zoneEnabled } from '../limits/effective.js';
import { status as persistStatus } from '../persist/install.js';
import { expectedStore, planChanges } from '../limits/plan.js';
import { capIsPowerMax, isHwmonType } from '../kernel/hwmon.js';
import type { Profile } from '../profile/parse.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: FindingId;
  severity: Severity;
  title: string;
  evidence: string[];
  /** what the fix depends on, for the command to word */
  remedy: Remedy;
  /** zone ids concerned, when any */
  zones?: string[];
}

/** Why there is no tree, as the environment shows it. */
export type EnvironmentCause = 'wsl' | 'vm' | 'container' | 'no-powercap-config' | 'rapl-not-loaded';

/** The facts each finding's fix is worded from. */
export type Remedy =
  /** no tree: the causes found (none: unknown), or a snapshot without zones */
  | { id: 'no-powercap'; causes: EnvironmentCause[]; snapshot: boolean }
  | { id: 'not-root' }
  /** `kernelLog`: whether the kernel log could be searched for the lock line; the control types of the locked zones */
  | { id: 'limit-locked'; kernelLog: KernelLogState; controlTypes: string[] }
  /** the package and its two copies (MSR first) */
  | { id: 'msr-mmio-differ'; package: string; copies: [string, string] }
  /** the writers found, by their first name in COMPETING_WRITERS; this program's own loops with their pids */
  | { id: 'competing-writer'; writers: string[]; loops: Array<{ command: 'balance' | 'govern'; pid: number }> }
  /** sample more often than this to see every wrap (null: the interval is safe) */
  | { id: 'wrap-horizon'; sampleWithinUs: bigint | null }
  /** a node to cap, for the example */
  | { id: 'dtpm-unlimited'; node: string }
  | { id: 'not-persisted' }
  /** a GPU capped below its default: the zone and the default to restore */
  | { id: 'gpu-cap-below-default'; zone: string; defaultUw: bigint }
  /** a GPU cap that does not read what the persisted profile set: the profile, and whether the GPU clamps what it is given (i915, xe) */
  | { id: 'gpu-cap-differs'; profile: string; clamps: boolean };

/** The kernel log: its text; none could be read (dmesg refused); none was given (a snapshot's machine is elsewhere). */
export type KernelLogState = 'read' | 'unreadable' | 'not-given';

export const FINDING_IDS = [
  'no-powercap', 'not-root', 'limit-locked', 'msr-mmio-differ', 'competing-writer', 'wrap-horizon', 'dtpm-unlimited', 'not-persisted',
  'gpu-cap-below-default', 'gpu-cap-differs',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export interface DoctorInput {
  /** the tree, or null when there is none to read */
  tree: PowercapTree | null;
  /** where the tree was looked for (for messages) */
  where: string;
  /** a live tree (the environment checks apply) or a snapshot */
  live: boolean;
  procDir: string;
  rootDir: string;
  /** the kernel log, when there is one to search */
  kernelLog: string | null;
  /** why there is none, when `kernelLog` is null */
  kernelLogMissing?: Exclude<KernelLogState, 'read'>;
  uid: number;
  /** the sampling interval a reader of the counters uses, µs */
  intervalUs: bigint;
  /** the profile persist keeps applied (read from under rootDir), when there is one that parses */
  persistedProfile?: Profile | null;
}

const desc = (z: Zone) => (z.name ? `${z.id} (${z.name})` : z.id);
const readText = (file: string): string | null => {
  try { return fs.readFileSync(file, 'utf8'); } catch { return null; }
};

// ------------------------------------------------------------------ no-powercap

/** What the environment says about a missing tree: VM, container, WSL, kernel config, modules. */
function environmentEvidence(procDir: string): { evidence: string[]; causes: EnvironmentCause[] } {
  const evidence: string[] = [];
  const causes: EnvironmentCause[] = [];
  const cpuinfo = readText(path.join(procDir, 'cpuinfo')) ?? '';
  const version = readText(path.join(procDir, 'version')) ?? '';
  const cgroup = readText(path.join(procDir, '1/cgroup')) ?? '';
  const environ = (readText(path.join(procDir, '1/environ')) ?? '').split('\0');
  if (/microsoft|WSL/i.test(version)) {
    evidence.push(`${path.join(procDir, 'version')} names Microsoft: this is WSL`);
    causes.push('wsl');
  } else if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) {
    evidence.push(`${path.join(procDir, 'cpuinfo')} has the 'hypervisor' flag: a virtual machine`);
    causes.push('vm');
  }
  const container = environ.find((e) => e.startsWith('container='));
  if (container || /docker|lxc|kubepods|containerd|libpod/.test(cgroup)) {
    evidence.push(container ? `pid 1 runs with ${container}: a container` : `${path.join(procDir, '1/cgroup')} names a container runtime`);
    causes.push('container');
  }
  const configGz = path.join(procDir, 'config.gz');
  if (fs.existsSync(configGz)) {
    try {
      const cfg = gunzipSync(fs.readFileSync(configGz)).toString('utf8');
      if (!/^CONFIG_POWERCAP=y/m.test(cfg)) {
        evidence.push(`${configGz}: CONFIG_POWERCAP is not set`);
        causes.push('no-powercap-config');
      }
    } catch { /* unreadable: say nothing */ }
  }
  const modules = readText(path.join(procDir, 'modules'));
  if (modules !== null && evidence.length === 0) {
    const loaded = new Set(modules.split('\n').map((l) => l.split(' ')[0]));
    const intel = /GenuineIntel|AuthenticAMD|HygonGenuine/.test(cpuinfo);
    if (intel && !loaded.has('intel_rapl_msr') && !loaded.has('intel_rapl_common')) {
      evidence.push(`${path.join(procDir, 'modules')}: intel_rapl_msr and intel_rapl_common are not loaded`);
      causes.push('rapl-not-loaded');
    }
  }
  return { evidence, causes };
}

function noPowercap(i: DoctorInput): Finding[] {
  if (i.tree && i.tree.zones.length > 0) return [];
  const env = i.live ? environmentEvidence(i.procDir) : { evidence: [], causes: [] };
  return [{
    id: 'no-powercap', severity: 'error',
    title: i.tree ? `no powercap zones under ${i.where}` : `no powercap tree at ${i.where}`,
    evidence: [i.tree ? `${i.where} exists but holds no zones` : `${i.where} does not exist`, ...env.evidence],
    remedy: { id: 'no-powercap', causes: env.causes, snapshot: !i.live },
  }];
}

// ------------------------------------------------------------------ not-root

function notRoot(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const denied = i.tree.zones.filter((z) => z.unreadable.energy_uj === 'EACCES' || z.unreadable.energy_uj === 'EPERM');
  if (denied.length === 0) return [];
  return [{
    id: 'not-root', severity: 'warning',
    title: `energy_uj is readable by root only (${denied.length} zone${denied.length === 1 ? '' : 's'})`,
    evidence: [
      ...denied.slice(0, 4).map((z) => `${desc(z)}: reading energy_uj gives ${z.unreadable.energy_uj}${i.live ? ` (uid ${i.uid})` : ''}`),
      ...(denied.length > 4 ? [`… and ${denied.length - 4} more`] : []),
      'energy_uj has been mode 0400 since the PLATYPUS side-channel fix (CVE-2020-8694)',
    ],
    remedy: { id: 'not-root' },
    zones: denied.map((z) => z.id),
  }];
}

// ------------------------------------------------------------------ limit-locked

/** The kernel's "locked by BIOS" lines (intel_rapl_common.c, rapl_detect_powerlimit): `package-0:package:long_term locked by BIOS`. */
export function lockedLines(log: string): string[] {
  return log.split('\n').filter((l) => /locked by BIOS/.test(l)).map((l) => l.trim());
}

function limitLocked(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  // intel_rapl_common.c get_domain_enable: a locked PL1 makes `enabled` read 0
  const zones = i.tree.zones.filter((z) => isRaplType(z.controlType) && z.constraints.length > 0 && z.enabled === false);
  const lines = i.kernelLog ? lockedLines(i.kernelLog) : [];
  if (zones.length === 0 && lines.length === 0) return [];
  return [{
    id: 'limit-locked', severity: 'warning',
    title: 'a RAPL limit is locked by firmware: writes to it fail, even as root',
    evidence: [
      ...zones.map((z) => `${desc(z)}: enabled reads 0 with constraints present (the long_term limit is locked)`),
      ...lines.map((l) => `kernel: ${l}`),
    ],
    remedy: { id: 'limit-locked', kernelLog: i.kernelLog === null ? i.kernelLogMissing ?? 'unreadable' : 'read', controlTypes: [...new Set(zones.map((z) => z.controlType))] },
    zones: zones.map((z) => z.id),
  }];
}

// ------------------------------------------------------------------ msr-mmio-differ

/**
 * A package whose MSR and MMIO copies hold different limits: which one is in force is
 * limitInForce()'s answer (core/limits/effective.ts), the one list, set-limit and the
 * exporter give.
 */
function msrMmioDiffer(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const out: Finding[] = [];
  const names = new Set(i.tree.zones.filter((z) => z.parent === null && isRaplType(z.controlType) && z.name).map((z) => z.name!));
  for (const name of names) {
    const copies = raplCopies(i.tree, name);
    if (!copies) continue;
    const [a, b] = copies as [Zone, Zone];
    const evidence: string[] = [];
    const side = (z: Zone, v: bigint) => `${z.id} ${formatPower(v)}${zoneEnabled(z) === false ? ' (disabled: holds nothing)' : ''}`;
    for (const ca of a.constraints) {
      const cb = b.constraints.find((c) => c.name !== null && c.name === ca.name);
      if (!cb || ca.powerLimitUw === null || cb.powerLimitUw === null || ca.powerLimitUw === cb.powerLimitUw) continue;
      const f = effectiveLimit(i.tree, a, ca.name);
      const both = zoneEnabled(a) === true && zoneEnabled(b) === true;
      evidence.push(`${constraintLabel(ca)}: ${side(a, ca.powerLimitUw)}, ${side(b, cb.powerLimitUw)}: ` + (
        f?.kind === 'held' ? `effective ${formatPower(f.powerLimitUw)} (${both ? 'the lower, ' : ''}held by ${f.zone.id})`
          : f?.kind === 'none' ? 'no limit in force: both copies are disabled' : 'in force: unknown'));
      if (f?.kind === 'held' && f.powerLimitUw === 0n) {
        evidence.push(`${f.zone.id} ${constraintLabel(ca)} is 0 W and enabled: the hardware is asked to hold ${name} at 0 W and throttles it as far as it can`);
      }
    }
    if (evidence.length === 0) continue;
    if (copies.some((z) => zoneEnabled(z) === false)) {
      evidence.push('enabled reads 0 on a disabled copy, and also on one whose PL1 is locked by firmware (intel_rapl_common.c, get_domain_enable): see limit-locked');
    }
    out.push({
      id: 'msr-mmio-differ', severity: 'warning',
      title: `${name} holds different limits through MSR (${a.controlType}) and MMIO (${b.controlType}): the lower of the enabled copies' limits is in force`,
      evidence,
      remedy: { id: 'msr-mmio-differ', package: name, copies: [a.id, b.id] },
      zones: [a.id, b.id],
    });
  }
  return out;
}

// ------------------------------------------------------------------ competing-writer

/** Programs known to write power limits, and what they do (the fix for each: cli/commands/doctor/fixes.ts). */
export const COMPETING_WRITERS: Array<{ names: string[]; what: string }> = [
  { names: ['thermald'], what: 'thermald writes RAPL limits (MSR and MMIO) as temperatures move' },
  { names: ['tuned'], what: 'tuned changes power settings when its profile switches' },
  { names: ['power-profiles-daemon'], what: 'power-profiles-daemon switches the platform profile, with which firmware moves PL1/PL2' },
  { names: ['throttled', 'lenovo_fix'], what: 'throttled rewrites PL1/PL2 (MSR and MMIO) every few seconds' },
  { names: ['system76-power'], what: 'system76-power sets power limits per profile' },
  { names: ['auto-cpufreq'], what: 'auto-cpufreq switches governors and turbo on AC change' },
  { names: ['intel-undervolt'], what: 'intel-undervolt in daemon mode rewrites power limits on an interval' },
  { names: ['ryzenadj'], what: 'ryzenadj writes the SMU power limits' },
  { names: ['geopmd'], what: 'geopmd (GEOPM) writes RAPL limits for its policies' },
  // this program's own loops (matched by their command line: powercapctlLoop)
  { names: ['powercapctl balance'], what: 'powercapctl balance moves the limits of its zones every period, to keep them under a budget' },
  { names: ['powercapctl govern'], what: 'powercapctl govern moves the limits of its zones every period, to hold a temperature' },
];

/** The launcher and the bundle a powercapctl process runs (bin/powercapctl, dist/powercapctl.cjs). */
const LAUNCHERS = ['powercapctl', 'powercapctl.cjs'];

/**
 * A running `powercapctl balance` or `govern`, from its command line: node (or the launcher itself)
 * running the launcher or the bundle, whose command, the first word after it that is not an option
 * or a path (`--root board/powercap balance …`), is balance or govern. doctor itself, sudo's own
 * process and any other command are not.
 */
export function powercapctlLoop(p: ProcessSeen): 'balance' | 'govern' | null {
  const words = p.argv;
  const base = (w: string) => path.basename(w);
  const at = LAUNCHERS.includes(base(words[0] ?? '')) ? 0 : /^node(js)?[0-9]*$/.test(base(words[0] ?? '')) ? words.findIndex((w, i) => i > 0 && LAUNCHERS.includes(base(w))) : -1;
  if (at < 0) return null;
  const command = words.slice(at + 1).find((w) => /^[a-z][a-z-]*$/.test(w));
  return command === 'balance' || command === 'govern' ? command : null;
}

export interface ProcessSeen { pid: number; comm: string; cmdline: string; argv: string[] }

/** Processes from a /proc directory: pid, comm, command line (NUL-separated: as words, and joined by spaces). */
export function listProcesses(procDir: string): ProcessSeen[] {
  let entries: string[];
  try { entries = fs.readdirSync(procDir); } catch { return []; }
  const out: ProcessSeen[] = [];
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    const comm = (readText(path.join(procDir, e, 'comm')) ?? '').trim();
    const argv = (readText(path.join(procDir, e, 'cmdline')) ?? '').split('\0').filter(Boolean);
    const cmdline = argv.join(' ');
    if (comm || cmdline) out.push({ pid: Number(e), comm, cmdline, argv });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** Which known writer a process is: comm (at most 15 characters in the kernel), or a program name in its command line. */
export function matchWriter(p: ProcessSeen): (typeof COMPETING_WRITERS)[number] | null {
  const loop = powercapctlLoop(p);
  if (loop) return COMPETING_WRITERS.find((w) => w.names[0] === `powercapctl ${loop}`)!;
  const words = p.cmdline.split(' ').slice(0, 3).map((w) => path.basename(w).replace(/\.py$/, ''));
  for (const w of COMPETING_WRITERS) {
    for (const n of w.names) {
      if (p.comm === n || p.comm === n.slice(0, 15) || words.includes(n)) return w;
    }
  }
  return null;
}

function competingWriter(i: DoctorInput): Finding[] {
  if (!i.live) return [];
  const seen = listProcesses(i.procDir).map((p) => ({ p, w: matchWriter(p) })).filter((x) => x.w !== null);
  if (seen.length === 0) return [];
  const whats = [...new Set(seen.map((x) => x.w!.what))];
  const writers = [...new Set(seen.map((x) => x.w!.names[0]!))];
  return [{
    id: 'competing-writer', severity: 'warning',
    title: `another program writes power limits: ${writers.join(', ')}`,
    evidence: [...seen.map((x) => `pid ${x.p.pid}: ${x.p.comm}${x.p.cmdline ? ` (${x.p.cmdline})` : ''}`), ...whats],
    remedy: {
      id: 'competing-writer', writers,
      loops: seen.flatMap((x) => { const command = powercapctlLoop(x.p); return command ? [{ command, pid: x.p.pid }] : []; }),
    },
  }];
}

// ------------------------------------------------------------------ wrap-horizon

/** The highest power a zone can draw, as its constraints tell (own, else the nearest ancestor's). */
function maxPowerUw(tree: PowercapTree, z: Zone): bigint | null {
  for (let cur: Zone | undefined = z; cur; cur = cur.parent ? tree.byId.get(cur.parent) : undefined) {
    let m = 0n;
    for (const c of cur.constraints) {
      for (const v of [c.maxPowerUw, c.powerLimitUw]) if (v !== null && v > m) m = v;
    }
    if (cur.maxPowerRangeUw !== null && cur.maxPowerRangeUw > m) m = cur.maxPowerRangeUw;
    if (m > 0n) return m;
  }
  return null;
}

function wrapHorizon(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const rows: Array<{ z: Zone; seconds: number; line: string }> = [];
  for (const z of i.tree.zones) {
    if (z.maxEnergyRangeUj === null || z.maxEnergyRangeUj <= 0n || !z.files.has('energy_uj')) continue;
    const p = maxPowerUw(i.tree, z);
    if (p === null) continue;
    // µJ / µW = s: the counter wraps after range/power seconds at that power
    const seconds = Number(z.maxEnergyRangeUj) / Number(p);
    rows.push({ z, seconds, line: `${desc(z)}: ${formatEnergy(z.maxEnergyRangeUj)} range at ${formatPower(p)} wraps every ${formatDuration(Math.round(seconds * 1e6))}` });
  }
  if (rows.length === 0) return [];
  const interval = Number(i.intervalUs) / 1e6;
  const short = rows.filter((r) => r.seconds < 2 * interval);
  const shortest = rows.reduce((m, r) => (r.seconds < m.seconds ? r : m));
  return [{
    id: 'wrap-horizon', severity: short.length ? 'warning' : 'info',
    title: short.length
      ? `${short.length} counter${short.length === 1 ? '' : 's'} can wrap twice within two ${formatDuration(i.intervalUs)} samples: energy would be lost`
      : `every counter takes at least ${formatDuration(Math.round(shortest.seconds * 1e6))} to wrap at its maximum power; sampling every ${formatDuration(i.intervalUs)} is safe`,
    evidence: (short.length ? short : rows).map((r) => r.line),
    // half the shortest wrap time: one wrap per interval is handled, two are not
    remedy: { id: 'wrap-horizon', sampleWithinUs: short.length ? BigInt(Math.round((shortest.seconds / 2) * 1e6)) : null },
    zones: (short.length ? short : []).map((r) => r.z.id),
  }];
}

// ------------------------------------------------------------------ dtpm-unlimited

function dtpmUnlimited(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const zones = i.tree.zones.filter((z) => z.controlType === 'dtpm' && z.children.length > 0 && z.constraints[0]?.powerLimitUw === 0n);
  if (zones.length === 0) return [];
  return [{
    id: 'dtpm-unlimited', severity: 'info',
    title: `${zones.length} DTPM node${zones.length === 1 ? '' : 's'} read a limit of 0: not limited since boot`,
    evidence: zones.map((z) => `${desc(z)}: constraint_0_power_limit_uw reads 0 (the kernel stores a node's limit only when one is written)`),
    remedy: { id: 'dtpm-unlimited', node: zones[0]!.id },
    zones: zones.map((z) => z.id),
  }];
}

// ------------------------------------------------------------------ not-persisted

/**
 * A limit's default, where it is known: a RAPL long_term's and a DTPM leaf's is the maximum (TDP;
 * the leaf's top state), a GPU's the cap its driver starts with (power1_cap_default).
 */
function defaultLimitUw(z: Zone, c: Zone['constraints'][number]): bigint | null {
  if (isHwmonType(z.controlType)) return c.defaultPowerUw;
  if ((isRaplType(z.controlType) && c.name === 'long_term') || (z.controlType === 'dtpm' && z.children.length === 0)) return c.maxPowerUw;
  return null;
}

function notPersisted(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const changed: string[] = [];
  for (const z of i.tree.zones) {
    for (const c of z.constraints) {
      const def = defaultLimitUw(z, c);
      if (def === null || def === 0n || c.powerLimitUw === null || c.powerLimitUw === 0n) continue;
      if (c.powerLimitUw !== def) changed.push(`${desc(z)} ${constraintLabel(c)}: ${formatPower(c.powerLimitUw)}, default ${formatPower(def)}`);
    }
  }
  if (changed.length === 0) return [];
  const st = persistStatus(i.rootDir);
  if (st.installed && st.profile.present) return [];
  return [{
    id: 'not-persisted', severity: 'warning',
    title: 'limits differ from their defaults, but nothing re-applies them at boot, resume or AC change',
    evidence: [...changed, `no ${st.files[0]!.path} under ${i.rootDir}`],
    remedy: { id: 'not-persisted' },
  }];
}

// ------------------------------------------------------------------ gpu-cap-below-default

/** A GPU held below the cap its driver starts with: slower than it can be, whoever set it. */
function gpuCapBelowDefault(i: DoctorInput): Finding[] {
  if (!i.tree) return [];
  const rows: Array<{ z: Zone; c: Zone['constraints'][number] }> = [];
  for (const z of i.tree.zones) {
    if (!isHwmonType(z.controlType)) continue;
    for (const c of z.constraints) {
      if (c.defaultPowerUw !== null && c.powerLimitUw !== null && c.powerLimitUw < c.defaultPowerUw) rows.push({ z, c });
    }
  }
  if (rows.length === 0) return [];
  const first = rows[0]!;
  return [{
    id: 'gpu-cap-below-default', severity: 'info',
    title: rows.length === 1 ? '1 GPU cap is below its driver\'s default: the GPU may run slower than it can'
      : `${rows.length} GPU caps are below their drivers' defaults: the GPUs may run slower than they can`,
    evidence: rows.map(({ z, c }) => `${desc(z)} ${constraintLabel(c)}: ${formatPower(c.powerLimitUw!)}, default ${formatPower(c.defaultPowerUw!)} (${z.driver ?? 'hwmon'} power1_cap_default)`),
    remedy: { id: 'gpu-cap-below-default', zone: first.z.id, defaultUw: first.c.defaultPowerUw! },
    zones: [...new Set(rows.map((r) => r.z.id))],
  }];
}

// ------------------------------------------------------------------ gpu-cap-differs

/**
 * A GPU cap that does not read what the persisted profile set (as the driver stores it: amdgpu in
 * whole watts): the driver put its default back (a GPU reset or a resume), another program wrote
 * it, or the GPU clamps what it is given to limits sysfs does not show (i915, xe: power1_max reads
 * the clamped value, i915_hwmon.c hwm_power_max_read).
 */
function gpuCapDiffers(i: DoctorInput): Finding[] {
  const profile = i.persistedProfile;
  if (!i.tree || !profile) return [];
  const rows: string[] = [];
  const zones = new Set<string>();
  let clamps = false;
  for (const item of profile.items) {
    if (item.powerSpec === undefined) continue;
    let steps;
    try {
      steps = planChanges(i.tree, [{ zone: item.zone, power: item.powerSpec, ...(item.constraint !== undefined ? { constraint: item.constraint } : {}) }], { force: true }).steps;
    } catch {
      continue; // an item that does not plan here is apply's to report
    }
    for (const s of steps) {
      if (!isHwmonType(s.controlType) || s.before === null) continue;
      const want = expectedStore(s);
      if (s.before === want) continue;
      const gpuClamps = capIsPowerMax(s.driver);
      clamps ||= gpuClamps;
      zones.add(s.zoneId);
      rows.push(`${s.zoneId}${s.zoneName ? ` (${s.zoneName})` : ''} ${s.constraint ? constraintLabel(s.constraint) : ''}: reads ${formatPower(s.before)}, ` +
        `${profile.file} line ${item.line} sets ${formatPower(want)}${gpuClamps && s.before < want ? ` (${s.driver} clamps PL1 to limits sysfs does not show)` : ''}`);
    }
  }
  if (rows.length === 0) return [];
  return [{
    id: 'gpu-cap-differs', severity: 'warning',
    title: `${rows.length} GPU cap${rows.length === 1 ? ' reads' : 's read'} back differently from the persisted profile`,
    evidence: [...rows, 'amdgpu puts its default cap back after a GPU reset, and on some kernels after a resume; another program may have written it'],
    remedy: { id: 'gpu-cap-differs', profile: profile.file, clamps },
    zones: [...zones],
  }];
}

// ------------------------------------------------------------------

export function runChecks(i: DoctorInput): Finding[] {
  const none = noPowercap(i);
  if (none.length) return none;
  return [
    ...notRoot(i), ...limitLocked(i), ...msrMmioDiffer(i), ...competingWriter(i), ...wrapHorizon(i), ...dtpmUnlimited(i), ...notPersisted(i),
    ...gpuCapBelowDefault(i), ...gpuCapDiffers(i),
  ];
}
