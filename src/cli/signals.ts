/**
 * Catchable fatal signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT). A command that writes in several
 * steps traps them for the transaction (trapSignals): the writes stop, what was written is rolled
 * back, and the command exits 128+N. While a file is written (core/atomic.ts), a signal ends the
 * process only once the write is whole, after removing any temporary file: an interrupted run
 * never leaves `.NAME.PID.*.tmp` files nor a half-written file behind. Elsewhere a signal keeps
 * its default action.
 */
import { removeTempFiles, setWriteGuard } from '../core/atomic.js';
import { PowercapError, type ExitCode } from '../core/errors.js';
import { writeStderr } from './io.js';

export const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type FatalSignal = (typeof FATAL_SIGNALS)[number];
const NUMBER: Record<FatalSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** The exit status of a process ended by `sig`: 128 + its number, as shells report it. */
export const signalExit = (sig: FatalSignal): ExitCode => (128 + NUMBER[sig]) as ExitCode;

function onFatal(sig: FatalSignal): void {
  // a trap or a command's own handler (watch stops cleanly) is listening: it decides
  if (process.listenerCount(sig) > 1) return;
  removeTempFiles();
  writeStderr(`powercapctl: interrupted by ${sig}`);
  process.exit(signalExit(sig));
}

/**
 * Installed once at start-up (main.ts). A signal keeps its default action (a busy read-only
 * command dies at once) except while a file is written: from the temporary file's creation
 * until the event loop turns after its rename, the signal is caught, so it takes effect once
 * the write is whole, with no temporary file left, and the process exits 128+N.
 */
export function installSignalHandlers(): void {
  let depth = 0;
  let armed = false;
  setWriteGuard({
    enter() {
      depth++;
      if (!armed) {
        armed = true;
        for (const s of FATAL_SIGNALS) process.on(s, onFatal);
      }
    },
    leave() {
      depth--;
      // the signal is delivered on the event loop: keep listening until it has turned once
      setImmediate(() => {
        if (depth > 0 || !armed) return;
        armed = false;
        for (const s of FATAL_SIGNALS) process.off(s, onFatal);
      });
    },
  });
}

export interface SignalTrap {
  /** the first signal received since the trap was set, if any */
  readonly signal: FatalSignal | null;
  isInterrupted(): boolean;
  release(): void;
  /** the error for an interrupted transaction: exit 128+N, `message` says what was undone */
  error(message: string, hint?: string): PowercapError;
}

/**
 * Trap the fatal signals for a transaction: they are recorded, and the writer rolls back.
 * `onSignal` is told of each one as it arrives (a loop that sleeps between passes wakes up).
 */
export function trapSignals(onSignal?: (sig: FatalSignal) => void): SignalTrap {
  let got: FatalSignal | null = null;
  const handlers = FATAL_SIGNALS.map((s) => [s, () => { got ??= s; onSignal?.(s); }] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {
    get signal() { return got; },
    isInterrupted: () => got !== null,
    release: () => { for (const [s, h] of handlers) process.off(s, h); },
    error: (message, hint) => new PowercapError(signalExit(got ?? 'SIGINT'), message, hint),
  };
}

/** The applyPlan hooks of a trap: stop at the next write, and say which signal it was. */
export function trapHooks(trap: SignalTrap): { isInterrupted(): boolean; interruptedBy(): { signal: string; exitCode: number } | null } {
  return {
    isInterrupted: () => trap.isInterrupted(),
    interruptedBy: () => (trap.signal ? { signal: trap.signal, exitCode: signalExit(trap.signal) } : null),
  };
}
