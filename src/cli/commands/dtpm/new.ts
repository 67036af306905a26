import * as fs from 'node:fs';
import type { CommandContext } from '../../context.js';
import { emptySnapshotDoc, SnapshotFile } from '../../../core/snapshot/file.js';
import { usageError } from '../../../core/errors.js';
import type { DtpmNewArgs, DtpmNewOptions } from './spec.js';

export async function run(ctx: CommandContext, [file]: DtpmNewArgs, opts: DtpmNewOptions): Promise<void> {
  // the file exists: a usage error (exit 2), as `snapshot save` and `profile save` say it
  if (fs.existsSync(file) && !opts.force) throw usageError(`${file} exists: nothing was written`, 'use --force to replace it');
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
