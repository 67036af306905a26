/**
 * What a command runner gets: the global options resolved (flags over env over
 * defaults), the Io, and the source opened on demand.
 */
import { Io } from './io.js';
import { GLOBAL_OPTIONS } from './spec.js';
import { optionNames } from './options.js';
import { openSource, DEFAULT_EM_ROOT, DEFAULT_ROOT, type OpenedSource } from '../core/source/open.js';
import { Exit, exitForErrno } from '../core/errors.js';

export interface Globals {
  root: string | undefined;
  snapshot: string | undefined;
  emRoot: string | undefined;
  /** the hwmon root named (flag or environment); undefined: the default, read with the default root only */
  hwmonRoot: string | undefined;
  powerSupplyRoot: string | undefined;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export class CommandContext {
  readonly io: Io;
  private opened: OpenedSource | undefined;
  private emHinted = false;
  constructor(
    readonly globals: Globals,
    /** the full command path, e.g. "model em", for messages */
    readonly commandName: string,
  ) {
    this.io = new Io({ command: commandName, json: globals.json, quiet: globals.quiet, verbose: globals.verbose, color: globals.color });
  }

  /** the process runs as root: a refusal is then the kernel's, not a permission */
  get isRoot(): boolean {
    return process.getuid?.() === 0;
  }

  /** the live root in effect (for messages), or undefined on a snapshot */
  get rootPath(): string {
    return this.globals.root ?? DEFAULT_ROOT;
  }
  get emRootPath(): string {
    return this.globals.emRoot ?? DEFAULT_EM_ROOT;
  }

  /**
   * The energy model, for the commands that use it (model, registry, snapshot save,
   * tree and watch where DTPM caps are shown). An unreadable debugfs (0700 for
   * ordinary users) is "no energy model" with one hint, never a failure.
   */
  energyModel(): import('../core/source/types.js').Source | null {
    const src = this.source();
    const em = src.energyModel;
    const p = src.energyModelProblem;
    if (p && exitForErrno(p.errno) === Exit.PERMISSION && !this.emHinted) {
      this.emHinted = true;
      this.io.note(`hint: the energy model (${p.path}) is readable by root only: shown without it; run with sudo, or give --em-root DIR`);
    }
    return em;
  }

  /**
   * Open the source once (live tree or snapshot) for this command. A command that changes a
   * snapshot says `{ write: true }` on its first call: the snapshot is then locked before it is
   * read, until the process ends, so two writers serialise (core/atomic.ts lockFile).
   */
  source(o: { write?: boolean } = {}): OpenedSource {
    this.opened ??= openSource({
      root: this.globals.root,
      snapshot: this.globals.snapshot,
      emRoot: this.globals.emRoot,
      hwmonRoot: this.globals.hwmonRoot,
      // no GPUs because the hwmon root could not be read: said with -v only (a machine without hwmon is usual)
      onHwmonProblem: (p) => this.io.debug(`no GPU power caps read: ${p.path}: ${p.errno === 'ENOENT' ? 'does not exist' : p.errno}`),
      faults: process.env.POWERCAPCTL_FAULTS,
      // an after-write rule's signal, sent to this process as a user's Ctrl-C would be (docs/testing.md)
      onFaultEvent: (e) => process.kill(process.pid, e.signal),
      lockSnapshot: o.write === true,
    });
    return this.opened;
  }
}

/**
 * Resolve globals: an explicit flag wins; then the environment; a flag for one
 * source overrides an environment variable for the other.
 */
export function resolveGlobals(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Globals {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  /** a global's value: its flag, else its environment variable (spec.ts GLOBAL_OPTIONS `env`) */
  const fromEnv = (key: string) => {
    const name = GLOBAL_OPTIONS.find((o) => optionNames(o.flags).key === key)?.env;
    return name === undefined ? undefined : str(env[name]);
  };
  let root = str(flags.root);
  let snapshot = str(flags.snapshot);
  if (root === undefined && snapshot === undefined) {
    root = fromEnv('root');
    snapshot = fromEnv('snapshot');
    if (root !== undefined && snapshot !== undefined) root = undefined; // the snapshot is the more specific choice
  }
  return {
    root,
    snapshot,
    emRoot: str(flags.emRoot) ?? fromEnv('emRoot'),
    hwmonRoot: str(flags.hwmonRoot) ?? fromEnv('hwmonRoot'),
    powerSupplyRoot: str(flags.powerSupplyRoot) ?? fromEnv('powerSupplyRoot'),
    json: flags.json === true,
    color: flags.color !== false,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
  };
}
