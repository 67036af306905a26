/**
 * What a refused write means, in words a user can act on, with the exit code of
 * spec/cli.md. The kernel answers a constraint store with EINVAL when the text is
 * not a base-10 integer and ENODATA when the driver refuses (a limit locked by
 * firmware, a DTPM time window); RAPL on older kernels answers a locked limit with
 * EACCES even as root (powercap_sys.c, intel_rapl_common.c). An ordinary user opening a 0644 root-owned
 * attribute for writing gets EACCES before the kernel sees the value.
 */
import { Exit, PowercapError, SysfsError, errnoOf, exitForErrno } from '../errors.js';
import { isRaplType, type RaplInterface } from '../kernel/rapl.js';
import { isHwmonType } from '../kernel/hwmon.js';
import { SCMI_CONTROL_TYPE } from '../kernel/scmi-powercap.js';
import { otherRaplInterface } from './effective.js';

export interface WriteErrorContext {
  /** a live tree, or a snapshot going through the emulated kernel */
  source: 'live' | 'snapshot';
  /** the process runs as root (the emulated kernel behind a snapshot always acts as root) */
  isRoot: boolean;
  /** the zone's control type (intel-rapl, intel-rapl-mmio, dtpm): RAPL's locks, and which interface is the other */
  controlType: string;
  /** a RAPL zone's register layout (MSR or TPMI, both under intel-rapl): TPMI has no other interface */
  raplInterface?: RaplInterface | null;
  /** `intel-rapl:0 long_term power limit`, for the message */
  what?: string;
  /** the text written, for EINVAL */
  value?: string;
}

/** Map a SysfsError (or any error with an errno) from a write to a PowercapError. */
export function writeErrorToPowercap(err: unknown, ctx: WriteErrorContext): PowercapError {
  if (err instanceof PowercapError) return err;
  const errno = err instanceof SysfsError ? err.errno : errnoOf(err);
  const path = err instanceof SysfsError ? err.path : '';
  const what = ctx.what ?? path;
  const on = path ? ` (${errno} on ${path})` : ` (${errno})`;
  const asRoot = ctx.isRoot || ctx.source === 'snapshot';
  const mk = (code: PowercapError['exitCode'], msg: string, hint?: string) => new PowercapError(code, msg, hint, { cause: err });
  // the exit code follows the errno (core/errors.ts exitForErrno); only the two cases below,
  // where the same errno means the kernel refused rather than the caller lacks a permission, differ
  const code = exitForErrno(errno, { attribute: true });

  if ((errno === 'EACCES' || errno === 'EPERM') && ctx.source === 'live' && !ctx.isRoot) {
    return mk(code, `permission denied writing ${what}${on}: run with sudo`,
      'powercap limits are writable by root only: sudo powercapctl set-limit …');
  }
  if ((errno === 'EACCES' || errno === 'ENODATA') && isRaplType(ctx.controlType) && asRoot) {
    return mk(Exit.REFUSED, `${what}: this limit is locked by firmware${on}`, lockedHint(ctx.controlType, ctx.raplInterface ?? 'msr'));
  }
  if (ctx.controlType === SCMI_CONTROL_TYPE && asRoot && (errno === 'ENODATA' || errno === 'ENOSYS')) {
    // arm_scmi_powercap.c and the SCMI protocol answer EINVAL, which the powercap core reads as
    // ENODATA for a constraint store and ENOSYS for `enabled` (powercap_sys.c)
    return mk(code, errno === 'ENODATA'
      ? `the firmware refused ${what}${on}: SCMI takes a cap or averaging interval only where the domain lets it be set, within its bounds once rounded down to its step`
      : `the firmware refused ${what}${on}: SCMI enables a cap only on protocol 2.0 and later, and only when one was set before (the last cap is written back)`);
  }
  // a GPU's cap (hwmon, amdgpu_pm.c amdgpu_hwmon_set_power_cap): EPERM while the GPU is in reset or
  // suspended, EINVAL outside its range or on a virtual function
  if (isHwmonType(ctx.controlType) && asRoot && errno === 'EPERM') {
    return mk(Exit.REFUSED, `the driver refused ${what}${on}: the GPU is in reset or suspended`, 'write it again once the GPU is awake');
  }
  if (isHwmonType(ctx.controlType) && errno === 'EINVAL') {
    return mk(code, `the driver refused ${ctx.value !== undefined ? `'${ctx.value.trim()}' for ` : ''}${what}${on}`,
      'amdgpu takes a cap within power1_cap_min to power1_cap_max, in whole watts, and none on a virtual function (SR-IOV)');
  }
  switch (errno) {
    case 'EACCES':
      return ctx.source === 'snapshot'
        ? mk(Exit.REFUSED, `the emulated kernel refused ${what}${on}`, 'the snapshot records this attribute as not writable')
        : mk(code, `permission denied writing ${what}${on}`, 'check the mode of the attribute file');
    case 'ENODATA':
      return mk(code, `the kernel refused ${what}${on}: the driver does not support this value or the limit is locked`);
    case 'EINVAL':
      return mk(code, `the kernel refused ${ctx.value !== undefined ? `'${ctx.value.trim()}' for ` : ''}${what}${on}`,
        'sysfs takes a base-10 integer in the attribute\'s unit');
    case 'ENOSYS':
    case 'EOPNOTSUPP':
      return mk(code, `the driver does not support writing ${what}${on}`);
    case 'EROFS':
    case 'EPERM':
      return mk(code, `cannot write ${what}: the source is read-only${on}`, 'work on a writable copy, or the live tree as root');
    case 'ENOENT':
    case 'ENOTDIR':
      return mk(code, `${what} vanished${on}: the zone is gone`, 'its driver was unloaded or the device removed; list the zones again');
    case 'ELOOP':
    case 'EFTYPE':
    case 'EISDIR':
      // the attribute's place holds a symbolic link, a non-regular file or a folder (core/source/live.ts)
      return mk(code, `refused to write ${what}${on}: ${errno === 'ELOOP' ? 'it is a symbolic link' : errno === 'EISDIR' ? 'it is a folder' : 'it is not a regular file'}, not a sysfs attribute`,
        'powercapctl never writes through a link or to a device: check who changed the tree');
    default:
      return mk(code, `writing ${what} failed${on}`);
  }
}

/**
 * The way out of a RAPL limit locked by firmware: the setup, or the other interface (its own
 * register and lock bit). TPMI has no other interface to the package, and a lock bit per limit
 * (intel_rapl_common.c, get_pl_lock_prim: PL1_LOCK, PL2_LOCK, PL4_LOCK), so its other limits may still be set.
 */
export function lockedHint(controlType: string, iface: RaplInterface = 'msr'): string {
  if (iface === 'tpmi') return 'the firmware set this limit\'s lock bit (TPMI has one per limit: the others may be free); change it in the firmware setup';
  const other = otherRaplInterface(controlType);
  return `the BIOS set the lock bit; change it in the firmware setup${other ? `, or through the other RAPL interface (${other}) if that one is not locked` : ''}`;
}
