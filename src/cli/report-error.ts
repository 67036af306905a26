/**
 * The one catch: a PowercapError prints its message and hint (two lines at most)
 * and gives its exit code; anything else is a bug, reported in one line with a
 * pointer to --verbose, which shows the stack.
 */
import { PowercapError, SysfsError, Exit, exitForErrno } from '../core/errors.js';
import { visible } from './visible.js';

export function reportError(err: unknown, verbose: boolean): number {
  // messages quote names and values from files: never raw to the terminal (cli/visible.ts)
  const w = (s: string) => process.stderr.write(visible(s) + '\n');
  if (err instanceof PowercapError) {
    w(`powercapctl: ${err.message}`);
    if (err.hint) w(`  ${err.hint}`);
    if (verbose && err.stack) w(err.stack);
    return err.exitCode;
  }
  if (err instanceof SysfsError) {
    w(`powercapctl: ${err.path}: ${err.errno}`);
    if (verbose && err.stack) w(err.stack);
    return exitForErrno(err.errno);
  }
  const e = err as Error;
  w(`powercapctl: internal error: ${e?.message ?? String(err)}`);
  if (verbose && e?.stack) w(e.stack);
  else w('  run again with --verbose for details, and report it');
  return Exit.FAILED;
}
