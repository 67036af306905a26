/**
 * Issue 6: the completion fast path (`powercapctl __complete …`, loaded before
 * commander) answers in ≤ 1.5× `node -e 0`, measured interleaved in the same run:
 * zone ids and names of the laptop example, and of a live fixture tree via --root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, nodeArgs, timePair, type BenchCase } from './lib.js';
import { writeFixtureTree, makeTempDir } from '../test/fixtures/sysfs.js';
import { intelLaptop } from '../test/fixtures/specs.js';

const laptopExample = path.join(ROOT, 'examples/intel-laptop.json');

export const cases: BenchCase[] = [
  {
    name: 'completion fast path (zones of a snapshot) vs node -e 0',
    issue: 6,
    run() {
      const [tool, node] = timePair(nodeArgs(['__complete', 'zone', '--snapshot', laptopExample]), [process.execPath, ['-e', '0']], { runs: 25 });
      return [{ name: '__complete zone --snapshot (laptop) / node -e 0', value: tool.medianMs, baseline: node.medianMs, unit: 'ms', ratio: tool.medianMs / node.medianMs, target: 1.5, against: 'node -e 0' }];
    },
  },
  {
    name: 'completion fast path (zones of a live tree) vs node -e 0',
    issue: 6,
    run() {
      const dir = makeTempDir('powercapctl-bench-');
      try {
        const t = writeFixtureTree(dir, intelLaptop);
        const [tool, node] = timePair(nodeArgs(['__complete', 'zone', '--root', t.classRoot]), [process.execPath, ['-e', '0']], { runs: 25 });
        return [{ name: '__complete zone --root (laptop tree) / node -e 0', value: tool.medianMs, baseline: node.medianMs, unit: 'ms', ratio: tool.medianMs / node.medianMs, target: 1.5, against: 'node -e 0' }];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
