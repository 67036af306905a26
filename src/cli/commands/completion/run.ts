/** `powercapctl completion SHELL`: print the script (the same text as completions/*). */
import type { CommandContext } from '../../context.js';
import type { CommandSpec } from '../../spec.js';
import { usageError } from '../../../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../../completion/index.js';

export function run(ctx: CommandContext, args: unknown[], _opts: unknown, commands: readonly CommandSpec[]): void {
  const shell = String(args[0]);
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw usageError(`no completion for shell '${shell}'`, `choose one of: ${SHELLS.join(', ')}`);
  }
  ctx.io.out(completionScript(shell as Shell, commands));
}
