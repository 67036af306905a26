/**
 * The emulated kernel's writes to an `arm-scmi` zone: what drivers/powercap/arm_scmi_powercap.c
 * and drivers/firmware/arm_scmi/powercap.c do with a store (kernel/scmi-powercap.ts), applied to
 * the snapshot's attribute tree. The firmware's bounds are the zone's own files
 * (`constraint_0_{min,max}_power_uw`, `constraint_0_{min,max}_time_window_us`); its unit, steps and
 * the kernel's last cap come from the snapshot's `drivers` record (source/drivers.ts).
 *
 * Through the powercap core (drivers/powercap/powercap_sys.c) any refusal of a constraint store
 * reads ENODATA (store_constraint_*), of `enabled` ENOSYS (enabled_store), whatever the driver
 * returned.
 */
import { SysfsError } from '../errors.js';
import type { SnapshotFile } from '../snapshot/file.js';
import { parseKernelInt } from '../zones/powercap-tree.js';
import {
  capEnableSet, capEnabled, capToUw, setPowerLimitUw, setTimeWindowUs, type ScmiPowercapInfo, type ScmiPowercapState,
} from '../kernel/scmi-powercap.js';
import { scmiDomainFacts, scmiProtocolMajor, type DriverFacts, type ScmiDomainFacts } from './drivers.js';
import { SCMI_CONTROL_TYPE } from '../kernel/scmi-powercap.js';

/** An attribute of the zone as an integer (0 when absent or unreadable: the firmware then reported nothing usable). */
function intAttr(snap: SnapshotFile, dir: string, file: string): bigint {
  const r = snap.powercap.read(`${dir}/${file}`);
  return (r.ok ? parseKernelInt(r.text) : undefined) ?? 0n;
}

/**
 * The domain as the firmware described it. The protocol layer refuses a description whose
 * bounds disagree with its configurability (scmi_powercap_validate: configurable iff min ≠ max),
 * so a cap or an interval can be set exactly when its min and max differ.
 */
function domainInfo(snap: SnapshotFile, dir: string, facts: ScmiDomainFacts): ScmiPowercapInfo {
  const scaleMw = facts.unit === 'mW';
  const unit = (uw: bigint) => (scaleMw ? uw / 1000n : uw);
  const minPowerCap = unit(intAttr(snap, dir, 'constraint_0_min_power_uw'));
  const maxPowerCap = unit(intAttr(snap, dir, 'constraint_0_max_power_uw'));
  const minPai = intAttr(snap, dir, 'constraint_0_min_time_window_us');
  const maxPai = intAttr(snap, dir, 'constraint_0_max_time_window_us');
  return {
    scaleMw, minPowerCap, maxPowerCap, powerCapStep: BigInt(facts.capStep), capConfig: minPowerCap !== maxPowerCap,
    minPai, maxPai, paiStep: BigInt(facts.paiStep), paiConfig: minPai !== maxPai,
  };
}

/** The domain's record in the snapshot, made when the snapshot has none, to hold the kernel's last cap. */
function domainRecord(snap: SnapshotFile, zoneId: string, facts: ScmiDomainFacts): ScmiDomainFacts {
  const drivers: DriverFacts = (snap.doc.drivers ??= {});
  const scmi = (drivers[SCMI_CONTROL_TYPE] ??= {});
  const domains = (scmi.domains ??= {});
  return (domains[zoneId] ??= { ...facts });
}

/**
 * A store to `enabled` or a constraint attribute of an SCMI zone, as the kernel takes it (the text
 * already parsed by the caller where the powercap core parses it: `value` for constraint stores,
 * `enable` for `enabled`).
 */
export function emulateScmiWrite(snap: SnapshotFile, rel: string, write: { file: 'enabled'; enable: boolean } | { file: 'power_limit_uw' | 'time_window_us'; value: bigint }): void {
  const dir = rel.slice(0, rel.lastIndexOf('/'));
  const zoneId = dir.slice(dir.lastIndexOf('/') + 1);
  const drivers = snap.doc.drivers;
  const facts = scmiDomainFacts(drivers, zoneId);
  const info = domainInfo(snap, dir, facts);
  const major = scmiProtocolMajor(drivers);
  const unit = (uw: bigint) => (info.scaleMw ? uw / 1000n : uw);
  const cap = unit(intAttr(snap, dir, 'constraint_0_power_limit_uw'));
  const state: ScmiPowercapState = { cap, lastPcap: facts.lastCap === undefined ? cap : BigInt(facts.lastCap) };

  let next: ScmiPowercapState;
  try {
    if (write.file === 'time_window_us') {
      snap.powercap.setText(rel, `${setTimeWindowUs(info, write.value)}\n`);
      return;
    }
    next = write.file === 'enabled' ? capEnableSet(info, state, major, write.enable) : setPowerLimitUw(info, state, major, write.value);
  } catch (err) {
    if (!(err instanceof SysfsError)) throw err;
    // powercap_sys.c: enabled_store answers ENOSYS, store_constraint_* ENODATA, for any refusal
    throw new SysfsError(write.file === 'enabled' ? 'ENOSYS' : 'ENODATA', rel, `${rel}: ${err.message}`);
  }
  snap.powercap.setText(`${dir}/constraint_0_power_limit_uw`, `${capToUw(info, next.cap)}\n`);
  if (snap.powercap.attr(`${dir}/enabled`) !== undefined) snap.powercap.setText(`${dir}/enabled`, capEnabled(next, major) ? '1\n' : '0\n');
  // the kernel's last_pcap, kept where it is not the cap in force (a disabled domain's, or one asked for while disabled)
  if (next.lastPcap !== next.cap || facts.lastCap !== undefined) {
    const rec = domainRecord(snap, zoneId, facts);
    if (next.lastPcap === next.cap) delete rec.lastCap;
    else rec.lastCap = Number(next.lastPcap);
  }
}
