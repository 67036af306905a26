/**
 * Catchable fatal signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT). A command that writes in several
 * steps traps them for the transaction (trapSignals): the writes stop, what was written is rolled
 * back, and the command exits 128+N. Outside a trap, a signal ends the process the same way, but
 * only once the synchronous write in progress is done, after removing any temporary file: an
 * interrupted run never leaves `.NAME.PID.*.tmp` files nor a half-written file behind.
 */
import { removeTempFiles } from '../core/atomic.js';
import { PowercapError, type ExitCode } from '../core/errors.js';

export const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type FatalSignal = (typeof FATAL_SIGNALS)[number];
const NUMBER: Record<FatalSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** The exit status of a process ended by `sig`: 128 + its number, as shells report it. */
export const signalExit = (sig: FatalSignal): ExitCode => (128 + NUMBER[sig]) as ExitCode;

function onFatal(sig: FatalSignal): void {
  // a trap or a command's own handler (watch stops cleanly) is listening: it decides
  if (process.listenerCount(sig) > 1) return;
  removeTempFiles();
  process.stderr.write(`powercapctl: interrupted by ${sig}\n`);
  process.exit(signalExit(sig));
}

/** Installed once at start-up (main.ts), for every command. */
export function installSignalHandlers(): void {
  for (const s of FATAL_SIGNALS) process.on(s, onFatal);
}

export interface SignalTrap {
  /** the first signal received since the trap was set, if any */
  readonly signal: FatalSignal | null;
  isInterrupted(): boolean;
  release(): void;
  /** the error for an interrupted transaction: exit 128+N, `message` says what was undone */
  error(message: string, hint?: string): PowercapError;
}

/** Trap the fatal signals for a transaction: they are recorded, and the writer rolls back. */
export function trapSignals(): SignalTrap {
  let got: FatalSignal | null = null;
  const handlers = FATAL_SIGNALS.map((s) => [s, () => { got ??= s; }] as const);
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
