/**
 * The calls that make an installed unit take effect on the running system. Made
 * only when the target is the real root (`--root-dir /`): an image folder or a
 * package build is never touched by the host's systemd. A call that fails is a
 * failed command (exit 1) once its output has been printed: the files are in place,
 * the running system does not know them yet.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { failed, type PowercapError } from '../../../core/errors.js';
import type { SignalTrap } from '../../signals.js';

export interface Call { command: string; ok: boolean; output: string }

/** /bin: on merged-/usr systems a link to /usr/bin, on older ones where systemctl lives */
export const SYSTEMCTL = '/bin/systemctl';
export const UDEVADM = '/usr/bin/udevadm';
export const SYSTEMD_TMPFILES = '/bin/systemd-tmpfiles';
export const systemctl = (...args: string[]) => [SYSTEMCTL, ...args];

/** Run the calls in order; a signal (the command's trap) stops before the next one. */
export function runCalls(calls: string[][], trap?: SignalTrap): Call[] {
  const out: Call[] = [];
  for (const argv of calls) {
    if (trap?.isInterrupted()) break;
    const command = argv.join(' ');
    if (!fs.existsSync(argv[0]!)) {
      out.push({ command, ok: false, output: `${argv[0]} not found (no systemd here?)` });
      continue;
    }
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    out.push({ command, ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || (r.error ? r.error.message : '') });
  }
  return out;
}

/** `FAILED: cmd: first line of its output` or `ran: cmd`, for the human report. */
export const callLine = (c: Call) => `${c.ok ? 'ran' : 'FAILED'}: ${c.command}${c.ok || !c.output ? '' : `: ${c.output.split('\n')[0]}`}`;

/**
 * After the report: the error for calls that failed (exit 1) or were not made because a
 * signal came (exit 128+N), naming them; null when every call ran.
 * `done` says what is in place whatever the calls did ("the units are installed").
 */
export function callsError(asked: string[][], calls: Call[], done: string, trap?: SignalTrap): PowercapError | null {
  const notRun = asked.slice(calls.length).map((a) => a.join(' '));
  if (trap?.signal) {
    return trap.error(`interrupted by ${trap.signal}: ${done}${notRun.length ? `; not run: ${notRun.join(', ')}` : ''}`,
      notRun.length ? 'run them by hand' : undefined);
  }
  const bad = calls.filter((c) => !c.ok);
  if (bad.length === 0) return null;
  const first = bad[0]!;
  const why = first.output ? `: ${first.output.split('\n')[0]}` : '';
  return failed(bad.length === 1 ? `${first.command} failed${why}; ${done}` : `${bad.length} of ${calls.length} calls failed (${bad.map((c) => c.command).join(', ')}); first${why}; ${done}`,
    'run them by hand once systemd and udev are up');
}
