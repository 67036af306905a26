/**
 * Issue 20: the cost of balance and sim.
 * - balance over 8 zones at 1 s: under 0.5 % of a core. Eight RAPL sockets served by
 *   `powercapctl sim --serve` (energy counters that step every 20 ms and wrap, demand moving
 *   between them under a 400 W budget), so each period reads counters until they step, decides
 *   and writes as on a machine. Measured as balance's own CPU time (utime + stime from
 *   /proc/PID/stat) over a 20 s window of wall time that starts once its first records are out:
 *   start-up (what `node -e 0` costs, and the one read of the tree) is not counted. The plant's
 *   process is not counted either: it stands in for the kernel.
 * - sim: a 10-minute scenario of 8 zones at 100 ms periods, `powercapctl sim FILE` as a user runs
 *   it (start-up included), under 2 s of wall time: the median of 5 runs.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, timeCommand, type BenchCase, type BenchResult, cpuSeconds } from './lib.js';
import { makeTempDir } from '../test/fixtures/sysfs.js';

const WINDOW_S = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const ZONES = Array.from({ length: 8 }, (_, i) => `intel-rapl:${i}`);

/** Eight declared sockets, their demand moving between them (`interval` for sim; serve ignores it). */
function eightZones(duration: string, interval: string): string {
  return [
    'version: 1', `duration: ${duration}`, `interval: ${interval}`, 'zones:', ...ZONES.map((z) => `  - { id: "${z}", max: 100W }`),
    'workload:', '  repeat: 40s', '  zones:',
    ...ZONES.flatMap((z, i) => [`    - zone: "${z}"`, '      demand:', ...[0, 1, 2, 3].map((k) => `        - { at: ${k * 10}s, power: ${[20, 90, 40, 70][(i + k) % 4]}W, ramp: 1s }`)]),
    'policy: { kind: balance, budget: 400W }', '',
  ].join('\n');
}

export const cases: BenchCase[] = [
  {
    name: 'balance 8 zones at 1 s: CPU share',
    issue: 20,
    async run(): Promise<BenchResult[]> {
      const dir = makeTempDir('powercapctl-bench-');
      const file = path.join(dir, 'eight.yaml');
      fs.writeFileSync(file, eightZones('1h', '1s'));
      const plant = spawn(BIN, ['sim', file, '--serve', path.join(dir, 'plant'), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let ready = '';
      plant.stdout.on('data', (d: Buffer) => { ready += d; });
      try {
        for (let i = 0; !ready.includes('\n'); i++) {
          if (i > 500 || plant.exitCode !== null) throw new Error('the plant did not start');
          await sleep(20);
        }
        const root = (JSON.parse(ready.split('\n')[0]!) as { powercap: string }).powercap;
        const child = spawn(BIN, ['--root', root, '--json', 'balance', '--budget', '400W', '--interval', '1s', ...ZONES], { stdio: ['ignore', 'pipe', 'pipe'] });
        let lines = 0;
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { for (let i = 0; i < d.length; i++) if (d[i] === 10) lines++; });
        child.stderr.on('data', (d: Buffer) => { stderr += d; });
        const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        try {
          for (let i = 0; lines < 2; i++) {
            if (i > 500 || child.exitCode !== null) throw new Error(`balance gave no records: ${stderr}`);
            await sleep(20);
          }
          const c0 = cpuSeconds(child.pid!);
          const t0 = process.hrtime.bigint();
          const l0 = lines;
          await sleep(WINDOW_S * 1000);
          const c1 = cpuSeconds(child.pid!);
          const wall = Number(process.hrtime.bigint() - t0) / 1e9;
          if (lines - l0 < WINDOW_S - 2) throw new Error(`only ${lines - l0} periods in ${WINDOW_S} s`);
          const percent = ((c1 - c0) / wall) * 100;
          return [{ name: `balance -i 1s (8 RAPL zones served, moving demand), CPU over ${WINDOW_S} s`, value: percent, baseline: null, unit: '% of a core', ratio: percent, target: 0.5, against: '' }];
        } finally {
          child.kill('SIGTERM');
          await exited;
        }
      } finally {
        plant.kill('SIGTERM');
        await new Promise((r) => plant.once('exit', r));
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'sim 10 min × 8 zones at 100 ms: wall time',
    issue: 20,
    run(): BenchResult[] {
      const dir = makeTempDir('powercapctl-bench-');
      try {
        const file = path.join(dir, 'eight.yaml');
        fs.writeFileSync(file, eightZones('10m', '100ms'));
        const t = timeCommand(BIN, ['sim', file], { runs: 5, warmup: 1 });
        return [{ name: 'powercapctl sim (10 min, 8 zones, 100 ms periods, 20 ms plant steps), start-up included', value: t.medianMs / 1000, baseline: null, unit: 's', ratio: t.medianMs / 1000, target: 2, against: '' }];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
