/**
 * What the DTPM commands (create-node, delete-node, registry, dtpm …) work on:
 * a configfs-style directory (`--configfs DIR`), else the source: a snapshot
 * (editable) or a live tree (read-only: the kernel builds the hierarchy at boot).
 * Also the shared rendering of findings and node numbers.
 */
import type { CommandContext } from '../../context.js';
import { readHierarchy, type DtpmTarget } from '../../../core/dtpm/edit.js';
import type { Finding } from '../../../core/dtpm/findings.js';
import type { DtpmNode } from '../../../core/kernel/dtpm.js';
import { readEnergyModel } from '../../../core/em/debugfs.js';
import { formatPower } from '../../../core/units.js';

export interface TargetOptions {
  configfs?: string | undefined;
  dryRun?: boolean | undefined;
  /** the command changes the target: check a snapshot can be replaced before anything else */
  writing?: boolean;
}

export function openTarget(ctx: CommandContext, o: TargetOptions): DtpmTarget {
  const src = ctx.source({ write: o.writing === true && !o.dryRun && !o.configfs });
  if (o.configfs) {
    // which names the kernel would take as devices: the snapshot's registry, or what the live tree implies
    if (src.snapshot) {
      return { kind: 'configfs', dir: o.configfs, registry: src.registry, domains: src.energyModel ? readEnergyModel(src.energyModel) : [], dryRun: o.dryRun === true };
    }
    const live = readHierarchy({ kind: 'live', powercap: src.powercap, energyModel: ctx.energyModel() });
    return { kind: 'configfs', dir: o.configfs, registry: live.registry, domains: live.domains, dryRun: o.dryRun === true };
  }
  if (src.emulated) {
    if (o.writing && !o.dryRun) src.emulated.snapshot.assertWritable();
    return { kind: 'snapshot', source: src.emulated, dryRun: o.dryRun === true };
  }
  return { kind: 'live', powercap: src.powercap, energyModel: ctx.energyModel() };
}

/** The target of a command that works on a snapshot only (its spec says `source: 'snapshot'`: the program refused any other). */
export function snapshotTarget(t: DtpmTarget): Extract<DtpmTarget, { kind: 'snapshot' }> {
  if (t.kind !== 'snapshot') throw new Error(`a snapshot-only command opened a ${t.kind} target`);
  return t;
}

export function targetJson(t: DtpmTarget): Record<string, unknown> {
  switch (t.kind) {
    case 'snapshot': return { kind: 'snapshot', file: t.source.snapshot.path };
    case 'configfs': return { kind: 'configfs', dir: t.dir };
    case 'live': return { kind: 'live', root: t.powercap.info.kind === 'live' ? t.powercap.info.root : null };
  }
}

/** Findings after a change: warnings on stderr (exit status unaffected). */
export function warnFindings(ctx: CommandContext, findings: Finding[]): void {
  for (const f of findings) ctx.io.warn(`${f.message} [${f.code}]`);
}

export function nodeJson(n: DtpmNode) {
  return {
    path: n.path,
    name: n.name,
    type: n.device ? 'device' : 'virtual',
    device: n.device ? { name: n.device.name, kind: n.device.kind, domain: n.device.domain ?? null } : null,
    zoneId: n.zoneId,
    powerMinUw: n.powerMinUw,
    powerMaxUw: n.powerMaxUw,
    powerLimitUw: n.powerLimitUw,
    weight: n.weight,
    powerUw: n.powerUw,
  };
}

/** `virtual  0 µW–0 µW  weight 1024` style summary of a node. */
export function nodeSummary(n: DtpmNode): string {
  const kind = n.device ? `device ${n.device.kind}` : 'virtual';
  return `${kind}${n.zoneId ? `  ${n.zoneId}` : ''}  range ${formatPower(n.powerMinUw)}–${formatPower(n.powerMaxUw)}  weight ${n.weight}`;
}
