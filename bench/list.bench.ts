/**
 * Issue 2: start-up and bulk reading.
 * - `list --json` on the laptop example: ≤ 1.5× `node -e 0`.
 * - `list --json` on a 4096-zone tree: ≤ 1.2× `find … -type f | xargs cat` over the same tree,
 *   peak RSS < 120 MiB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, nodeArgs, peakRssMiB, timePair, type BenchCase } from './lib.js';
import { writeFixtureTree, makeTempDir } from '../test/fixtures/sysfs.js';
import { bigTree } from '../test/fixtures/specs.js';

const laptopExample = path.join(ROOT, 'examples/intel-laptop.json');

export const cases: BenchCase[] = [
  {
    name: 'list --json on the laptop example vs node -e 0',
    issue: 2,
    run() {
      const [tool, node] = timePair(nodeArgs(['--snapshot', laptopExample, 'list', '--json']), [process.execPath, ['-e', '0']], { runs: 25 });
      return [{ name: 'list --json (laptop example) / node -e 0', value: tool.medianMs, baseline: node.medianMs, unit: 'ms', ratio: tool.medianMs / node.medianMs, target: 1.5, against: 'node -e 0' }];
    },
  },
  {
    name: 'list --json on 4096 zones vs cat',
    issue: 2,
    run() {
      const dir = makeTempDir('powercapctl-bench-');
      try {
        const t = writeFixtureTree(dir, bigTree());
        const zones = fs.readdirSync(t.classRoot).filter((n) => n.includes(':')).length;
        if (zones !== 4096) throw new Error(`expected 4096 zones, found ${zones}`);
        // cat over the same attribute files the tool reads: every regular file of every zone
        const catCmd = `find ${t.devicesRoot} -type f -not -path '*/power/*' -not -name uevent | xargs cat > /dev/null`;
        const [tool, cat] = timePair(nodeArgs(['--root', t.classRoot, 'list', '--json']), ['bash', ['-c', catCmd]], { runs: 9 });
        const rss = peakRssMiB(['--root', t.classRoot, 'list', '--json']);
        return [
          { name: 'list --json (4096 zones) / find|xargs cat', value: tool.medianMs, baseline: cat.medianMs, unit: 'ms', ratio: tool.medianMs / cat.medianMs, target: 1.2, against: 'find | xargs cat' },
          { name: 'list --json (4096 zones) peak RSS', value: rss, baseline: null, unit: 'MiB', ratio: rss, target: 120, against: '' },
        ];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
