import type { CommandContext } from '../../context.js';
import { emptySnapshotDoc, SnapshotFile } from '../../../core/snapshot/file.js';
import { checkNewFile } from '../../output-file.js';

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const file = args[0] as string;
  checkNewFile(file, opts.force === true);
  const doc = emptySnapshotDoc({ hostname: String(opts.hostname), kernelRelease: String(opts.kernelRelease), machine: String(opts.machine) });
  doc.origin = { generatedBy: 'powercapctl dtpm new' };
  if (typeof opts.description === 'string') doc.description = opts.description;
  doc.powercap = { dirs: { dtpm: { attrs: { enabled: '1\n' } } } };
  doc.energyModel = null;
  doc.dtpm = { registry: [] };
  new SnapshotFile(file, doc).save();
  if (ctx.globals.json) ctx.io.json({ file, created: true });
  else ctx.io.note(`created ${file}: an empty DTPM board; next: powercapctl --snapshot ${file} registry add NAME …`);
}
