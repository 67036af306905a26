/**
 * The one error type core throws. It carries the process exit code (see
 * spec/cli.md "Exit codes") and an optional hint saying what to do. Core never
 * prints and never exits: the CLI's single top-level catch does both.
 */
export const Exit = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  PERMISSION: 4,
  REFUSED: 5,
  INVALID_DATA: 6,
  /** a check of a profile: the machine is not in the profile's state (nothing was written) */
  NOT_IN_STATE: 7,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/**
 * What a refusal is about, when the way out is a choice on the command line: core names the
 * fact, the CLI words what to type (cli/hints.ts), so core never names a flag.
 * - `overridable`: a bound or a safety check refused the value; forcing the write gets past it
 * - `constraint-ambiguous`: several constraints and none is long_term; one must be named
 * - `not-of-type`: the zone named has no zone of the control type the command was restricted to
 * - `nothing-to-set`: a zone was named with nothing to change
 * - `needs-coefficient`: a table of voltages, and no dynamic-power-coefficient to turn them into powers
 * - `several-tables`: a device tree holds several OPP tables and none was chosen
 * - `no-opp-table`: a device tree holds no OPP table
 * - `needs-hw-mask`: OPPs that differ by opp-supported-hw clash unless the driver's mask is given
 * - `no-idle-state`: a cluster domain to model and no idle state for it
 * DTPM hierarchies and their devices (core/dtpm):
 * - `built-at-boot`: a live kernel's DTPM hierarchy cannot change; a snapshot or a configfs directory can
 * - `parents-missing`: a node's parent does not exist; it may be made with it, as a virtual node
 * - `named-like-device`: a name that reads as a device's is not registered: it would be a virtual node
 * - `has-children`: a node with children is removed only with its whole subtree
 * - `hierarchy-exists`: the target holds a hierarchy already; it may be replaced
 * - `dt-path-unknown`: a kernel table names a device-tree path no registered device records
 * - `device-needs-domain`: a cpu or devfreq device needs its energy-model domain
 * - `device-needs-bounds`: a device without an energy model needs its power bounds
 * - `domain-exists`: a new domain's table was given for a domain the snapshot has
 * - `domain-unknown`: the energy-model domain named is not in the snapshot (its table may be given)
 * - `domain-needs-cpus`: a new CPU domain's CPUs are not known
 * Sources and zones (core/source, core/zones, core/snapshot, core/exporter):
 * - `two-sources`: a live tree and a snapshot were both named; one source is read
 * - `no-powercap`: the machine exposes no powercap zones (a VM, no driver): a snapshot can be read instead
 * - `root-not-tree`: the live tree named is not a powercap tree (missing, or a file)
 * - `hwmon-root-missing`: the hwmon root named (for GPU power caps) is missing, or a file
 * - `folder-not-snapshot`: a folder was named as a snapshot file (a tree is read as a live root)
 * - `zone-unknown`: no zone of that name; the hint (if any) lists the closest names
 * - `address-in-use`: the exporter's address and port are taken by another listener
 * - `one-copy-lacks`: a package name meant both copies (MSR and MMIO) and one of them cannot take
 *   the setting (no such constraint); naming the other copy alone sets it
 * - `system-folder`: a file of the system's folders could not be written for want of permission;
 *   root, or a folder of one's own (an image), is the way
 * Limits (core/limits):
 * - `energy-only`: the zone has no constraint files, it only measures energy: there is no limit to set
 * - `amd-energy-only`: the same, on an AMD part, whose RAPL exposes no power limit through powercap at all
 */
export type Reason =
  | 'overridable' | 'constraint-ambiguous' | 'not-of-type' | 'nothing-to-set'
  | 'needs-coefficient' | 'several-tables' | 'no-opp-table' | 'needs-hw-mask' | 'no-idle-state'
  | 'built-at-boot' | 'parents-missing' | 'named-like-device' | 'has-children' | 'hierarchy-exists' | 'dt-path-unknown'
  | 'device-needs-domain' | 'device-needs-bounds' | 'domain-exists' | 'domain-unknown' | 'domain-needs-cpus'
  | 'two-sources' | 'no-powercap' | 'root-not-tree' | 'hwmon-root-missing' | 'folder-not-snapshot' | 'zone-unknown' | 'address-in-use'
  | 'one-copy-lacks' | 'system-folder' | 'dtpm-parent' | 'energy-only' | 'amd-energy-only';

export class PowercapError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  /** what the refusal is about, for the CLI's wording of the way out (cli/hints.ts) */
  readonly reason: Reason | undefined;
  /** what the fact is about (a zone as `describeZone` words it), for a CLI that words the message itself (cli/hints.ts) */
  readonly subject: string | undefined;
  constructor(exitCode: ExitCode, message: string, hint?: string, options?: { cause?: unknown; reason?: Reason; subject?: string }) {
    super(message, options);
    this.name = 'PowercapError';
    this.exitCode = exitCode;
    this.hint = hint;
    this.reason = options?.reason;
    this.subject = options?.subject;
  }
}

export const usageError = (msg: string, hint?: string, reason?: Reason) => new PowercapError(Exit.USAGE, msg, hint, { reason });
export const notFound = (msg: string, hint?: string, reason?: Reason) => new PowercapError(Exit.NOT_FOUND, msg, hint, { reason });
export const permissionDenied = (msg: string, hint?: string) => new PowercapError(Exit.PERMISSION, msg, hint);
export const refused = (msg: string, hint?: string, reason?: Reason) => new PowercapError(Exit.REFUSED, msg, hint, { reason });
export const invalidData = (msg: string, hint?: string, reason?: Reason) => new PowercapError(Exit.INVALID_DATA, msg, hint, { reason });
export const failed = (msg: string, hint?: string, reason?: Reason) => new PowercapError(Exit.FAILED, msg, hint, { reason });

/** A write or read that the (real or emulated) kernel answered with an errno. */
export class SysfsError extends Error {
  readonly errno: string;
  readonly path: string;
  constructor(errno: string, path: string, message?: string) {
    super(message ?? `${path}: ${errno}`);
    this.name = 'SysfsError';
    this.errno = errno;
    this.path = path;
  }
}

/**
 * The exit code an errno means (spec/cli.md "Exit codes"), the one mapping every reader and
 * writer uses:
 * - EACCES, EPERM, EROFS → 4 (permission: the caller, not the data, is the problem);
 * - ENOENT, ENOTDIR → 3 (not found: the file, or a folder on its path, is missing);
 * - EISDIR → 2 (a directory given where a file is expected is a usage error);
 * - on a sysfs attribute (`attribute`), what the kernel's store answered or what stands in the
 *   attribute's place: EINVAL, ENODATA, ENOSYS, EOPNOTSUPP (the driver refused the value,
 *   powercap_sys.c), ELOOP, EFTYPE, EISDIR (a link, a non-regular file or a folder where the
 *   attribute should be: refused, never followed) → 5;
 * - anything else → `otherwise` (1 unless the caller says what else means, 6 for data it parses).
 * A caller whose context changes the meaning (a RAPL limit locked by firmware answers EACCES even
 * to root: refused, not permission) decides that case before asking here.
 */
export function exitForErrno(errno: string, o: { attribute?: boolean; otherwise?: ExitCode } = {}): ExitCode {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return Exit.PERMISSION;
    case 'ENOENT':
    case 'ENOTDIR':
      return Exit.NOT_FOUND;
  }
  if (o.attribute && KERNEL_REFUSED.has(errno)) return Exit.REFUSED;
  if (errno === 'EISDIR') return Exit.USAGE;
  return o.otherwise ?? Exit.FAILED;
}
const KERNEL_REFUSED = new Set(['EINVAL', 'ENODATA', 'ENOSYS', 'EOPNOTSUPP', 'ELOOP', 'EFTYPE', 'EISDIR']);

/** Errno names as Node reports them (err.code), falling back to EIO. */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'EIO';
}
