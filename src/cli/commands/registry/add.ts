import { readUserFile } from '../../../core/files.js';
import type { CommandContext } from '../../context.js';
import { readHierarchy } from '../../../core/dtpm/edit.js';
import { defaultKind, parseEmTable, registryRows, type AddDeviceOptions } from '../../../core/dtpm/registry.js';
import { checkHierarchy } from '../../../core/dtpm/findings.js';
import { formatPower } from '../../../core/units.js';
import { openTarget, snapshotTarget, targetJson, warnFindings } from '../dtpm/target.js';
import type { RegistryAddArgs, RegistryAddOptions } from './spec.js';

export async function run(ctx: CommandContext, [name]: RegistryAddArgs, opts: RegistryAddOptions): Promise<void> {
  const target = snapshotTarget(openTarget(ctx, { writing: true }));
  const o: AddDeviceOptions = {
    ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
    domain: opts.em ?? null,
    cpus: opts.cpus ?? null,
    onlineCpus: opts.onlineCpus ?? null,
    powerMinUw: opts.powerMin === undefined ? null : Number(opts.powerMin),
    powerMaxUw: opts.powerMax === undefined ? null : Number(opts.powerMax),
    dtPaths: opts.dtPath,
  };
  if (opts.emTable !== undefined) {
    const text = readUserFile(opts.emTable, { what: 'energy-model table' });
    o.emStates = parseEmTable(text, opts.emTable, { cpu: defaultKind(name, o) === 'cpu', capacity: opts.capacity ?? 1024, coefficient: opts.coefficient ?? null });
  }
  target.source.registerDevice(name, o);
  const after = readHierarchy(target);
  target.source.snapshot.save();
  const row = registryRows(after).find((r) => r.name === name)!;
  const findings = checkHierarchy(after);
  if (ctx.globals.json) {
    ctx.io.json({ target: targetJson(target), added: row, findings });
    return;
  }
  warnFindings(ctx, findings);
  const bounds = row.powerMinUw === null ? 'no energy model' : `${formatPower(row.powerMinUw)}–${formatPower(row.powerMaxUw!)}`;
  ctx.io.out(`registered ${row.name}  ${row.kind}${row.domain ? `  domain ${row.domain}` : ''}  ${bounds}`);
}
