/**
 * Completion scripts for bash, zsh and fish, generated from the command specs.
 * `powercapctl completion SHELL` prints one; `npm run gen` writes them to
 * completions/ (a test fails when those files are stale).
 */
import type { CommandSpec } from '../spec.js';
import { GLOBAL_OPTIONS } from '../spec.js';
import { completionTable, type Shell } from './table.js';
import { bashScript } from './bash.js';
import { zshScript } from './zsh.js';
import { fishScript } from './fish.js';

export { SHELLS, type Shell } from './table.js';

/** Where each script goes under completions/ (and what its shell expects it to be named). */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'completions/powercapctl.bash',
  zsh: 'completions/_powercapctl',
  fish: 'completions/powercapctl.fish',
};

export function completionScript(shell: Shell, commands: readonly CommandSpec[]): string {
  const table = completionTable(commands, GLOBAL_OPTIONS);
  switch (shell) {
    case 'bash':
      return bashScript(table);
    case 'zsh':
      return zshScript(table);
    case 'fish':
      return fishScript(table);
  }
}
