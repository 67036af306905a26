import type { CommandContext } from '../../context.js';
import { openTarget, snapshotTarget, targetJson } from '../dtpm/target.js';
import type { RegistryRemoveArgs } from './spec.js';

export async function run(ctx: CommandContext, [name]: RegistryRemoveArgs): Promise<void> {
  const target = snapshotTarget(openTarget(ctx, { writing: true }));
  const removed = target.source.unregisterDevice(name);
  target.source.snapshot.save();
  if (ctx.globals.json) ctx.io.json({ target: targetJson(target), removed });
  else ctx.io.out(`removed ${removed.name} from the registry`);
}
