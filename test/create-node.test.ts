/**
 * create-node names (issue 14): a name that looks like a device (cpuN-cpufreq, *.gpu,
 * *-devfreq) but is not registered is refused unless --virtual says a virtual node is
 * meant; a name with a character the help does not allow exits 2. Nothing is written
 * when refused.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, ROOT } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { seedBoardDoc } from './fixtures/dtpm.js';

/** a board snapshot with only `registered` in its registry (none: a fresh board) */
function board(registered: string[]): { file: string; cleanup(): void } {
  const dir = makeTempDir();
  const doc = seedBoardDoc();
  doc.dtpm!.registry = doc.dtpm!.registry!.filter((e) => registered.includes(e.name));
  const file = path.join(dir, 'board.json');
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('create-node: a device name that is not registered', () => {
  test('on a fresh board, -p soc/package/cpu0-cpufreq is refused (exit 2), naming --virtual; nothing written', () => {
    const b = board([]);
    try {
      const before = fs.readFileSync(b.file, 'utf8');
      const r = run(['--snapshot', b.file, 'create-node', '-p', 'soc/package/cpu0-cpufreq']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /'cpu0-cpufreq' is named like a device but no such device is registered/);
      assert.match(r.stderr, /registered: none/);
      assert.match(r.stderr, /--virtual makes a virtual node/);
      assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
      assert.equal(fs.readFileSync(b.file, 'utf8'), before);
    } finally {
      b.cleanup();
    }
  });

  test('the refusal lists the devices that are registered; *.gpu and *-devfreq are caught too', () => {
    const b = board(['cpu4-cpufreq', 'dmc-devfreq']);
    try {
      for (const p of ['soc/cpu0-cpufreq', 'soc/ff9a0000.gpu', 'soc/ff9a0000.gpu-devfreq', 'soc/package/x-devfreq']) {
        const r = run(['--snapshot', b.file, 'create-node', '-p', p]);
        assert.equal(r.code, 2, `${p}: ${r.stderr}`);
        assert.match(r.stderr, /registered: cpu4-cpufreq, dmc-devfreq/);
      }
      // -p making a device-like name a virtual parent is the same mistake
      const parent = run(['--snapshot', b.file, 'create-node', '-p', 'soc/cpu0-cpufreq/x']);
      assert.equal(parent.code, 2, parent.stderr);
    } finally {
      b.cleanup();
    }
  });

  test('--virtual makes it on purpose; registered devices and ordinary names need no flag', () => {
    const b = board(['cpu4-cpufreq']);
    try {
      const v = run(['--snapshot', b.file, 'create-node', '-p', '--virtual', 'soc/package/cpu0-cpufreq', '--json']);
      assert.equal(v.code, 0, v.stderr);
      assert.deepEqual(v.json().created.map((n: { path: string; type: string }) => [n.path, n.type]), [
        ['soc', 'virtual'], ['soc/package', 'virtual'], ['soc/package/cpu0-cpufreq', 'virtual'],
      ]);
      const dev = run(['--snapshot', b.file, 'create-node', 'soc/package/cpu4-cpufreq', '--json']);
      assert.equal(dev.code, 0, dev.stderr);
      assert.equal(dev.json().created[0].type, 'device');
      assert.equal(run(['--snapshot', b.file, 'create-node', 'soc/cluster1']).code, 0);
    } finally {
      b.cleanup();
    }
  });
});

describe('create-node: bad names exit 2 as the help says', () => {
  test("'soc/bad name' and other characters outside letters, digits and . - _ @ : + ,", () => {
    const b = board(['cpu0-cpufreq']);
    try {
      const before = fs.readFileSync(b.file, 'utf8');
      for (const [p, bad] of [['soc/bad name', ' '], ['soc;rm', ';'], ['soc/$(x)', '$'], ['soc/a*b', '*']] as const) {
        const r = run(['--snapshot', b.file, 'create-node', '-p', p]);
        assert.equal(r.code, 2, `${p}: ${r.stderr}`);
        assert.ok(r.stderr.includes(`${JSON.stringify(bad)} is not allowed`), r.stderr);
      }
      assert.equal(fs.readFileSync(b.file, 'utf8'), before);
      const help = run(['create-node', '--help']);
      assert.match(help.stdout, /bad name .* \(exit 2\)|exit 2/s);
    } finally {
      b.cleanup();
    }
  });
});

describe('a device placed again', () => {
  test('reads what it read before it was removed: the reading is the device\'s, not its zone\'s', () => {
    const dir = makeTempDir();
    const board = path.join(dir, 'board.json');
    fs.copyFileSync(path.join(ROOT, 'examples/rk3399-dtpm.json'), board);
    const gpuPower = () => (JSON.parse(run(['--snapshot', board, 'list', '--json']).stdout).zones as Array<{ name: string; powerUw: number }>)
      .find((z) => z.name === 'ff9a0000.gpu')?.powerUw;
    const before = gpuPower();
    assert.ok(before !== undefined && before > 0, `the example's GPU reads ${before}`);
    assert.equal(run(['--snapshot', board, 'delete-node', 'rk3399/package/ff9a0000.gpu']).code, 0);
    assert.equal(gpuPower(), undefined);
    const r = run(['--snapshot', board, 'create-node', 'rk3399/package/ff9a0000.gpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gpuPower(), before);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
