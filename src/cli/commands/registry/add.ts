import { readUserFile } from '../../../core/files.js';
import type { CommandContext } from '../../context.js';
import { readHierarchy } from '../../../core/dtpm/edit.js';
import { defaultKind, parseEmTable, registryRows, type AddDeviceOptions } from '../../../core/dtpm/registry.js';
import { checkHierarchy } from '../../../core/dtpm/findings.js';
import { parseCpuList } from '../../../core/cpu-list.js';
import { parsePowerUw } from '../../../core/units.js';
import { usageError } from '../../../core/errors.js';
import { openTarget, targetJson, warnFindings } from '../dtpm/target.js';
import { formatPower } from '../../../core/units.js';

export function cpuListOption(flag: string, v: unknown): number[] | null {
  if (typeof v !== 'string') return null;
  try {
    const l = parseCpuList(v);
    if (l.length === 0) throw new Error('empty');
    return l;
  } catch {
    throw usageError(`invalid CPU list for ${flag}: '${v}'`, 'use numbers and ranges: 0-3,6');
  }
}

const intOption = (flag: string, v: unknown): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v) || Number(v) <= 0) throw usageError(`invalid ${flag} '${String(v)}': a positive integer`);
  return Number(v);
};

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const name = args[0] as string;
  if (ctx.globals.snapshot === undefined || opts.configfs) {
    throw usageError('registry add edits the registry stored in a snapshot: give --snapshot FILE',
      'a live kernel\'s registry is what its drivers register; create an empty snapshot with `powercapctl dtpm new FILE`');
  }
  const target = openTarget(ctx, { writing: true });
  if (target.kind !== 'snapshot') throw usageError('registry add needs --snapshot FILE');
  const o: AddDeviceOptions = {
    kind: opts.kind as AddDeviceOptions['kind'],
    domain: (opts.em as string | undefined) ?? null,
    cpus: cpuListOption('--cpus', opts.cpus),
    onlineCpus: cpuListOption('--online-cpus', opts.onlineCpus),
    powerMinUw: opts.powerMin === undefined ? null : Number(parsePowerUw(opts.powerMin as string)),
    powerMaxUw: opts.powerMax === undefined ? null : Number(parsePowerUw(opts.powerMax as string)),
    dtPaths: (opts.dtPath as string[] | undefined) ?? [],
  };
  for (const p of o.dtPaths!) if (!p.startsWith('/')) throw usageError(`invalid --dt-path '${p}': a device-tree path starts with /`, 'e.g. /cpus/cpu@100 or /gpu@ff9a0000');
  if (typeof opts.emTable === 'string') {
    const text = readUserFile(opts.emTable, { what: 'energy-model table' });
    const coefficient = intOption('--coefficient', opts.coefficient) ?? null;
    o.emStates = parseEmTable(text, opts.emTable, { cpu: defaultKind(name, o) === 'cpu', capacity: intOption('--capacity', opts.capacity) ?? 1024, coefficient });
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
