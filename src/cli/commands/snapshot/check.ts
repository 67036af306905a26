import type { CommandContext } from '../../context.js';
import { loadSnapshotFile } from '../../../core/snapshot/file.js';
import { readPowercapTree } from '../../../core/zones/powercap-tree.js';
import type { SnapshotCheckArgs } from './spec.js';

export async function run(ctx: CommandContext, [file]: SnapshotCheckArgs): Promise<void> {
  const snap = loadSnapshotFile(file);
  const tree = readPowercapTree(snap.powercap);
  const result = {
    file,
    valid: true,
    snapshotVersion: snap.doc.version,
    capturedAt: snap.doc.capturedAt,
    host: snap.doc.host,
    zones: tree.zones.length,
    controlTypes: tree.controlTypes.map((c) => c.name),
    energyModelDomains: Object.keys(snap.doc.energyModel?.dirs ?? {}).length,
    registry: snap.registry.length,
    recording: snap.doc.recording !== undefined,
  };
  if (ctx.globals.json) ctx.io.json(result);
  else ctx.io.out(`${file}: valid snapshot v${result.snapshotVersion} of ${result.host.hostname} (${result.host.kernelRelease}), captured ${result.capturedAt}: ` +
    `${result.zones} zones (${result.controlTypes.join(', ') || 'none'})` +
    (result.energyModelDomains ? `, ${result.energyModelDomains} energy-model domains` : '') +
    (result.registry ? `, ${result.registry} registered devices` : ''));
}
