/**
 * What a command runner gets: the global options resolved (flags over env over
 * defaults), the Io, and the source opened on demand.
 */
import { Io } from './io.js';
import { openSource, DEFAULT_EM_ROOT, DEFAULT_ROOT, type OpenedSource } from '../core/source/open.js';

export interface Globals {
  root: string | undefined;
  snapshot: string | undefined;
  emRoot: string | undefined;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export class CommandContext {
  readonly io: Io;
  private opened: OpenedSource | undefined;
  constructor(
    readonly globals: Globals,
    /** the full command path, e.g. "model em", for messages */
    readonly commandName: string,
  ) {
    this.io = new Io({ json: globals.json, quiet: globals.quiet, verbose: globals.verbose, color: globals.color });
  }

  /** the live root in effect (for messages), or undefined on a snapshot */
  get rootPath(): string {
    return this.globals.root ?? DEFAULT_ROOT;
  }
  get emRootPath(): string {
    return this.globals.emRoot ?? DEFAULT_EM_ROOT;
  }

  /** Open the source once (live tree or snapshot) for this command. */
  source(): OpenedSource {
    this.opened ??= openSource({
      root: this.globals.root,
      snapshot: this.globals.snapshot,
      emRoot: this.globals.emRoot,
      faults: process.env.POWERCAPCTL_FAULTS,
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
  let root = str(flags.root);
  let snapshot = str(flags.snapshot);
  if (root === undefined && snapshot === undefined) {
    root = str(env.POWERCAPCTL_ROOT);
    snapshot = str(env.POWERCAPCTL_SNAPSHOT);
    if (root !== undefined && snapshot !== undefined) root = undefined; // the snapshot is the more specific choice
  }
  return {
    root,
    snapshot,
    emRoot: str(flags.emRoot) ?? str(env.POWERCAPCTL_EM_ROOT),
    json: flags.json === true,
    color: flags.color !== false,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
  };
}
