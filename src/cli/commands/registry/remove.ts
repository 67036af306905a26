import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { openTarget, targetJson } from '../dtpm/target.js';

export async function run(ctx: CommandContext, args: unknown[], _opts: Record<string, unknown>): Promise<void> {
  if (ctx.globals.snapshot === undefined) throw usageError('registry remove edits the registry stored in a snapshot: give --snapshot FILE');
  const target = openTarget(ctx, { writing: true });
  if (target.kind !== 'snapshot') throw usageError('registry remove needs --snapshot FILE');
  const removed = target.source.unregisterDevice(args[0] as string);
  target.source.snapshot.save();
  if (ctx.globals.json) ctx.io.json({ target: targetJson(target), removed });
  else ctx.io.out(`removed ${removed.name} from the registry`);
}
