import type { CommandContext } from '../../context.js';
import type { ListArgs, ListOptions } from './spec.js';
import { readPowercapTree, CONSTRAINT_SUFFIXES, type Zone } from '../../../core/zones/powercap-tree.js';
import { selectZones } from '../../../core/zones/select.js';
import { controlTypeJson, sourceJson, treeDiagnostics, zoneJson } from '../../render/zones.js';
import { csvField, tsvField } from '../../visible.js';

export async function run(ctx: CommandContext, [patterns]: ListArgs, opts: ListOptions): Promise<void> {
  const format = ctx.globals.json ? 'json' : opts.format;
  const src = ctx.source();
  const tree = readPowercapTree(src.powercap);
  const zones = selectZones(tree, patterns, opts.type);
  const diag = treeDiagnostics(tree, zones);
  for (const w of diag.warnings) ctx.io.warn(w);
  for (const h of diag.hints) ctx.io.note(h);
  if (tree.zones.length === 0) ctx.io.note('no powercap zones in this tree');

  if (format === 'json') {
    ctx.io.json({
      source: sourceJson(tree.source),
      controlTypes: tree.controlTypes.map(controlTypeJson),
      zones: zones.map((z) => zoneJson(z, tree)),
    });
    return;
  }
  if (format === 'tsv' || format === 'csv') {
    ctx.io.out(delimited(zones, format === 'csv' ? ',' : '\t'));
    return;
  }
  const { renderZoneTable } = await import('./table.js');
  ctx.io.out(renderZoneTable(zones, ctx, tree));
}

const BASE_COLUMNS = ['id', 'control_type', 'parent', 'name', 'enabled', 'energy_uj', 'max_energy_range_uj', 'power_uw', 'max_power_range_uw'] as const;

/** tsv/csv: one header row, raw integers, columns named like the sysfs files they come from. */
export function delimited(zones: Zone[], sep: string): string {
  const indexes = [...new Set(zones.flatMap((z) => z.constraints.map((c) => c.index)))].sort((a, b) => a - b);
  const header: string[] = [...BASE_COLUMNS];
  for (const n of indexes) for (const s of CONSTRAINT_SUFFIXES) header.push(`constraint_${n}_${s}`);
  const field = sep === ',' ? csvField : tsvField;
  const cell = (v: string | bigint | boolean | null): string => (v === null ? '' : field(typeof v === 'boolean' ? (v ? '1' : '0') : String(v)));
  const rows = [header.join(sep)];
  for (const z of zones) {
    const r: Array<string | bigint | boolean | null> = [z.id, z.controlType, z.parent, z.name, z.enabled, z.energyUj, z.maxEnergyRangeUj, z.powerUw, z.maxPowerRangeUw];
    for (const n of indexes) {
      const c = z.constraints.find((x) => x.index === n);
      r.push(c?.powerLimitUw ?? null, c?.timeWindowUs ?? null, c?.name ?? null, c?.maxPowerUw ?? null, c?.minPowerUw ?? null, c?.maxTimeWindowUs ?? null, c?.minTimeWindowUs ?? null);
    }
    rows.push(r.map(cell).join(sep));
  }
  return rows.join('\n');
}
