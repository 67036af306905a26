import type { ArgsOf, ArgSpec, CommandSpec } from '../../spec.js';
import { oneOf } from '../../option-values.js';
import { SHELLS } from '../../completion/table.js';

const args = [
  { name: 'shell', description: 'the shell to complete for: bash, zsh or fish', required: true, value: oneOf(SHELLS) },
] as const satisfies readonly ArgSpec[];

export type CompletionArgs = ArgsOf<typeof args>;

export const completionSpec: CommandSpec = {
  name: 'completion',
  group: 'setup',
  summary: 'print the shell completion script for bash, zsh or fish',
  description:
    'Print a completion script on stdout. It completes subcommands, options and their values (--format choices,\n' +
    '--constraint names) and zone ids and names read from the tree the line points at (--root, --snapshot, or\n' +
    'POWERCAPCTL_ROOT/POWERCAPCTL_SNAPSHOT). The files under completions/ are these scripts. See docs/completion.md.',
  args,
  examples: [
    { command: 'mkdir -p ~/.local/share/bash-completion/completions && powercapctl completion bash > ~/.local/share/bash-completion/completions/powercapctl', description: 'bash, loaded on demand' },
    { command: 'mkdir -p ~/.zfunc && powercapctl completion zsh > ~/.zfunc/_powercapctl', description: 'zsh: with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc' },
    { command: 'mkdir -p ~/.config/fish/completions && powercapctl completion fish > ~/.config/fish/completions/powercapctl.fish', description: 'fish' },
  ],
  load: () => import('./run.js'),
};
