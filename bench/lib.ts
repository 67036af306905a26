/**
 * Benchmark helpers. Every figure is a ratio against a baseline measured in the
 * same run on the same machine (node -e 0, cat over the same files, …), so the
 * targets hold on a slow CI box as on a fast laptop.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin/powercapctl');

export interface BenchResult {
  name: string;
  /** the measured figure, in `unit` */
  value: number;
  /** the baseline figure in the same unit (null for absolute targets such as MiB) */
  baseline: number | null;
  unit: string;
  /** value / baseline, or value for absolute figures */
  ratio: number;
  /** the target the ratio must stay at or under */
  target: number;
  /** what the baseline is, for the report */
  against: string;
}

export interface BenchCase {
  name: string;
  issue: number;
  run(): Promise<BenchResult[]> | BenchResult[];
}

export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Wall time of a command, median of `runs` after `warmup` runs. */
export function timeCommand(cmd: string, args: string[], opts: { runs?: number; warmup?: number; env?: NodeJS.ProcessEnv; shell?: boolean } = {}): Timing {
  const runs = opts.runs ?? 15;
  const times: number[] = [];
  for (let i = 0; i < (opts.warmup ?? 3) + runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], shell: opts.shell ?? false });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= (opts.warmup ?? 3)) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, runs };
}

/** Interleaved timing of two commands (A B A B …), so machine noise hits both alike. */
export function timePair(a: [string, string[]], b: [string, string[]], opts: { runs?: number; env?: NodeJS.ProcessEnv; shell?: [boolean, boolean] } = {}): [Timing, Timing] {
  const runs = opts.runs ?? 15;
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    for (const [which, [cmd, args], out] of [[0, a, ta], [1, b, tb]] as const) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], shell: opts.shell?.[which] ?? false });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      if (i >= 3) out.push(ms);
    }
  }
  const stat = (t: number[]): Timing => {
    t.sort((x, y) => x - y);
    return { medianMs: t[Math.floor(t.length / 2)]!, minMs: t[0]!, runs };
  };
  return [stat(ta), stat(tb)];
}

/** Peak RSS (MiB) of one powercapctl run, as GNU time reports it for the process (the launcher execs Node). */
export function peakRssMiB(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'powercapctl-bench-maxrss-kb=%M', BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /powercapctl-bench-maxrss-kb=([0-9]+)/.exec(r.stderr ?? '');
  if (!m) throw new Error(`no RSS figure (exit ${r.status}; is GNU time installed at /usr/bin/time?): ${r.stderr}`);
  return Number(m[1]) / 1024;
}

/** powercapctl as a user runs it: the executable (its launcher runs the bundle with its code cache) */
export const nodeArgs = (args: string[]): [string, string[]] => [BIN, args];

const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime of a process, seconds (/proc/PID/stat fields 14 and 15) */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** a process's resident set, MiB (/proc/PID/status VmRSS) */
export const rssMiB = (pid: number) => Number(/VmRSS:\s+([0-9]+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
