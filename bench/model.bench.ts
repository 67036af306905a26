/**
 * model: `model budget` over a 10 000-leaf DTPM tree and `model em` over a 1 000-state
 * table, each against the start-up of `powercapctl --version` measured in the same run
 * (interleaved). Targets: `model em` under 1.2× (issue 7); `model budget` with full --json output
 * under 2× (issue 11: emitting 2.7 MB of JSON is the floor, through the one DTPM engine).
 * Inputs are generated into a temp dir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { timePair, nodeArgs, type BenchCase, type BenchResult } from './lib.js';

const TARGET = 1.2;
const BUDGET_TARGET = 2;

function tempDir(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-bench-model-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** soc → 100 clusters → 100 leaves each, bounds and requests that vary from leaf to leaf. */
export function tenThousandLeafTree(): object {
  const clusters = [];
  for (let g = 0; g < 100; g++) {
    const leaves = [];
    for (let i = 0; i < 100; i++) {
      const max = 400_000 + ((g * 37 + i * 101) % 600) * 1000;
      leaves.push({ name: `c${g}-d${i}`, powerMaxUw: max, powerMinUw: Math.floor(max / 8), requestUw: Math.floor(max * (((g + i * 7) % 10) + 1) / 10) });
    }
    clusters.push({ name: `cluster${g}`, children: leaves });
  }
  return { name: 'soc', children: clusters };
}

/** 1 000 states: 100 MHz to 2.097 GHz, voltage rising with frequency (C·V²·f stays under 64 W). */
export function thousandStateCsv(): string {
  const rows = ['frequency_khz,voltage_uv'];
  for (let i = 0; i < 1000; i++) rows.push(`${100_000 + i * 2000},${600_000 + i * 600}`);
  return rows.join('\n') + '\n';
}

function ratio(name: string, a: [string, string[]], b: [string, string[]], target = TARGET): BenchResult {
  const [base, cmd] = timePair(a, b, { runs: 15 });
  return { name, value: cmd.medianMs, baseline: base.medianMs, unit: 'ms', ratio: cmd.medianMs / base.medianMs, target, against: 'powercapctl --version' };
}

export const cases: BenchCase[] = [
  {
    name: 'model budget: 10 000-leaf DTPM tree',
    issue: 11,
    run() {
      const t = tempDir();
      try {
        const file = path.join(t.dir, 'tree.json');
        fs.writeFileSync(file, JSON.stringify(tenThousandLeafTree()));
        return [
          ratio('model budget --tree (10 000 leaves) --json', nodeArgs(['--version']), nodeArgs(['model', 'budget', '--budget', '3kW', '--tree', file, '--json']), BUDGET_TARGET),
        ];
      } finally {
        t.cleanup();
      }
    },
  },
  {
    name: 'model em: 1 000-state table',
    issue: 7,
    run() {
      const t = tempDir();
      try {
        const file = path.join(t.dir, 'em.csv');
        fs.writeFileSync(file, thousandStateCsv());
        return [
          ratio('model em --opp-file (1 000 states) --json', nodeArgs(['--version']), nodeArgs(['model', 'em', '--opp-file', file, '--coefficient', '300', '--json'])),
          ratio('model em --opp-file (1 000 states), table', nodeArgs(['--version']), nodeArgs(['model', 'em', '--opp-file', file, '--coefficient', '300'])),
        ];
      } finally {
        t.cleanup();
      }
    },
  },
];
