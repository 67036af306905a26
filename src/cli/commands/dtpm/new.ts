import type { CommandContext } from '../../context.js';
import { emptySnapshotDoc, SnapshotFile } from '../../../core/snapshot/file.js';
import { checkNewFile } from '../../output-file.js';
import type { DtpmNewArgs, DtpmNewOptions } from './spec.js';

export async function run(ctx: CommandContext, [file]: DtpmNewArgs, opts: DtpmNewOptions): Promise<void> {
  checkNewFile(file, opts.force);
  const doc = emptySnapshotDoc({ hostname: opts.hostname, kernelRelease: opts.kernelRelease, machine: opts.machine });
  doc.origin = { generatedBy: 'powercapctl dtpm new' };
  if (opts.description !== undefined) doc.description = opts.description;
  doc.powercap = { dirs: { dtpm: { attrs: { enabled: '1\n' } } } };
  doc.energyModel = null;
  doc.dtpm = { registry: [] };
  new SnapshotFile(file, doc).save();
  if (ctx.globals.json) ctx.io.json({ file, created: true });
  else ctx.io.note(`created ${file}: an empty DTPM board; next: powercapctl --snapshot ${file} registry add NAME …`);
}
