/** What the commands that work on a DTPM hierarchy declare alike (create-node, delete-node, the dtpm subcommands). */
import type { ArgSpec, OptionSpec } from '../../spec.js';
import { dir } from '../../option-values.js';

/** PATH of create-node and delete-node */
export const nodePathArg = { name: 'path', description: 'node path, names separated by /', required: true, complete: 'dtpm-node' } as const satisfies ArgSpec;

/** --configfs DIR: the seed's configfs-style directory instead of the source; `what` says what the command does there */
export const configfsOption = <const W extends string>(what: W) => ({ flags: '--configfs <dir>', description: what, value: dir }) as const satisfies OptionSpec;

export const dryRunOption = { flags: '-n, --dry-run', description: 'check and show the result, change nothing' } as const satisfies OptionSpec;
