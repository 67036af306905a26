/**
 * DTPM: registry, create-node / delete-node, hierarchy emulation, import/export, checks
 * (issue 4, seed 000, kernel.md §3–4). Numbers are worked out by hand in the comments
 * from the tables in test/fixtures/dtpm.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, exampleCopy, example, ROOT } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { rk3399 } from './fixtures/specs.js';
import { writeSeedBoard, seedBoardDoc, RK3399_KERNEL_TABLE } from './fixtures/dtpm.js';
import { EmulatedSource } from '../src/core/source/emulated.js';
import { SnapshotFile } from '../src/core/snapshot/file.js';
import { SysfsError } from '../src/core/errors.js';
import { cIdentifier, dtPath } from '../src/cli/option-values.js';
import { parseEmTable } from '../src/core/dtpm/registry.js';
import { parseDescription } from '../src/core/dtpm/description.js';
import { orderNodes } from '../src/core/dtpm/node-order.js';
import { splitNodePath, buildHierarchy } from '../src/core/dtpm/hierarchy.js';
import { checkHierarchy } from '../src/core/dtpm/findings.js';
import { PowercapError } from '../src/core/errors.js';

function tmp(): { dir: string; cleanup(): void } {
  const dir = makeTempDir();
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const readDoc = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** the attributes of a dtpm zone in a snapshot document */
function zone(doc: any, id: string): Record<string, any> {
  const parts = id.split(':');
  let node = doc.powercap.dirs.dtpm;
  for (let i = 2; i <= parts.length; i++) {
    node = node?.dirs?.[parts.slice(0, i).join(':')];
  }
  assert.ok(node, `zone ${id} exists`);
  return node.attrs;
}
const num = (doc: any, id: string, file: string) => Number(String(zone(doc, id)[file]).trim());

/** create-node on a snapshot, asserting exit 0 */
function create(file: string, p: string, ...flags: string[]) {
  const r = run(['--snapshot', file, 'create-node', ...flags, p]);
  assert.equal(r.code, 0, `create-node ${p}: ${r.stderr}`);
  return r;
}

/** The seed's example (seed 000): soc → package → cluster0 → cpu0-cpufreq, cluster1 → gpu, dmc; battery → charger. */
function buildSeedExample(file: string) {
  create(file, 'soc/package/cluster0/cpu0-cpufreq', '-p');
  create(file, 'soc/package/cluster1/ff9a0000.gpu-devfreq', '-p');
  create(file, 'soc/package/dmc-devfreq');
  create(file, 'soc/battery', '--virtual');
  create(file, 'soc/battery/power-supply-charge', '--device');
}

/** `fn` on a board (test/fixtures/dtpm.ts) with the seed's example built in it, in a folder removed afterwards. */
function withSeedExample(fn: (file: string, t: { dir: string }) => void, name?: string): void {
  const t = tmp();
  try {
    const file = writeSeedBoard(t.dir, name);
    buildSeedExample(file);
    fn(file, t);
  } finally {
    t.cleanup();
  }
}

describe('the seed example on a snapshot', () => {
  test('zones, bounds and weights as the kernel computes them', () => withSeedExample((file) => {
    const doc = readDoc(file);
    // ids: lowest free hex id under each parent, in creation order
    assert.equal(zone(doc, 'dtpm:0').name, 'soc\n');
    assert.equal(zone(doc, 'dtpm:0:0').name, 'package\n');
    assert.equal(zone(doc, 'dtpm:0:0:0').name, 'cluster0\n');
    assert.equal(zone(doc, 'dtpm:0:0:0:0').name, 'cpu0-cpufreq\n');
    assert.equal(zone(doc, 'dtpm:0:0:1').name, 'cluster1\n');
    assert.equal(zone(doc, 'dtpm:0:0:1:0').name, 'ff9a0000.gpu-devfreq\n');
    assert.equal(zone(doc, 'dtpm:0:0:2').name, 'dmc-devfreq\n');
    assert.equal(zone(doc, 'dtpm:0:1').name, 'battery\n');
    assert.equal(zone(doc, 'dtpm:0:1:0').name, 'power-supply-charge\n');

    // cpu0-cpufreq: 4 × 27769 = 111076 min, 4 × 179212 = 716848 max
    // gpu: 359370 … 2555520; dmc: 90000 … 350000; charger: 250000 … 4000000
    // package = 111076 + 359370 + 90000 = 560446 min, 716848 + 2555520 + 350000 = 3622368 max
    // soc = 560446 + 250000 = 810446 min, 3622368 + 4000000 = 7622368 max
    const expect: Record<string, [number, number]> = {
      'dtpm:0': [810446, 7622368],
      'dtpm:0:0': [560446, 3622368],
      'dtpm:0:0:0': [111076, 716848],
      'dtpm:0:0:0:0': [111076, 716848],
      'dtpm:0:0:1': [359370, 2555520],
      'dtpm:0:0:1:0': [359370, 2555520],
      'dtpm:0:0:2': [90000, 350000],
      'dtpm:0:1': [250000, 4000000],
      'dtpm:0:1:0': [250000, 4000000],
    };
    for (const [id, [min, max]] of Object.entries(expect)) {
      assert.equal(num(doc, id, 'constraint_0_max_power_uw'), max, `${id} max`);
      assert.equal(num(doc, id, 'max_power_range_uw'), max - min, `${id} range = max − min`);
      assert.equal(zone(doc, id).constraint_0_name, 'Instantaneous\n');
      assert.deepEqual(zone(doc, id).constraint_0_time_window_us, { errno: 'ENODATA', writeErrno: 'ENODATA' });
      assert.equal(zone(doc, id).enabled, '1\n');
    }
    // after boot: leaves read their max, virtual nodes 0
    assert.equal(num(doc, 'dtpm:0:0:0:0', 'constraint_0_power_limit_uw'), 716848);
    assert.equal(num(doc, 'dtpm:0:1:0', 'constraint_0_power_limit_uw'), 4000000);
    assert.equal(num(doc, 'dtpm:0:0', 'constraint_0_power_limit_uw'), 0);

    // weights = round(child.max × 1024 / parent.max), round = (x + d/2) / d:
    // package  3622368 × 1024 / 7622368 = 486.6… → 487;  battery 4000000 × 1024 / 7622368 = 537.4… → 537
    // cluster0 716848 × 1024 / 3622368 = 202.6… → 203;  cluster1 2555520 × 1024 / 3622368 = 722.4… → 722
    // dmc      350000 × 1024 / 3622368 = 98.9… → 99;    only children: 1024
    const tree = run(['--snapshot', file, 'tree', '--json']);
    assert.equal(tree.code, 0, tree.stderr);
    const weights: Record<string, number> = {};
    const walk = (z: any) => { weights[z.name] = z.dtpm.weight; z.children.forEach(walk); };
    tree.json().controlTypes[0].zones.forEach(walk);
    assert.deepEqual(weights, {
      soc: 1024, package: 487, cluster0: 203, 'cpu0-cpufreq': 1024, cluster1: 722, 'ff9a0000.gpu-devfreq': 1024,
      'dmc-devfreq': 99, battery: 537, 'power-supply-charge': 1024,
    });

    // registry: placement of each device, cpu4-cpufreq unplaced
    const reg = run(['--snapshot', file, 'registry', '--json']).json();
    const placed = Object.fromEntries(reg.devices.map((d: any) => [d.name, d.placedAt]));
    assert.deepEqual(placed, {
      'cpu0-cpufreq': 'soc/package/cluster0/cpu0-cpufreq', 'cpu4-cpufreq': null,
      'ff9a0000.gpu-devfreq': 'soc/package/cluster1/ff9a0000.gpu-devfreq', 'dmc-devfreq': 'soc/package/dmc-devfreq',
      'power-supply-charge': 'soc/battery/power-supply-charge',
    });
    // cpu4-cpufreq: 2 × 121075 = 242150 min, 2 × 1130112 = 2260224 max
    const cpu4 = reg.devices.find((d: any) => d.name === 'cpu4-cpufreq');
    assert.equal(cpu4.powerMinUw, 242150);
    assert.equal(cpu4.powerMaxUw, 2260224);
  }));

  test('dtpm check: shares of the parent minimum below a child minimum, exit 1', () => withSeedExample((file) => {
    // package under soc: (810446 × 487 + 512) / 1024 = 385437 < 560446 → finding
    // dmc under package: (560446 × 99 + 512) / 1024 = 54184 < 90000 → finding
    // cluster0: (560446 × 203 + 512) / 1024 = 111104 ≥ 111076; battery 425009 ≥ 250000: fine
    const r = run(['--snapshot', file, 'dtpm', 'check', '--json']);
    assert.equal(r.code, 1);
    const f = r.json().findings;
    assert.deepEqual(f.map((x: any) => [x.code, x.path]), [['share-below-min', 'soc/package'], ['share-below-min', 'soc/package/dmc-devfreq']]);
    assert.equal(f[0].values.shareUw, 385437);
    assert.equal(f[1].values.shareUw, 54184);
    // the same findings are printed as warnings after a change, exit 0
    const before = fs.readFileSync(file);
    const dry = run(['--snapshot', file, 'create-node', '-n', 'soc/idle']);
    assert.equal(dry.code, 0);
    assert.match(dry.stderr, /warning: soc\/idle: virtual node with no children/);
    assert.match(dry.stderr, /share-below-min/);
    assert.deepEqual(fs.readFileSync(file), before, 'a dry run changes nothing');
  }));

  test('export → import round trip (JSON and kernel table)', () => withSeedExample((file, t) => {
    const exported = run(['--snapshot', file, 'dtpm', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    const desc = path.join(t.dir, 'desc.json');
    fs.writeFileSync(desc, exported.stdout);
    assert.deepEqual(exported.json().nodes.map((n: any) => [n.name, n.type, n.parent]), [
      ['soc', 'virtual', null], ['package', 'virtual', 'soc'], ['cluster0', 'virtual', 'soc/package'],
      ['cpu0-cpufreq', 'device', 'soc/package/cluster0'], ['cluster1', 'virtual', 'soc/package'],
      ['ff9a0000.gpu-devfreq', 'device', 'soc/package/cluster1'], ['dmc-devfreq', 'device', 'soc/package'],
      ['battery', 'virtual', 'soc'], ['power-supply-charge', 'device', 'soc/battery'],
    ]);
    // JSON into a fresh board: the same zones, byte for byte
    const b = writeSeedBoard(t.dir, 'b.json');
    const imp = run(['--snapshot', b, 'dtpm', 'import', desc]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.deepEqual(readDoc(b).powercap, readDoc(file).powercap);
    assert.equal(run(['--snapshot', b, 'dtpm', 'export']).stdout, exported.stdout);

    // kernel table: DT paths recorded in the registry; 'other' devices have none (warned)
    const table = run(['--snapshot', file, 'dtpm', 'export', '--format', 'kernel-table']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^static struct dtpm_node __initdata soc_hierarchy\[\] = \{\n\t\[0\]\{ \.name = "soc",\n\t     \.type = DTPM_NODE_VIRTUAL \},\n/);
    assert.match(table.stdout, /\.name = "\/cpus\/cpu@3",\n\t     \.type = DTPM_NODE_DT,\n\t     \.parent = &soc_hierarchy\[2\] \},/);
    assert.match(table.stdout, /"\/gpu@ff9a0000"/); // derived from ff9a0000.gpu-devfreq
    assert.match(table.stdout, /\[12\]\{ \/\* sentinel \*\/ \}\n\};\n$/);
    assert.match(table.stderr, /derived from device names.*ff9a0000\.gpu-devfreq/);
    assert.match(table.stderr, /no device-tree path for power-supply-charge/);
    const c = path.join(t.dir, 'soc.c');
    fs.writeFileSync(c, table.stdout);
    const c2 = writeSeedBoard(t.dir, 'c.json');
    assert.equal(run(['--snapshot', c2, 'dtpm', 'import', c]).code, 0);
    assert.deepEqual(readDoc(c2).powercap, readDoc(file).powercap);
  }, 'a.json'));
});

describe('rk3399', () => {
  test('weights: package 1024 under the root, leaves 133 / 418 / 473', () => {
    // package max = 716848 + 2260224 + 2555520 = 5532592 (only child of rk3399: 1024)
    // cpu0-cpufreq 716848 × 1024 / 5532592 = 132.7 → 133; cpu4-cpufreq 2260224 × 1024 / 5532592 = 418.3 → 418;
    // ff9a0000.gpu 2555520 × 1024 / 5532592 = 473.0 → 473
    const r = run(['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().nodes.map((n: any) => [n.name, n.weight, n.powerMinUw, n.powerMaxUw]), [
      ['rk3399', 1024, 712596, 5532592], ['package', 1024, 712596, 5532592],
      ['cpu0-cpufreq', 133, 111076, 716848], ['cpu4-cpufreq', 418, 242150, 2260224], ['ff9a0000.gpu', 473, 359370, 2555520],
    ]);
    const check = run(['--snapshot', example('rk3399-dtpm'), 'dtpm', 'check', '--json']).json();
    // shares of package's minimum 712596 (the §3 defect where they fall below a leaf's minimum):
    // cpu0-cpufreq (712596 × 133 + 512) / 1024 = 92554 < 111076; cpu4-cpufreq 290884 ≥ 242150;
    // ff9a0000.gpu (712596 × 473 + 512) / 1024 = 329158 < 359370
    assert.deepEqual(check.findings.map((f: any) => [f.path, f.values.shareUw]), [['rk3399/package/cpu0-cpufreq', 92554], ['rk3399/package/ff9a0000.gpu', 329158]]);
  });

  test('the mainline kernel table imports into a board and exports back unchanged', () => {
    const t = tmp();
    try {
      const file = writeSeedBoard(t.dir);
      const c = path.join(t.dir, 'rk3399.c');
      fs.writeFileSync(c, RK3399_KERNEL_TABLE);
      const imp = run(['--snapshot', file, 'dtpm', 'import', c, '--json']);
      assert.equal(imp.code, 0, imp.stderr);
      assert.deepEqual(imp.json().nodes.map((n: any) => [n.path, n.weight]), [
        ['rk3399', 1024], ['rk3399/package', 1024], ['rk3399/package/cpu0-cpufreq', 133],
        ['rk3399/package/cpu4-cpufreq', 418], ['rk3399/package/ff9a0000.gpu-devfreq', 473],
      ]);
      const out = run(['--snapshot', file, 'dtpm', 'export', '--format', 'kernel-table']);
      assert.equal(out.stdout, RK3399_KERNEL_TABLE);
      // a 3 W write on package then splits as kernel.md §3 says (emulated kernel, same zones)
      const doc = readDoc(file);
      assert.equal(num(doc, 'dtpm:0:0', 'constraint_0_max_power_uw'), 5532592);
    } finally {
      t.cleanup();
    }
  });

  test('create then delete a node leaves the example snapshot byte-identical', () => {
    const c = exampleCopy('rk3399-dtpm');
    try {
      const before = fs.readFileSync(c.file);
      create(c.file, 'rk3399/package/spare');
      assert.equal(readDoc(c.file).powercap.dirs.dtpm.dirs['dtpm:0'].dirs['dtpm:0:0'].dirs['dtpm:0:0:3'].attrs.name, 'spare\n');
      const d = run(['--snapshot', c.file, 'delete-node', 'rk3399/package/spare']);
      assert.equal(d.code, 0, d.stderr);
      assert.deepEqual(fs.readFileSync(c.file), before);
    } finally {
      c.cleanup();
    }
  });

  test('delete a device: it returns to the registry, bounds and weights recomputed', () => {
    const c = exampleCopy('rk3399-dtpm');
    try {
      const d = run(['--snapshot', c.file, 'delete-node', 'rk3399/package/ff9a0000.gpu', '--json']);
      assert.equal(d.code, 0, d.stderr);
      assert.deepEqual(d.json().returnedDevices, ['ff9a0000.gpu']);
      const doc = readDoc(c.file);
      // package = 716848 + 2260224 = 2977072 max, 111076 + 242150 = 353226 min
      assert.equal(num(doc, 'dtpm:0:0', 'constraint_0_max_power_uw'), 2977072);
      assert.equal(num(doc, 'dtpm:0', 'max_power_range_uw'), 2977072 - 353226);
      // virtual power = sum of the remaining leaves: 137995 + 566625
      assert.equal(num(doc, 'dtpm:0', 'power_uw'), 137995 + 566625);
      const reg = run(['--snapshot', c.file, 'registry', '--json']).json();
      assert.equal(reg.devices.find((x: any) => x.name === 'ff9a0000.gpu').placedAt, null);
      // it can be placed again: the lowest free id under package is 2 again
      create(c.file, 'rk3399/package/ff9a0000.gpu');
      assert.equal(zone(readDoc(c.file), 'dtpm:0:0:2').name, 'ff9a0000.gpu\n');
    } finally {
      c.cleanup();
    }
  });
});

describe('refusals leave the snapshot byte-identical', () => {
  test('names, parents, rules', () => withSeedExample((file) => {
    const before = fs.readFileSync(file);
    const cases: Array<[string[], number, RegExp]> = [
      [['create-node', 'soc/../x'], 2, /'\.\.' is not allowed/],
      [['create-node', 'soc/bad\tname'], 2, /control characters/],
      [['create-node', 'soc//x'], 2, /empty component/],
      [['create-node', ''], 2, /empty node path/],
      [['create-node', 'soc/nowhere/x'], 3, /parent soc\/nowhere does not exist/],
      [['create-node', 'soc/package/cluster0/cpu0-cpufreq/x'], 5, /is a device .* no children/],
      [['create-node', 'other-root'], 5, /already has a root/],
      [['create-node', 'soc/package'], 5, /already exists/],
      [['create-node', 'soc/battery/cpu0-cpufreq'], 5, /already placed at soc\/package\/cluster0\/cpu0-cpufreq/],
      [['create-node', '--device', 'soc/battery/cpu9-cpufreq'], 3, /no device 'cpu9-cpufreq'/],
      [['delete-node', 'soc/package'], 5, /has 3 children/],
      [['delete-node', 'soc/nothing'], 3, /no node soc\/nothing/],
      [['registry', 'add', 'dmc-devfreq', '--em', 'dmc'], 5, /already registered/],
      [['registry', 'add', 'battery', '--power-max', '1W'], 5, /virtual node is already named 'battery'/],
      [['registry', 'add', 'x', '--em', 'nope'], 3, /no energy-model domain 'nope'/],
      [['registry', 'add', 'a/b', '--power-max', '1W'], 2, /contains '\/'/],
      [['registry', 'remove', 'dmc-devfreq'], 5, /placed in the hierarchy at soc\/package\/dmc-devfreq/],
      [['registry', 'remove', 'nope'], 3, /no device 'nope'/],
    ];
    for (const [args, code, msg] of cases) {
      const r = run(['--snapshot', file, ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
      assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2, `one- or two-line error: ${r.stderr}`);
      assert.deepEqual(fs.readFileSync(file), before, `${args.join(' ')} left the file unchanged`);
    }
    // -r deletes the subtree; the charger returns to the registry
    const d = run(['--snapshot', file, 'delete-node', '-r', 'soc/battery', '--json']);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(d.json().deleted.map((x: any) => x.path), ['soc/battery/power-supply-charge', 'soc/battery']);
    // now unplaced: removable
    assert.equal(run(['--snapshot', file, 'registry', 'remove', 'power-supply-charge']).code, 0);
  }));

  test('description files: cycle, unknown parent (exit 6), two roots and unregistered devices', () => {
    const t = tmp();
    try {
      const file = writeSeedBoard(t.dir);
      const before = fs.readFileSync(file);
      const write = (name: string, nodes: unknown[]) => {
        const p = path.join(t.dir, name);
        fs.writeFileSync(p, JSON.stringify({ format: 'powercapctl-dtpm', version: 1, nodes }));
        return p;
      };
      const cases: Array<[string, number, RegExp]> = [
        [write('cycle.json', [{ id: 'a', name: 'a', parent: 'b' }, { id: 'b', name: 'b', parent: 'a' }]), 6, /cycle/],
        [write('orphan.json', [{ name: 'soc' }, { name: 'x', parent: 'nowhere' }]), 6, /unknown parent 'nowhere'/],
        [write('dup.json', [{ name: 'soc' }, { id: 'soc', name: 'y' }]), 6, /two nodes with id 'soc'/],
        [write('roots.json', [{ name: 'a' }, { name: 'b' }]), 5, /2 roots/],
        [write('unreg.json', [{ name: 'soc' }, { name: 'gpu9', type: 'device', parent: 'soc' }]), 3, /no device 'gpu9'/],
        [write('twice.json', [{ name: 'soc' }, { name: 'x', parent: 'soc' }, { name: 'dmc-devfreq', id: 'd1', parent: 'soc' }, { name: 'dmc-devfreq', id: 'd2', parent: 'x' }]), 5, /appears twice/],
        [write('leafkids.json', [{ name: 'soc' }, { name: 'dmc-devfreq', parent: 'soc' }, { name: 'x', parent: 'dmc-devfreq' }]), 5, /has children/],
      ];
      for (const [desc, code, msg] of cases) {
        const r = run(['--snapshot', file, 'dtpm', 'import', desc]);
        assert.equal(r.code, code, `${desc}: ${r.stderr}`);
        assert.match(r.stderr, msg);
        assert.deepEqual(fs.readFileSync(file), before);
      }
      // an existing hierarchy is replaced only with --replace
      const ok = write('ok.json', [{ name: 'soc' }, { name: 'dmc-devfreq', type: 'device', parent: 'soc' }]);
      assert.equal(run(['--snapshot', file, 'dtpm', 'import', ok]).code, 0);
      const again = run(['--snapshot', file, 'dtpm', 'import', ok]);
      assert.equal(again.code, 5);
      assert.match(again.stderr, /--replace/);
      assert.equal(run(['--snapshot', file, 'dtpm', 'import', '--replace', ok]).code, 0);
    } finally {
      t.cleanup();
    }
  });

  test('a snapshot whose stored hierarchy breaks the rules is refused with exit 6', () => {
    const c = exampleCopy('rk3399-dtpm');
    try {
      const doc = readDoc(c.file);
      // the same device twice: a second zone named cpu0-cpufreq under package
      const pkg = doc.powercap.dirs.dtpm.dirs['dtpm:0'].dirs['dtpm:0:0'];
      pkg.dirs['dtpm:0:0:3'] = structuredClone(pkg.dirs['dtpm:0:0:0']);
      fs.writeFileSync(c.file, JSON.stringify(doc, null, 2) + '\n');
      const before = fs.readFileSync(c.file);
      const r = run(['--snapshot', c.file, 'create-node', 'rk3399/package/x']);
      assert.equal(r.code, 6);
      assert.match(r.stderr, /inconsistent DTPM hierarchy: .*already placed/);
      assert.deepEqual(fs.readFileSync(c.file), before);
      const chk = run(['--snapshot', c.file, 'dtpm', 'check', '--json']);
      assert.equal(chk.code, 1);
      assert.equal(chk.json().findings[0].code, 'structure');
    } finally {
      c.cleanup();
    }
  });
});

describe('targets', () => {
  test('a live tree is read-only: create-node explains and points to export', () => {
    const fx = fixture(rk3399);
    try {
      const env = { POWERCAPCTL_FAULTS: fx.faults };
      const r = run(['--root', fx.classRoot, '--em-root', fx.emRoot!, 'create-node', 'rk3399/package/x'], { env });
      assert.equal(r.code, 5);
      assert.match(r.stderr, /builds the DTPM hierarchy at boot/);
      assert.match(r.stderr, /dtpm export --format kernel-table/);
      // the live registry: the leaves, placed
      const reg = run(['--root', fx.classRoot, '--em-root', fx.emRoot!, 'registry', '--json'], { env }).json();
      assert.deepEqual(reg.devices.map((d: any) => [d.name, d.kind, d.placedAt, d.powerMaxUw]), [
        ['cpu0-cpufreq', 'cpu', 'rk3399/package/cpu0-cpufreq', 716848],
        ['cpu4-cpufreq', 'cpu', 'rk3399/package/cpu4-cpufreq', 2260224],
        ['ff9a0000.gpu', 'devfreq', 'rk3399/package/ff9a0000.gpu', 2555520],
      ]);
    } finally {
      fx.cleanup();
    }
  });

  test('--configfs DIR: mkdir / rmdir, with the rules checked first', () => {
    const t = tmp();
    try {
      const board = writeSeedBoard(t.dir);
      const cfs = path.join(t.dir, 'config', 'dtpm');
      fs.mkdirSync(cfs, { recursive: true });
      const cf = (...a: string[]) => run(['--snapshot', board, ...a, '--configfs', cfs]);
      assert.equal(cf('create-node', '-p', 'soc/cluster0/cpu0-cpufreq').code, 0);
      assert.ok(fs.statSync(path.join(cfs, 'soc/cluster0/cpu0-cpufreq')).isDirectory());
      const under = cf('create-node', 'soc/cluster0/cpu0-cpufreq/x');
      assert.equal(under.code, 5);
      assert.equal(cf('create-node', 'soc2').code, 5);
      assert.equal(fs.existsSync(path.join(cfs, 'soc2')), false);
      const keep = cf('delete-node', 'soc/cluster0');
      assert.equal(keep.code, 5);
      const exp = cf('dtpm', 'export').json();
      assert.deepEqual(exp.nodes.map((n: any) => [n.id, n.type, n.powerMaxUw]), [
        ['soc', 'virtual', 716848], ['soc/cluster0', 'virtual', 716848], ['soc/cluster0/cpu0-cpufreq', 'device', 716848],
      ]);
      assert.equal(cf('delete-node', '-r', 'soc').code, 0);
      assert.deepEqual(fs.readdirSync(cfs), []);
      // the board snapshot was only read
      assert.equal(readDoc(board).powercap.dirs.dtpm.dirs, undefined);
    } finally {
      t.cleanup();
    }
  });

  test('dtpm new, registry add with an energy-model table, then a node', () => {
    const t = tmp();
    try {
      const file = path.join(t.dir, 'new.json');
      assert.equal(run(['dtpm', 'new', file]).code, 0);
      const again = run(['dtpm', 'new', file]);
      assert.equal(again.code, 2, 'an existing file is not replaced without --force, a usage error as snapshot save says it');
      assert.match(again.stderr, /exists: nothing was written\n  use --force to replace it/);
      assert.equal(run(['snapshot', 'check', file]).code, 0);
      const table = path.join(t.dir, 'a53.txt');
      // rk3399 A53 OPPs, C = 100: 408 MHz @ 825 mV → 100 × 825² × 408 / 1e6 = 27769 µW … 1416 MHz @ 1125 mV → 179212 µW
      fs.writeFileSync(table, '# A53\n408MHz 825mV\n600MHz 825mV\n816MHz 850mV\n1008MHz 925mV\n1200MHz 1000mV\n1416MHz 1125mV\n');
      const add = run(['--snapshot', file, 'registry', 'add', 'cpu0-cpufreq', '--em', 'cpu0', '--cpus', '0-3', '--em-table', table, '--coefficient', '100', '--capacity', '381', '--json']);
      assert.equal(add.code, 0, add.stderr);
      assert.equal(add.json().added.powerMinUw, 4 * 27769);
      assert.equal(add.json().added.powerMaxUw, 4 * 179212);
      const doc = readDoc(file);
      assert.equal(doc.energyModel.dirs.cpu0.attrs.cpus, '0-3\n');
      assert.equal(doc.energyModel.dirs.cpu0.dirs['ps:1416000'].attrs.power, '179212\n');
      const other = run(['--snapshot', file, 'registry', 'add', 'power-supply-charge', '--power-min', '250mW', '--power-max', '4W', '--json']);
      assert.equal(other.code, 0, other.stderr);
      assert.equal(other.json().added.kind, 'other');
      create(file, 'soc/cpu0-cpufreq', '-p');
      assert.equal(num(readDoc(file), 'dtpm:0', 'constraint_0_max_power_uw'), 716848);
      assert.equal(run(['snapshot', 'check', file]).code, 0);
    } finally {
      t.cleanup();
    }
  });
});

describe('core says what is wrong; the command that ran words the way out in its own options', () => {
  test('each refusal\'s hint names the option of the command that ran', () => withSeedExample((file, t) => {
    const table = path.join(t.dir, 'v.txt');
    fs.writeFileSync(table, '408MHz 825mV\n');
    const powers = path.join(t.dir, 'p.txt');
    fs.writeFileSync(powers, '408MHz 27769uW\n');
    const kt = path.join(t.dir, 'k.c');
    fs.writeFileSync(kt, 'static struct dtpm_node __initdata x[] = {\n\t[0]{ .name = "soc", .type = DTPM_NODE_VIRTUAL },\n\t[1]{ .name = "/nowhere@0", .type = DTPM_NODE_DT, .parent = &x[0] },\n\t[2]{ }\n};\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['create-node', 'soc/a/b'], 3, /\n  create the parents first, or use -p\/--parents to create them as virtual nodes\n$/],
      [['delete-node', 'soc/battery'], 5, /\n  delete them first, or use -r\/--recursive to delete the whole subtree\n$/],
      [['dtpm', 'import', '--dry-run', kt], 3, /no registered device has the device-tree path \/nowhere@0\n  record it: powercapctl registry add NAME … --dt-path PATH\n$/],
      [['registry', 'add', 'gpu', '--kind', 'devfreq'], 2, /a devfreq device needs its energy-model domain\n  give --em DOMAIN, or register it as --kind other with --power-min\/--power-max\n$/],
      [['registry', 'add', 'x'], 2, /device 'x' needs power bounds or an energy model\n  give --power-max/],
      [['registry', 'add', 'x', '--em', 'gpu9'], 3, /no energy-model domain 'gpu9' in the snapshot\n  add its table with --em-table FILE, or name one of the snapshot's domains: cpu0, cpu4, dmc, ff9a0000\.gpu\n$/],
      [['registry', 'add', 'y-devfreq', '--em', 'dmc', '--em-table', powers], 5, /domain 'dmc' already exists in the snapshot\n  drop --em-table to use it as it is\n$/],
      [['registry', 'add', 'cpu9-x', '--kind', 'cpu', '--em', 'c9', '--em-table', table, '--coefficient', '100'], 2, /the CPUs of the new domain 'c9' are not known\n  give them with --cpus, e\.g\. --cpus 0-3\n$/],
      [['registry', 'add', 'y-devfreq', '--em', 'y', '--em-table', table], 2, /gives voltages: the power needs the dynamic-power-coefficient\n  give --coefficient C/],
    ];
    const before = fs.readFileSync(file);
    for (const [args, code, re] of cases) {
      const r = run(['--snapshot', file, ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.deepEqual(fs.readFileSync(file), before);
  }));
  test('no string in core/dtpm or the emulated kernel names a flag', () => {
    const files = [...fs.readdirSync(path.join(ROOT, 'src/core/dtpm')).map((f) => path.join(ROOT, 'src/core/dtpm', f)), path.join(ROOT, 'src/core/source/emulated.ts')];
    const flag = /['"`][^'"`]*\s--[a-z][a-z-]+|['"`]--?[a-z][a-z-]+/;
    const found = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((l, i) => [`${path.relative(ROOT, f)}:${i + 1}`, l] as const)).filter(([, l]) => flag.test(l));
    assert.deepEqual(found.map(([where]) => where), []);
  });
});

describe('options: each value through its parser, each option where it applies (exit 2, nothing read or written)', () => {
  test('registry add, registry remove, dtpm export', () => {
    const c = exampleCopy('rk3399-dtpm');
    try {
      const before = fs.readFileSync(c.file);
      const cases: Array<[string[], RegExp]> = [
        [['--snapshot', c.file, 'registry', 'add', 'x', '--power-max', '1W', '--capacity', '381'], /--capacity goes with --em-table/],
        [['--snapshot', c.file, 'registry', 'add', 'x', '--power-max', '1W', '--capacity', '1025'], /--capacity 1025: out of range \(1 to 1024\)/],
        [['--snapshot', c.file, 'registry', 'add', 'x', '--power-min', '1W'], /--power-min needs --power-max/],
        [['--snapshot', c.file, 'registry', 'add', 'x', '--power-max', '1W', '--dt-path', 'cpus/cpu@0'], /--dt-path cpus\/cpu@0: not a device-tree path/],
        [['--snapshot', c.file, 'registry', 'add', 'x', '--power-max', '1W', '--cpus', '3-1'], /--cpus 3-1: not a CPU list/],
        [['--snapshot', c.file, 'registry', 'add', 'x', '--em', 'cpu0', '--coefficient', '100'], /--coefficient goes with --em-table/],
        [['registry', 'add', 'x', '--power-max', '1W'], /registry add works on a snapshot: give --snapshot FILE/],
        [['registry', 'remove', 'x'], /registry remove works on a snapshot/],
        [['--snapshot', c.file, 'dtpm', 'export', '--table-name', 'board'], /--table-name board: the C table's name goes with --format kernel-table/],
        [['--snapshot', c.file, 'dtpm', 'export', '--format', 'kernel-table', '--table-name', '9lives'], /--table-name 9lives: not a C identifier/],
      ];
      for (const [args, re] of cases) {
        const r = run(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re, args.join(' '));
        assert.equal(r.stdout, '');
      }
      assert.deepEqual(fs.readFileSync(c.file), before);
      // the same values given where they apply pass: a table name with the kernel table
      const t = run(['--snapshot', c.file, 'dtpm', 'export', '--format', 'kernel-table', '--table-name', 'board_dtpm']);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^static struct dtpm_node __initdata board_dtpm\[\] = \{/);
    } finally {
      c.cleanup();
    }
  });
  test('the parsers the DTPM options declare', () => {
    assert.equal(dtPath.parse('/cpus/cpu@100'), '/cpus/cpu@100');
    assert.equal(dtPath.parse('/gpu@ff9a0000'), '/gpu@ff9a0000');
    for (const bad of ['', '/', 'cpus/cpu@0', '/cpus//cpu@0', '/cpus/cpu 0', '/cpus/']) assert.throws(() => dtPath.parse(bad), /not a device-tree path/, JSON.stringify(bad));
    assert.equal(cIdentifier.parse('rk3399_hierarchy'), 'rk3399_hierarchy');
    assert.equal(cIdentifier.parse('_t9'), '_t9');
    for (const bad of ['9lives', 'a-b', '', 'a b']) assert.throws(() => cIdentifier.parse(bad), /not a C identifier/, JSON.stringify(bad));
  });
});

describe('the emulated kernel makes and removes DTPM nodes (the seed\'s configfs mkdir / rmdir)', () => {
  const errno = (fn: () => unknown) => {
    try { fn(); } catch (e) { return e instanceof SysfsError ? e.errno : String(e); }
    return 'ok';
  };
  test('zones with the lowest free id, the numbers recomputed; the kernel\'s refusals', () => {
    const kernel = new EmulatedSource(new SnapshotFile('board.json', seedBoardDoc()));
    // soc, soc/cluster0 (index 0 as parent), soc/cluster0/cpu0-cpufreq (index 1)
    const made = kernel.makeDtpmNodes([{ name: 'soc', parent: null }, { name: 'cluster0', parent: 0 }, { name: 'cpu0-cpufreq', parent: 1 }]);
    assert.deepEqual(made.zoneIds, ['dtpm:0', 'dtpm:0:0', 'dtpm:0:0:0']);
    // cpu0-cpufreq: 4 × 27769 = 111076 min, 4 × 179212 = 716848 max, summed up to soc; the leaf's limit its max, soc's 0
    const soc = kernel.snapshot.powercap.dir('dtpm/dtpm:0')!.attrs!;
    assert.equal(soc.constraint_0_max_power_uw, '716848\n');
    assert.equal(soc.max_power_range_uw, `${716848 - 111076}\n`);
    assert.equal(soc.constraint_0_power_limit_uw, '0\n');
    assert.equal(kernel.snapshot.powercap.dir('dtpm/dtpm:0/dtpm:0:0/dtpm:0:0:0')!.attrs!.constraint_0_power_limit_uw, '716848\n');
    // dtpm_register: a second root -EBUSY, a child under a device -EINVAL; dtpm_release_zone: a node with children -EBUSY
    assert.equal(errno(() => kernel.makeDtpmNodes([{ name: 'other', parent: null }])), 'EBUSY');
    assert.equal(errno(() => kernel.makeDtpmNodes([{ name: 'x', parent: 'dtpm:0:0:0' }])), 'EINVAL');
    assert.equal(errno(() => kernel.removeDtpmNode('dtpm:0:0')), 'EBUSY');
    assert.equal(errno(() => kernel.removeDtpmNode('dtpm:9')), 'ENOENT');
    // a second cluster takes id 1; removed, its id is free again
    assert.deepEqual(kernel.makeDtpmNodes([{ name: 'cluster1', parent: 'dtpm:0' }]).zoneIds, ['dtpm:0:1']);
    kernel.removeDtpmNode('dtpm:0:1');
    assert.deepEqual(kernel.makeDtpmNodes([{ name: 'cluster1', parent: 'dtpm:0' }]).zoneIds, ['dtpm:0:1']);
    // the whole subtree: nothing left under the control type
    assert.equal(kernel.removeDtpmNode('dtpm:0', { subtree: true }).nodes.length, 0);
    assert.equal(kernel.snapshot.powercap.dir('dtpm')!.dirs, undefined);
  });
});

describe('parsers', () => {
  const code = (fn: () => unknown) => {
    try { fn(); } catch (e) { return (e as PowercapError).exitCode; }
    return 0;
  };
  test('node names and paths', () => {
    assert.deepEqual(splitNodePath('/soc/package/'), ['soc', 'package']);
    for (const bad of ['', 'a//b', 'a/..', '.', 'a/\x01', 'x'.repeat(256)]) assert.equal(code(() => splitNodePath(bad)), 2, JSON.stringify(bad));
  });
  test('energy-model tables: JSON, text with units, bad content exit 6', () => {
    const s = parseEmTable('[{"frequencyKhz":400000,"powerUw":160000},{"frequencyKhz":200000,"powerUw":90000}]', 't.json', { cpu: false });
    assert.deepEqual(s.map((x) => [x.frequencyKhz, x.powerUw]), [[200000, 90000], [400000, 160000]]);
    // GPU 200 MHz @ 825 mV, C = 2640: 2640 × 825² × 200 / 1e6 = 359370 µW
    assert.equal(parseEmTable('200MHz, 825mV', 'g.txt', { cpu: false, coefficient: 2640 })[0]!.powerUw, 359370);
    assert.equal(code(() => parseEmTable('200MHz 1W\n200MHz 2W\n', 'd.txt', { cpu: false })), 6);
    assert.equal(code(() => parseEmTable('200 1000\n', 'u.txt', { cpu: false })), 6);
    assert.equal(code(() => parseEmTable('200MHz 65W\n', 'big.txt', { cpu: false })), 6);
    // the same reader as model --opp-file: a CSV header with units, comments
    const csv = parseEmTable('# gpu\nfrequency_mhz,power_mw\n200,359.37 # lowest\n297,533.664\n', 'g.csv', { cpu: false });
    assert.deepEqual(csv.map((x) => [x.frequencyKhz, x.powerUw]), [[200000, 359370], [297000, 533664]]);
  });
  test('checks: empty virtual node, device without energy model, children limits above the parent', () => {
    const registry = [
      { name: 'a', kind: 'other' as const, powerMinUw: 100, powerMaxUw: 1000 },
      { name: 'b', kind: 'other' as const, powerMinUw: 100, powerMaxUw: 1000 },
      { name: 'gpu', kind: 'devfreq' as const, domain: 'missing' },
    ];
    // root limited to 1500 µW while a (1000) + b (800) = 1800 > 1500; 'idle' has no children; gpu has no table
    const h = buildHierarchy([
      { name: 'root', parent: null, limitUw: 1500 },
      { name: 'a', parent: 0 },
      { name: 'b', parent: 0, limitUw: 800 },
      { name: 'idle', parent: 0 },
      { name: 'gpu', parent: 0 },
    ], registry, []);
    const f = checkHierarchy(h);
    assert.deepEqual(f.map((x) => [x.code, x.path]), [
      ['limits-above-parent', 'root'], ['empty-virtual', 'root/idle'], ['no-energy-model', 'root/gpu'],
    ]);
    assert.deepEqual(f[0]!.values, { limitUw: 1500, childrenSumUw: 1800 });
  });
  test('description ordering keeps sibling order, parents first', () => {
    const d = orderNodes([
      { id: 'c', name: 'c', type: 'virtual', parent: 'a' },
      { id: 'a', name: 'a', type: 'virtual', parent: null },
      { id: 'b', name: 'b', type: 'virtual', parent: 'a' },
    ], 'f');
    assert.deepEqual(d.nodes, [{ name: 'a', type: 'virtual', parent: null }, { name: 'c', type: 'virtual', parent: 0 }, { name: 'b', type: 'virtual', parent: 0 }]);
    assert.equal(code(() => parseDescription('not json, not a table', 'x', [])), 6);
  });
});
