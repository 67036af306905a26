/**
 * The calls that make an installed unit take effect on the running system. Made
 * only when the target is the real root (`--root-dir /`): an image folder or a
 * package build is never touched by the host's systemd.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SYSTEMCTL } from '../../../core/persist/units.js';

export interface Call { command: string; ok: boolean; output: string }

export function runCalls(calls: string[][]): Call[] {
  const out: Call[] = [];
  for (const argv of calls) {
    const command = argv.join(' ');
    if (!fs.existsSync(argv[0]!)) {
      out.push({ command, ok: false, output: `${argv[0]} not found (no systemd here?)` });
      continue;
    }
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    out.push({ command, ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() });
  }
  return out;
}

export const UDEVADM = '/usr/bin/udevadm';
export const systemctl = (...args: string[]) => [SYSTEMCTL, ...args];
