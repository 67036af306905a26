/**
 * Start-up and bulk reading (issues 2 and 10).
 * - `list --json` on the laptop example, from a checkout and from a global install of the
 *   packed tarball: ≤ 1.3× `node -e 0` each.
 * - `list --json` on a 4096-zone tree: ≤ 0.7× `find … -type f | xargs cat` over the same tree,
 *   peak RSS < 120 MiB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, nodeArgs, peakRssMiB, timePair, type BenchCase } from './lib.js';
import { writeFixtureTree, makeTempDir } from '../test/fixtures/sysfs.js';
import { bigTree } from '../test/fixtures/specs.js';

const laptopExample = path.join(ROOT, 'examples/intel-laptop.json');

/** `npm pack` this checkout and install the tarball globally into a temp prefix; the linked bin */
function globalInstall(dir: string): string {
  const npm = (args: string[]) => {
    const r = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm ${args.join(' ')}: ${r.stderr}`);
  };
  npm(['pack', '--pack-destination', dir]);
  const tgz = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  npm(['install', '-g', '--prefix', path.join(dir, 'prefix'), path.join(dir, tgz)]);
  return path.join(dir, 'prefix/bin/powercapctl');
}

export const cases: BenchCase[] = [
  {
    name: 'start-up: list --json on the laptop example, checkout and global install, vs node -e 0',
    issue: 10,
    run() {
      const args = ['--snapshot', laptopExample, 'list', '--json'];
      const dir = makeTempDir('powercapctl-bench-');
      try {
        const installed = globalInstall(dir);
        const [tool, node] = timePair(nodeArgs(args), [process.execPath, ['-e', '0']], { runs: 25 });
        const [inst, node2] = timePair([installed, args], [process.execPath, ['-e', '0']], { runs: 25 });
        return [
          { name: 'start-up, checkout: list --json (laptop example) / node -e 0', value: tool.medianMs, baseline: node.medianMs, unit: 'ms', ratio: tool.medianMs / node.medianMs, target: 1.3, against: 'node -e 0' },
          { name: 'start-up, global install of the packed tarball: list --json / node -e 0', value: inst.medianMs, baseline: node2.medianMs, unit: 'ms', ratio: inst.medianMs / node2.medianMs, target: 1.3, against: 'node -e 0' },
        ];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'list --json on 4096 zones vs cat',
    issue: 10,
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
          { name: 'list --json (4096 zones) / find|xargs cat', value: tool.medianMs, baseline: cat.medianMs, unit: 'ms', ratio: tool.medianMs / cat.medianMs, target: 0.7, against: 'find | xargs cat' },
          { name: 'list --json (4096 zones) peak RSS', value: rss, baseline: null, unit: 'MiB', ratio: rss, target: 120, against: '' },
        ];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
