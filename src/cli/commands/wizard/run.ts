/**
 * `powercapctl wizard [limit|dtpm]`: the interactive front door. Prompts come
 * from @inquirer/prompts, loaded here only (never for another command). Nothing
 * is written before the final confirmation; Ctrl-C at any prompt (inquirer's
 * ExitPromptError) leaves everything untouched and exits 130.
 */
import type { CommandContext } from '../../context.js';
import { Exit, PowercapError, usageError } from '../../../core/errors.js';

import type { Prompts } from './commandline.js';
import type { WizardArgs } from './spec.js';

export type { Prompts } from './commandline.js';

/** What to do without a terminal: the commands the wizard stands for. */
export const NON_INTERACTIVE_HINT =
  'use the commands instead: powercapctl set-limit ZONE POWER [--constraint NAME] [--time-window DURATION] --yes, ' +
  'or powercapctl --snapshot FILE create-node PATH';

/** inquirer throws these when the prompt is closed by Ctrl-C (or its input goes away). */
export function isPromptExit(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}

export async function run(ctx: CommandContext, [given]: WizardArgs): Promise<void> {
  if (ctx.globals.json) throw usageError('the wizard is interactive: it has no --json output', NON_INTERACTIVE_HINT);
  if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) {
    throw usageError(`the wizard needs a terminal (${!ctx.io.stdinIsTTY ? 'stdin' : 'stdout'} is not one)`, NON_INTERACTIVE_HINT);
  }
  const prompts: Prompts = await import('@inquirer/prompts');
  try {
    const task = given ?? await prompts.select({
      message: 'What do you want to do?',
      choices: [
        { name: 'Cap a zone: set a power limit (and time window)', value: 'limit' },
        { name: 'Build a DTPM hierarchy on a snapshot', value: 'dtpm' },
      ],
    });
    if (task === 'dtpm') {
      const { dtpmFlow } = await import('./dtpm.js');
      await dtpmFlow(ctx, prompts);
    } else {
      const { limitFlow } = await import('./limit.js');
      await limitFlow(ctx, prompts);
    }
  } catch (err) {
    if (isPromptExit(err)) throw new PowercapError(Exit.INTERRUPTED, 'cancelled: nothing was changed');
    throw err;
  }
}
