/** `powercapctl completion SHELL`: print the script (the same text as completions/*). */
import type { CommandContext } from '../../context.js';
import type { CommandSpec } from '../../spec.js';
import { completionScript } from '../../completion/index.js';
import type { CompletionArgs } from './spec.js';

export function run(ctx: CommandContext, [shell]: CompletionArgs, _opts: unknown, commands: readonly CommandSpec[]): void {
  ctx.io.out(completionScript(shell, commands));
}
