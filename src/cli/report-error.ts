/**
 * The one catch: a PowercapError prints its message and hint (two lines at most)
 * and gives its exit code; anything else is a bug, reported in one line with a
 * pointer to --verbose, which shows the stack.
 */
import { PowercapError, SysfsError, Exit, exitForErrno } from '../core/errors.js';
import { writeStderr } from './io.js';
import { hintFor, messageFor } from './hints.js';
import { mapStack } from './stack-trace.js';

/**
 * `command`: the command path that ran ("set-limit", "model em"), which words the way out of a
 * refusal (hints.ts); `source`: the user's source options, kept in a command the hint names.
 */
export function reportError(err: unknown, verbose: boolean, command = '', source: readonly string[] = []): number {
  // messages quote names and values from files: never raw to the terminal (writeStderr shows every escape)
  const w = writeStderr;
  if (err instanceof PowercapError) {
    w(`powercapctl: ${messageFor(err)}`);
    const hint = hintFor(err.reason, command, err.hint, { source });
    if (hint) w(`  ${hint}`);
    if (verbose && err.stack) w(mapStack(err.stack));
    return err.exitCode;
  }
  if (err instanceof SysfsError) {
    w(`powercapctl: ${err.path}: ${err.errno}`);
    if (verbose && err.stack) w(mapStack(err.stack));
    return exitForErrno(err.errno);
  }
  const e = err as Error;
  w(`powercapctl: internal error: ${e?.message ?? String(err)}`);
  if (verbose && e?.stack) w(mapStack(e.stack));
  else w('  run again with --verbose for details, and report it');
  return Exit.FAILED;
}
