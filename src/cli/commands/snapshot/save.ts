import type { CommandContext } from '../../context.js';
import { checkNewFile } from '../../output-file.js';
import { captureSnapshot } from '../../../core/snapshot/capture.js';
import { SnapshotFile } from '../../../core/snapshot/file.js';
import type { SnapshotSaveArgs, SnapshotSaveOptions } from './spec.js';

/** A live tree only (its spec says so: a snapshot is copied with cp). */
export async function run(ctx: CommandContext, [file]: SnapshotSaveArgs, opts: SnapshotSaveOptions): Promise<void> {
  checkNewFile(file, opts.force);
  const src = ctx.source();
  let spinner: { text: string; succeed(t: string): void; stop(): void } | null = null;
  if (ctx.io.interactive && ctx.io.stderrIsTTY) {
    const { default: ora } = await import('ora');
    spinner = ora({ text: 'reading zones…', stream: process.stderr }).start();
  }
  let doc;
  try {
    doc = captureSnapshot(src.powercap, {
      energyModel: ctx.energyModel(),
      rootPath: ctx.rootPath,
      emRootPath: ctx.energyModel() ? ctx.emRootPath : null,
      hwmonRootPath: src.hwmonRoot,
      onZone: spinner ? (n) => { if (n % 64 === 0) spinner!.text = `reading zones… ${n}`; } : undefined,
    });
  } catch (err) {
    spinner?.stop();
    throw err;
  }
  if (opts.description !== undefined) doc.description = opts.description;
  const snap = new SnapshotFile(file, doc);
  snap.save();
  const zones = countZones(doc.powercap);
  const em = doc.energyModel ? Object.keys(doc.energyModel.dirs ?? {}).length : 0;
  const summary = `saved ${file}: ${zones} zone${zones === 1 ? '' : 's'}${em ? `, ${em} energy-model domain${em === 1 ? '' : 's'}` : ''}`;
  if (spinner) spinner.succeed(summary);
  if (ctx.globals.json) ctx.io.json({ file, zones, energyModelDomains: em, capturedAt: doc.capturedAt });
  else if (!spinner) ctx.io.note(summary);
}

function countZones(node: { dirs?: Record<string, unknown> }, depth = 0): number {
  let n = 0;
  for (const child of Object.values(node.dirs ?? {})) {
    if (depth > 0) n++;
    n += countZones(child as { dirs?: Record<string, unknown> }, depth + 1);
  }
  return n;
}
