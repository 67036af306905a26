/**
 * The zone filter of the commands that read many zones (list, watch, exporter), declared once:
 * ZONE… (ids, names, type/name or globs; all zones when none) and --type.
 */
import type { ArgSpec, OptionSpec } from '../spec.js';
import { controlType, zone } from '../option-values.js';

export const zonesArg = {
  name: 'zone', description: 'zone id, name, type/name or glob (package-*); all zones when omitted', variadic: true, value: zone,
} as const satisfies ArgSpec;

export const typeOption = {
  flags: '-t, --type <type>', description: 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)', value: controlType,
} as const satisfies OptionSpec;
