/**
 * What the drivers behind a powercap tree know and sysfs does not show: which register layout a
 * RAPL package is written through (MSR or TPMI, both under the control type `intel-rapl`), and
 * what an SCMI platform reported for each power-capping domain (its unit and steps) with the
 * kernel's state of it (the last cap asked for). A snapshot records them under `drivers`
 * (schema/snapshot.schema.json) for its emulated kernel; where they are absent (a tree saved from
 * a live machine, whose sysfs shows none of them) the emulation takes the MSR layout and SCMI
 * domains in µW with steps of 1, and says so in docs/snapshots.md. On a live machine the RAPL
 * interface is seen outside the powercap class (liveDriverFacts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RAPL_MSR_CONTROL_TYPE, isRaplType, type RaplInterface } from '../kernel/rapl.js';
import { SCMI_CONTROL_TYPE } from '../kernel/scmi-powercap.js';

/** One SCMI power-capping domain, in the firmware's terms (POWERCAP_DOMAIN_ATTRIBUTES). */
export interface ScmiDomainFacts {
  /** the domain's power unit (bits 24:23 of its attributes): mW or µW */
  unit: 'mW' | 'uW';
  /** power_cap_step, in the domain's unit */
  capStep: number;
  /** pai_step, µs */
  paiStep: number;
  /** the kernel's last_pcap, in the domain's unit: the cap an `enabled` 1 writes back (absent: the cap in force) */
  lastCap?: number;
}

export interface DriverFacts {
  [RAPL_MSR_CONTROL_TYPE]?: { interface: RaplInterface };
  [SCMI_CONTROL_TYPE]?: {
    /** the SCMI powercap protocol version, `major.minor` (enable/disable exists from 2.0) */
    protocolVersion?: string;
    /** by zone id */
    domains?: Record<string, ScmiDomainFacts>;
  };
}

/** The register layout a RAPL control type's limits are written through: TPMI only where recorded, MMIO always MSR's. */
export function raplInterfaceOf(controlType: string, drivers: DriverFacts | undefined): RaplInterface | null {
  if (!isRaplType(controlType)) return null;
  if (controlType !== RAPL_MSR_CONTROL_TYPE) return 'msr';
  return drivers?.[RAPL_MSR_CONTROL_TYPE]?.interface ?? 'msr';
}

/** The SCMI protocol's major version (PROTOCOL_REV_MAJOR): 2 when not recorded, the version the kernel asks for (SCMI_PROTOCOL_SUPPORTED_VERSION). */
export function scmiProtocolMajor(drivers: DriverFacts | undefined): number {
  const v = drivers?.[SCMI_CONTROL_TYPE]?.protocolVersion;
  const m = v === undefined ? null : /^([0-9]+)\./.exec(v);
  return m ? Number(m[1]) : 2;
}

/** What the firmware reported for the domain of a zone; µW and steps of 1 when not recorded. */
export function scmiDomainFacts(drivers: DriverFacts | undefined, zoneId: string): ScmiDomainFacts {
  return drivers?.[SCMI_CONTROL_TYPE]?.domains?.[zoneId] ?? { unit: 'uW', capStep: 1, paiStep: 1 };
}

/** The TPMI RAPL driver's folder on the auxiliary bus, below the sysfs root (module_auxiliary_driver in intel_rapl_tpmi.c). */
export const TPMI_RAPL_DRIVER_DIR = 'bus/auxiliary/drivers/intel_rapl_tpmi';
/** the auxiliary devices it binds (intel_rapl_tpmi_ids: `intel_vsec.tpmi-rapl`), one per package */
const TPMI_RAPL_DEVICE = /^intel_vsec\.tpmi-rapl\.[0-9]+$/;

/**
 * What a live tree's drivers show outside the powercap class: RAPL is TPMI when the TPMI RAPL
 * driver has bound a device (its folder on the auxiliary bus holds `intel_vsec.tpmi-rapl.N`).
 * The sysfs root is found from the powercap root (`…/class/powercap` or
 * `…/devices/virtual/powercap`); another root (a copy of the class folder alone) tells nothing.
 */
export function liveDriverFacts(powercapRoot: string): DriverFacts | undefined {
  const m = /^(.*)\/(?:class|devices\/virtual)\/powercap\/?$/.exec(powercapRoot);
  if (!m) return undefined;
  let bound: string[];
  try {
    bound = fs.readdirSync(path.join(m[1]!, TPMI_RAPL_DRIVER_DIR));
  } catch {
    return undefined;
  }
  return bound.some((n) => TPMI_RAPL_DEVICE.test(n)) ? { [RAPL_MSR_CONTROL_TYPE]: { interface: 'tpmi' } } : undefined;
}
