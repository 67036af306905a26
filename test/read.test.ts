/**
 * Reading any powercap tree (issue 2): list, tree, snapshot save/check, on both
 * sysfs layouts and through snapshots, with values checked against the fixture
 * specs (test/fixtures/specs.ts), not against the tool's earlier output.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { run, fixture, example, exampleCopy, NOBODY, ROOT, stripAnsi, cleanEnv, ISOLATED, requireTool, TOOLS } from './helpers.js';
import { intelLaptop, quirks, rk3399, RAPL_PACKAGE_RANGE_UJ, EXAMPLES } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { buildExample } from '../scripts/build-examples.js';

const laptop = fixture(intelLaptop);
const odd = fixture(quirks);
const board = fixture(rk3399);
after(() => { laptop.cleanup(); odd.cleanup(); board.cleanup(); });

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('list on a live tree', () => {
  test('class and devices layouts give the same zones, with the fixture values', () => {
    const a = run(['--root', laptop.classRoot, 'list', '--json'], { env: { POWERCAPCTL_FAULTS: laptop.faults } });
    const b = run(['--root', laptop.devicesRoot, 'list', '--json'], { env: { POWERCAPCTL_FAULTS: laptop.faults } });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(a.json().zones, b.json().zones);
    const zones = a.json().zones;
    assert.deepEqual(zones.map((z: any) => z.id), ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1', 'intel-rapl:0:2', 'intel-rapl:1', 'intel-rapl-mmio:0']);
    assert.deepEqual(zones.map((z: any) => z.name), ['package-0', 'core', 'uncore', 'dram', 'psys', 'package-0']);
    const pkg = zones[0];
    assert.equal(pkg.energyUj, 52649883221);
    assert.equal(pkg.maxEnergyRangeUj, Number(RAPL_PACKAGE_RANGE_UJ));
    assert.equal(pkg.parent, null);
    assert.equal(zones[1].parent, 'intel-rapl:0');
    assert.equal(pkg.powerUw, null);
    assert.deepEqual(pkg.constraints[0], {
      index: 0, name: 'long_term', powerLimitUw: 28000000, timeWindowUs: 27983872,
      maxPowerUw: 28000000, minPowerUw: null, maxTimeWindowUs: null, minTimeWindowUs: null,
      // the MMIO copy of the same package holds 15 W: the lower is in force
      effective: { powerLimitUw: 15000000, zone: 'intel-rapl-mmio:0' },
    });
    assert.equal(pkg.constraints[1].name, 'short_term');
    assert.equal(pkg.constraints[1].timeWindowUs, 2440);
    // peak_power's window reads ENODATA: null and listed, and no warning for this normal case
    assert.equal(pkg.constraints[2].timeWindowUs, null);
    assert.deepEqual(pkg.unreadable, { constraint_2_time_window_us: 'ENODATA' });
    assert.equal(zones[5].constraints[0].powerLimitUw, 15000000);
    assert.deepEqual(a.json().controlTypes, [{ name: 'intel-rapl', enabled: true }, { name: 'intel-rapl-mmio', enabled: true }]);
    assert.deepEqual(a.json().source, { kind: 'live', root: laptop.classRoot });
    assert.equal(a.stderr, '');
  });

  test('never follows subsystem/device links, ignores power/ and uevent', () => {
    // the fixture has subsystem links back to the class dir on every zone: a walker
    // following them would list zones twice or never end
    const r = run(['--root', laptop.classRoot, 'list', '--json']);
    const ids = r.json().zones.map((z: any) => z.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 6);
  });

  test('zone ids are ordered by their hex components: :2 before :a', () => {
    const r = run(['--root', odd.classRoot, 'list', '--json', '--type', 'intel-rapl']);
    const ids = r.json().zones.map((z: any) => z.id);
    assert.deepEqual(ids.slice(0, 3), ['intel-rapl:0', 'intel-rapl:1', 'intel-rapl:2']);
    assert.deepEqual(ids.slice(9), ['intel-rapl:9', 'intel-rapl:a', 'intel-rapl:a:2', 'intel-rapl:a:a', 'intel-rapl:b']);
    const a = r.json().zones.find((z: any) => z.id === 'intel-rapl:a');
    assert.equal(a.name, 'package-10');
    assert.equal(a.energyUj, 11000000);
  });

  test('garbage, huge, negative values and a missing name: listed, reported, exit 0', () => {
    const r = run(['--root', odd.classRoot, 'list', '--json', '--type', 'odd'], { env: { POWERCAPCTL_FAULTS: odd.faults } });
    assert.equal(r.code, 0, r.stderr);
    const z = Object.fromEntries(r.json().zones.map((x: any) => [x.name ?? '(none)', x]));
    assert.equal(z.garbage.energyUj, null);
    assert.deepEqual(z.garbage.invalid, { energy_uj: 'abc', max_energy_range_uj: '', constraint_0_power_limit_uw: '12x' });
    assert.match(r.stderr, /odd:0: energy_uj holds 'abc'/);
    assert.equal(z['(none)'].id, 'odd:1');
    assert.equal(z['(none)'].energyUj, 42);
    // beyond 2^53: exact, as a string of digits
    assert.equal(z.huge.energyUj, '9007199254740993');
    assert.equal(z.huge.maxEnergyRangeUj, '18446744073709551615');
    assert.equal(z.huge.powerUw, null);
    assert.equal(z.huge.invalid.power_uw, '99999999999999999999999');
    // a u64 above 2^63 reads negative (%lld): kept as it reads
    assert.equal(z.negative.energyUj, -1234);
    assert.deepEqual(z.gaps.constraints.map((c: any) => [c.index, c.name, c.powerLimitUw]), [[0, 'long_term', 5000000], [2, 'peak_power', 9000000]]);
  });

  test('energy_uj unreadable by a non-root user: null, listed, one hint, exit 0', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    const r = run(['--root', laptop.classRoot, 'list', '--json'], { uid: NOBODY!.uid, gid: NOBODY!.gid });
    assert.equal(r.code, 0, r.stderr);
    const pkg = r.json().zones[0];
    assert.equal(pkg.energyUj, null);
    assert.equal(pkg.unreadable.energy_uj, 'EACCES');
    assert.equal(pkg.maxEnergyRangeUj, Number(RAPL_PACKAGE_RANGE_UJ));
    assert.equal(pkg.constraints[0].powerLimitUw, 28000000);
    const hints = r.stderr.split('\n').filter((l) => l.includes('root only'));
    assert.equal(hints.length, 1);
    assert.match(hints[0]!, /run with sudo, or see README "Running without root"/);
  });

  test('energy_uj unreadable through an injected fault: the same', () => {
    const r = run(['--root', laptop.classRoot, 'tree', '--json'], { env: { POWERCAPCTL_FAULTS: 'read:*/energy_uj=EACCES' } });
    assert.equal(r.code, 0);
    const pkg = r.json().controlTypes[0].zones[0];
    assert.equal(pkg.energyUj, null);
    assert.deepEqual(pkg.unreadable, { energy_uj: 'EACCES' });
    assert.equal(r.stderr.match(/root only/g)?.length, 1);
    const human = run(['--root', laptop.classRoot, 'list'], { env: { POWERCAPCTL_FAULTS: 'read:*/energy_uj=EACCES' } });
    assert.match(human.stdout, /unreadable \(EACCES\)/);
  });

  test('no tree at --root: exit 3, the path, "does not exist"', () => {
    const r = run(['--root', '/nonexistent/powercap', 'list']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^powercapctl: \/nonexistent\/powercap does not exist\n/);
    assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2);
  });

  test('the tests never read the host: a spawn without a source reads the isolated ones', () => {
    const r = run(['list']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`^powercapctl: ${ISOLATED.root} does not exist`));
    const em = run(['--root', laptop.classRoot, 'model', 'em']);
    assert.equal(em.code, 3);
    assert.match(em.stderr, new RegExp(`no energy model in ${ISOLATED.emRoot}`));
  });

  test('an empty --root (a VM whose /sys/class/powercap is empty): exit 3, "no powercap zones under DIR", the reasons', () => {
    const dir = makeTempDir();
    try {
      for (const cmd of [['list'], ['list', '--json'], ['tree'], ['watch', '-n', '1']]) {
        const r = run(['--root', dir, ...cmd]);
        assert.equal(r.code, 3, `${cmd.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        const lines = r.stderr.split('\n').filter(Boolean);
        assert.equal(lines[0], `powercapctl: no powercap zones under ${dir}`);
        assert.match(lines[1]!, /VMs and containers.*modprobe intel_rapl_msr/);
        // the example named in the hint is an absolute path that works from any folder
        const ex = /--snapshot (\S+) tree/.exec(lines[1]!)![1]!;
        assert.ok(path.isAbsolute(ex) && fs.existsSync(ex), ex);
        assert.equal(lines.length, 2);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a control type without zones (a DTPM board before nodes are made) is not an empty tree', () => {
    const t = fixture({ controlTypes: [{ name: 'dtpm', zones: [] }] });
    try {
      const r = run(['--root', t.classRoot, 'tree', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.json().controlTypes.map((c: any) => [c.name, c.zones.length]), [['dtpm', 0]]);
    } finally {
      t.cleanup();
    }
  });

  test('an ordinary user where debugfs is 0700: the zones, energy_uj unreadable, one hint each, exit 0', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    // the energy model root sits in a 0700 folder, as /sys/kernel/debug is
    const priv = makeTempDir();
    fs.mkdirSync(path.join(priv, 'debug/energy_model/cpu0/ps:100000'), { recursive: true });
    fs.chmodSync(path.join(priv, 'debug'), 0o700);
    const em = path.join(priv, 'debug/energy_model');
    try {
      const list = run(['--root', laptop.classRoot, '--em-root', em, 'list', '--json'], { ...NOBODY! });
      assert.equal(list.code, 0, list.stderr);
      const zones = list.json().zones;
      assert.deepEqual(zones.map((z: any) => z.id), ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1', 'intel-rapl:0:2', 'intel-rapl:1', 'intel-rapl-mmio:0']);
      assert.equal(zones[0].unreadable.energy_uj, 'EACCES');
      assert.equal(zones[0].constraints[0].powerLimitUw, 28000000);
      // list does not need the energy model, so it does not even look
      assert.doesNotMatch(list.stderr, /energy model/);
      for (const cmd of [['tree'], ['tree', '--json']]) {
        const r = run(['--root', laptop.classRoot, '--em-root', em, ...cmd], { ...NOBODY! });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /package-0/);
      }
      // snapshot save records what it can, says once that the energy model was out of reach
      const out = path.join(ISOLATED.dir, `nobody-${process.pid}.json`);
      fs.chmodSync(ISOLATED.dir, 0o777);
      try {
        const save = run(['--root', laptop.classRoot, '--em-root', em, 'snapshot', 'save', out], { ...NOBODY! });
        assert.equal(save.code, 0, save.stderr);
        assert.equal(save.stderr.match(/energy model .* readable by root only/g)?.length, 1, save.stderr);
        const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
        assert.equal(doc.energyModel, null);
        assert.ok(doc.powercap);
      } finally {
        fs.chmodSync(ISOLATED.dir, 0o755);
      }
      // a DTPM board: tree shows the hierarchy without the energy model's caps, and says why once
      const dtpm = run(['--root', board.classRoot, '--em-root', em, 'tree'], { ...NOBODY! });
      assert.equal(dtpm.code, 0, dtpm.stderr);
      assert.match(dtpm.stdout, /rk3399  dtpm:0 /);
      assert.equal(dtpm.stderr.match(/energy model \(.*\) is readable by root only/g)?.length, 1, dtpm.stderr);
      // model has nothing else to work from: exit 4 with what to do
      const model = run(['--root', laptop.classRoot, '--em-root', em, 'model', 'em'], { ...NOBODY! });
      assert.equal(model.code, 4);
      assert.match(model.stderr, /cannot read the energy model at .*: EACCES\n.*run with sudo/);
    } finally {
      fs.rmSync(priv, { recursive: true, force: true });
    }
  });

  test('filters: glob, id, type/name, --type; an unmatched filter is exit 3', () => {
    const ids = (args: string[]) => run(['--root', laptop.classRoot, 'list', '--json', ...args]).json().zones.map((z: any) => z.id);
    assert.deepEqual(ids(['package-*']), ['intel-rapl:0', 'intel-rapl-mmio:0']);
    assert.deepEqual(ids(['package-*', '--type', 'intel-rapl-mmio']), ['intel-rapl-mmio:0']);
    assert.deepEqual(ids(['intel-rapl:0:1', 'psys']), ['intel-rapl:0:1', 'intel-rapl:1']);
    assert.deepEqual(ids(['intel-rapl-mmio/package-0']), ['intel-rapl-mmio:0']);
    const bad = run(['--root', laptop.classRoot, 'list', 'pakage-0']);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /no zone 'pakage-0'/);
    assert.equal(run(['--root', laptop.classRoot, 'list', '--type', 'nope']).code, 3);
  });

  test('a misspelt zone: the closest names (one edit away here); with none close, a command on the source the user gave', () => {
    // pakage-0 is one edit from package-0 (both copies), psys four away: only the copies are offered
    const typo = run(['--snapshot', example('intel-laptop'), 'list', 'pakage-0']);
    assert.equal(typo.code, 3);
    assert.equal(typo.stderr, "powercapctl: no zone 'pakage-0'\n  did you mean: intel-rapl:0 (package-0), intel-rapl-mmio:0 (package-0)\n");
    // by id and by type/name too, closest first: intel-rapl:9 is one edit from intel-rapl:0 and :1
    assert.match(run(['--root', laptop.classRoot, 'set-limit', 'intel-rapl:9', '5W']).stderr, /\n  did you mean: intel-rapl:0 \(package-0\), intel-rapl:1 \(psys\)/);
    assert.match(run(['--root', laptop.classRoot, 'tree', 'intel-rapl/dramm']).stderr, /\n  did you mean: intel-rapl:0:2 \(dram\)\n$/);
    // nothing close: the hint lists the zones on the same source, whichever it was
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'a board.json');
      fs.copyFileSync(example('rk3399-dtpm'), file);
      const far = run(['--snapshot', file, 'tree', 'nothing-like-it']);
      assert.equal(far.code, 3);
      assert.equal(far.stderr, `powercapctl: no zone 'nothing-like-it'\n  see the zones with: powercapctl --snapshot '${file}' list\n`);
      assert.equal(run(['--root', laptop.classRoot, 'list', 'nothing-like-it']).stderr.split('\n')[1], `  see the zones with: powercapctl --root ${laptop.classRoot} list`);
      // from the environment, the source is kept the same way
      assert.equal(run(['list', 'nothing-like-it'], { env: { POWERCAPCTL_SNAPSHOT: file } }).stderr.split('\n')[1], `  see the zones with: powercapctl --snapshot '${file}' list`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tsv and csv: one header row, raw integers', () => {
    const tsv = run(['--root', laptop.classRoot, 'list', '--format', 'tsv', 'intel-rapl:0']).stdout.trim().split('\n');
    assert.equal(tsv.length, 2);
    const head = tsv[0]!.split('\t');
    const row = tsv[1]!.split('\t');
    const col = (k: string) => row[head.indexOf(k)];
    assert.equal(col('id'), 'intel-rapl:0');
    assert.equal(col('energy_uj'), '52649883221');
    assert.equal(col('constraint_0_power_limit_uw'), '28000000');
    assert.equal(col('constraint_0_time_window_us'), '27983872');
    assert.equal(col('constraint_1_name'), 'short_term');
    assert.equal(col('power_uw'), '');
    const csv = run(['--root', laptop.classRoot, 'list', '--format', 'csv']).stdout.trim().split('\n');
    assert.equal(csv.length, 7);
    assert.ok(csv[0]!.startsWith('id,control_type,parent,name,enabled,energy_uj'));
    assert.ok(csv[2]!.startsWith('intel-rapl:0:0,intel-rapl,intel-rapl:0,core,1,17823556712'));
  });

  test('human table: units, colour only when asked, never in JSON', () => {
    const plain = run(['--root', laptop.classRoot, 'list']);
    assert.equal(plain.code, 0);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    assert.match(plain.stdout, /long_term 28 W \/ 27\.984 s \(max 28 W\)/);
    assert.match(plain.stdout, /52\.6 kJ/);
    assert.match(plain.stdout, /long_term 15 W/);
    const forced = run(['--root', laptop.classRoot, 'list'], { env: { FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\x1b\[/);
    assert.equal(stripAnsi(forced.stdout), plain.stdout);
    assert.doesNotMatch(run(['--root', laptop.classRoot, 'list'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, /\x1b\[/);
    assert.doesNotMatch(run(['--root', laptop.classRoot, 'list', '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
    assert.doesNotMatch(run(['--root', laptop.classRoot, 'list', '--json'], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  });

  test('environment variables choose the source; a flag beats them', () => {
    const r = run(['list', '--json'], { env: { POWERCAPCTL_ROOT: laptop.devicesRoot } });
    assert.equal(r.json().zones.length, 6);
    const s = run(['--snapshot', example('amd-epyc'), 'list', '--json'], { env: { POWERCAPCTL_ROOT: laptop.devicesRoot } });
    assert.equal(s.json().source.kind, 'snapshot');
    assert.equal(run(['--root', laptop.classRoot, '--snapshot', example('amd-epyc'), 'list']).code, 2);
  });
});

describe('tree', () => {
  test('box-drawn hierarchy, one line per zone with name, id, energy and the main limit', () => {
    const r = run(['--root', laptop.classRoot, 'tree']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'intel-rapl');
    assert.match(lines[1]!, /^├── package-0  intel-rapl:0 +52\.6 kJ  long_term 28 W \/ 27\.984 s \(max 28 W\)  effective 15 W, held by intel-rapl-mmio:0$/);
    assert.match(lines[2]!, /^│   ├── core  intel-rapl:0:0 +17\.8 kJ/);
    assert.match(lines[4]!, /^│   └── dram  intel-rapl:0:2/);
    assert.match(lines[5]!, /^└── psys  intel-rapl:1 +133\.7 kJ/);
    assert.equal(lines[6], 'intel-rapl-mmio');
    assert.match(lines[7]!, /^└── package-0  intel-rapl-mmio:0 .*long_term 15 W/);
  });

  test('--json nests children; a subtree by name', () => {
    const r = run(['--root', laptop.classRoot, 'tree', '--json']);
    const t = r.json();
    assert.deepEqual(t.controlTypes.map((c: any) => c.name), ['intel-rapl', 'intel-rapl-mmio']);
    const pkg = t.controlTypes[0].zones[0];
    assert.deepEqual(pkg.children.map((c: any) => c.name), ['core', 'uncore', 'dram']);
    assert.equal(pkg.children[2].energyUj, 8331554772);
    const sub = run(['--root', laptop.classRoot, 'tree', 'intel-rapl:0', '--json']).json();
    assert.equal(sub.controlTypes.length, 1);
    assert.equal(sub.controlTypes[0].zones[0].id, 'intel-rapl:0');
    // a package name means both copies (MSR and MMIO), as set-limit and apply take it
    const both = run(['--root', laptop.classRoot, 'tree', 'package-0', '--json']).json();
    assert.deepEqual(both.controlTypes.map((c: any) => c.zones.map((z: any) => z.id)), [['intel-rapl:0'], ['intel-rapl-mmio:0']]);
    // two sockets' dram: still ambiguous
    const amb = run(['--snapshot', example('xeon-2s'), 'tree', 'dram']);
    assert.equal(amb.code, 2);
    assert.match(amb.stderr, /ambiguous: intel-rapl:0:0 \(dram\), intel-rapl:1:0 \(dram\)/);
  });

  test('DTPM: sums, weights on the 1024 scale and frequency caps from the energy model', () => {
    // rk3399 (kernel.md §3–4): leaves' max = table[last].power × nr_cpus:
    // A53 179212 × 4 = 716848, A72 1130112 × 2 = 2260224, GPU 2555520; package = 5532592.
    // weights: round(716848·1024/5532592) = 133, round(2260224·1024/5532592) = 418, round(2555520·1024/5532592) = 473
    const r = run(['--root', board.classRoot, '--em-root', board.emRoot!, 'tree', '--json'], { env: { POWERCAPCTL_FAULTS: board.faults } });
    assert.equal(r.code, 0, r.stderr);
    const root = r.json().controlTypes[0].zones[0];
    assert.equal(root.name, 'rk3399');
    assert.deepEqual(root.dtpm, { kind: 'virtual', weight: 1024, powerMinUw: 712596, powerMaxUw: 5532592, powerLimitUw: 0, frequencyCapKhz: null });
    const pkg = root.children[0];
    assert.equal(pkg.dtpm.weight, 1024);
    const leaves = pkg.children.map((c: any) => [c.name, c.dtpm.weight, c.dtpm.powerMinUw, c.dtpm.powerMaxUw, c.dtpm.frequencyCapKhz]);
    assert.deepEqual(leaves, [
      ['cpu0-cpufreq', 133, 27769 * 4, 179212 * 4, 1416000],
      ['cpu4-cpufreq', 418, 121075 * 2, 1130112 * 2, 1800000],
      ['ff9a0000.gpu', 473, 359370, 2555520, 800000],
    ]);
    const human = run(['--root', board.classRoot, '--em-root', board.emRoot!, 'tree'], { env: { POWERCAPCTL_FAULTS: board.faults } });
    assert.match(human.stdout, /cpu0-cpufreq  dtpm:0:0:0 .*weight  133  cap 1\.42 GHz/);
    assert.match(human.stdout, /rk3399  dtpm:0 .* not limited .*range 712\.596 mW–5\.533 W/);
  });

  test('columns: words left, numbers right-aligned, no trailing spaces (list, tree)', () => {
    const tree = run(['--snapshot', example('rk3399-dtpm'), 'tree']).stdout.trimEnd().split('\n').slice(1);
    // every DTPM line: the limit's word, the range's word and the weight's word start in one column,
    // and the numbers end in one: `limit 716.848 mW` over `limit     2.26 W`, `range  242.15 mW–…`
    const at = (re: RegExp) => new Set(tree.map((l) => l.search(re)));
    assert.equal(at(/(limit|not limited)/).size, 1, tree.join('\n'));
    assert.equal(at(/range /).size, 1, tree.join('\n'));
    assert.equal(at(/weight /).size, 1, tree.join('\n'));
    assert.equal(new Set(tree.map((l) => l.search(/–/))).size, 1, 'the range dashes line up');
    const leaves = tree.filter((l) => / limit /.test(l)).map((l) => / limit ( *[0-9.]+ m?W) /.exec(l)![1]!);
    assert.deepEqual(leaves, ['716.848 mW', '    2.26 W', '   2.556 W']);
    assert.deepEqual(tree.map((l) => / range ( *[0-9.]+ m?W)–/.exec(l)![1]!), ['712.596 mW', '712.596 mW', '111.076 mW', ' 242.15 mW', ' 359.37 mW']);
    // a tree of RAPL and DTPM zones: a RAPL line's limit (its last cell) does not widen the DTPM columns
    const mixed = fixture({ ...rk3399, controlTypes: [...intelLaptop.controlTypes, ...rk3399.controlTypes] });
    try {
      const m = run(['--root', mixed.classRoot, '--em-root', mixed.emRoot!, 'tree'], { env: { POWERCAPCTL_FAULTS: mixed.faults } });
      assert.equal(m.code, 0, m.stderr);
      assert.match(m.stdout, /cpu0-cpufreq  dtpm:0:0:0 +[0-9.]+ m?W  limit 716\.848 mW  range /);
      assert.match(m.stdout, /^├── package-0  intel-rapl:0 +52\.6 kJ  long_term 28 W \/ 27\.984 s \(max 28 W\)  effective 15 W, held by intel-rapl-mmio:0$/m);
    } finally {
      mixed.cleanup();
    }
    for (const ex of ['intel-laptop', 'rk3399-dtpm', 'xeon-2s', 'amd-epyc']) {
      for (const cmd of [['list'], ['tree']]) {
        const out = stripAnsi(run(['--snapshot', example(ex), ...cmd], { env: { FORCE_COLOR: '1' } }).stdout);
        assert.deepEqual(out.split('\n').filter((l) => / $/.test(l)), [], `${ex} ${cmd.join(' ')}: trailing spaces`);
      }
    }
  });
});

describe('snapshots', () => {
  test('save then read: the same zones as the live tree, errors included', () => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'laptop.json');
      const env = { POWERCAPCTL_FAULTS: laptop.faults + ';read:*/intel-rapl:1/energy_uj=EACCES' };
      const s = run(['--root', laptop.classRoot, 'snapshot', 'save', file], { env });
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stderr, /saved .*laptop\.json: 6 zones/);
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(doc.format, 'powercapctl-snapshot');
      assert.equal(doc.version, 1);
      assert.ok(doc.host.hostname && doc.host.kernelRelease);
      assert.ok(!Number.isNaN(Date.parse(doc.capturedAt)));
      const pkg = doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'];
      assert.equal(pkg.attrs.energy_uj, '52649883221\n');
      assert.deepEqual(pkg.attrs.constraint_2_time_window_us, { errno: 'ENODATA' });
      assert.equal(pkg.dirs['intel-rapl:0:2'].attrs.name, 'dram\n');
      assert.deepEqual(doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:1'].attrs.energy_uj, { errno: 'EACCES' });
      assert.equal(pkg.attrs.uevent, undefined);
      const live = run(['--root', laptop.classRoot, 'list', '--json'], { env }).json();
      const snap = run(['--snapshot', file, 'list', '--json']).json();
      assert.deepEqual(snap.zones, live.zones);
      assert.deepEqual(snap.source, { kind: 'snapshot', file });
      // an existing file is not replaced without --force
      const before = sha(file);
      const again = run(['--root', laptop.classRoot, 'snapshot', 'save', file]);
      assert.equal(again.code, 2);
      assert.equal(sha(file), before);
      assert.equal(run(['--root', laptop.classRoot, 'snapshot', 'save', file, '--force', '--json']).code, 0);
      assert.equal(fs.readdirSync(dir).length, 1, 'no temporary file left behind');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('save captures the energy model and the DTPM registry', () => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'board.json');
      const s = run(['--root', board.devicesRoot, '--em-root', board.emRoot!, 'snapshot', 'save', file, '--json'], { env: { POWERCAPCTL_FAULTS: board.faults } });
      assert.equal(s.code, 0, s.stderr);
      assert.deepEqual(s.json().zones, 5);
      assert.equal(s.json().energyModelDomains, 3);
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(doc.energyModel.dirs.cpu4.dirs['ps:1800000'].attrs.power, '1130112\n');
      assert.deepEqual(doc.dtpm.registry.map((r: any) => [r.name, r.kind, r.domain]), [
        ['cpu0-cpufreq', 'cpu', 'cpu0'], ['cpu4-cpufreq', 'cpu', 'cpu4'], ['ff9a0000.gpu', 'devfreq', 'ff9a0000.gpu'],
      ]);
      const t = run(['--snapshot', file, 'tree', '--json']).json();
      assert.equal(t.controlTypes[0].zones[0].children[0].children[1].dtpm.weight, 418);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', 'hello', /not valid JSON/],
    ['empty', '', /the file is empty/],
    ['truncated', fs.readFileSync(example('intel-laptop'), 'utf8').slice(0, 700), /not valid JSON/],
    ['another format', '{"format":"something-else","version":1}', /not a powercapctl snapshot/],
    ['a newer version', '{"format":"powercapctl-snapshot","version":2,"capturedAt":"x"}', /version 2 is newer than this powercapctl reads \(1\)/],
    ['a schema failure', JSON.stringify({ format: 'powercapctl-snapshot', version: 1, capturedAt: '2026-01-01T00:00:00Z', host: { hostname: 'h', kernelRelease: 'r' }, powercap: { dirs: { x: { attrs: { a: 5 } } } } }), /at \/powercap\/dirs\/x\/attrs\/a: expected string/],
    ['a missing host', JSON.stringify({ format: 'powercapctl-snapshot', version: 1, capturedAt: '2026-01-01T00:00:00Z', powercap: {} }), /missing required property "host"/],
  ];
  for (const [what, content, message] of bad) {
    test(`a snapshot that is ${what}: exit 6 naming the file, file untouched`, () => {
      const dir = makeTempDir();
      try {
        const file = path.join(dir, 'bad.json');
        fs.writeFileSync(file, content);
        const before = sha(file);
        for (const args of [['list'], ['tree', '--json'], ['snapshot', 'check', file]]) {
          const r = run(args[0] === 'snapshot' ? args : ['--snapshot', file, ...args]);
          assert.equal(r.code, 6, `${args.join(' ')}: ${r.stderr}`);
          assert.ok(r.stderr.includes(file), r.stderr);
          assert.match(r.stderr, message);
          assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
          assert.equal(r.stdout, '');
        }
        assert.equal(sha(file), before);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a missing snapshot is exit 3; a directory given as snapshot is exit 2', () => {
    const r = run(['--snapshot', '/nonexistent/x.json', 'list']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /snapshot file not found: \/nonexistent\/x\.json/);
    assert.equal(run(['--snapshot', ROOT, 'list']).code, 2);
  });

  test('snapshot check summarises a valid file', () => {
    const r = run(['snapshot', 'check', example('rk3399-dtpm'), '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual({ ...(r.json() as object), file: undefined }, {
      format: 'powercapctl-snapshot-check', version: 1,
      file: undefined, valid: true, snapshotVersion: 1, capturedAt: '2026-11-01T12:00:00.000Z',
      host: { hostname: 'example-rk3399', kernelRelease: '6.16.0', machine: 'aarch64' },
      zones: 5, controlTypes: ['dtpm'], energyModelDomains: 3, registry: 3, recording: false,
    });
  });
});

describe('bundled examples', () => {
  for (const name of Object.keys(EXAMPLES)) {
    test(`examples/${name}.json is what scripts/build-examples.ts produces (run npm run examples)`, () => {
      assert.equal(fs.readFileSync(example(name), 'utf8'), buildExample(name));
    });
  }

  test('each example reads with the values of its machine', () => {
    const epyc = run(['--snapshot', example('amd-epyc'), 'list', '--json']).json();
    assert.deepEqual(epyc.zones.map((z: any) => [z.id, z.name, z.enabled, z.constraints.length]), [
      ['intel-rapl:0', 'package-0', false, 0], ['intel-rapl:0:0', 'core', false, 0],
      ['intel-rapl:1', 'package-1', false, 0], ['intel-rapl:1:0', 'core', false, 0],
    ]);
    assert.equal(epyc.zones[0].maxEnergyRangeUj, 65532610987);
    const xeon = run(['--snapshot', example('xeon-2s'), 'list', '--json', 'dram']).json();
    assert.deepEqual(xeon.zones.map((z: any) => [z.id, z.maxEnergyRangeUj]), [['intel-rapl:0:0', 65712999613], ['intel-rapl:1:0', 65712999613]]);
    const laptopEx = run(['--snapshot', example('intel-laptop'), 'list', '--json', 'package-*']).json();
    assert.deepEqual(laptopEx.zones.map((z: any) => [z.id, z.constraints[0].powerLimitUw]), [['intel-rapl:0', 28000000], ['intel-rapl-mmio:0', 15000000]]);
  });

  test('npm start on a machine without powercap says so and shows the laptop example', () => {
    const r = run(['start'], { env: { POWERCAPCTL_ROOT: '/nonexistent/powercap' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /This machine exposes no powercap zones/);
    assert.match(r.stderr, /examples\/intel-laptop\.json/);
    assert.match(r.stdout, /├── package-0  intel-rapl:0 /);
    assert.match(r.stdout, /intel-rapl-mmio/);
  });

  test('npm start ends with the command that works from where it ran: bin/powercapctl in a checkout, powercapctl once on PATH', () => {
    const next = (r: { stderr: string }) => /^Next: (.*)$/m.exec(r.stderr)?.[1];
    // npm start runs bin/powercapctl from the checkout, with nothing on PATH
    const checkout = spawnSync('bin/powercapctl', ['start'], { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ PATH: '/usr/bin:/bin' }) });
    assert.equal(checkout.status, 0, checkout.stderr);
    assert.equal(next(checkout), 'bin/powercapctl --help   ·   bin/powercapctl list --json   ·   examples in examples/ (see README)');
    // an install: `powercapctl` on PATH is this launcher (npm links it)
    const dir = makeTempDir();
    try {
      fs.symlinkSync(path.join(ROOT, 'bin/powercapctl'), path.join(dir, 'powercapctl'));
      const installed = spawnSync('powercapctl', ['start'], { cwd: '/', encoding: 'utf8', env: cleanEnv({ PATH: `${dir}:/usr/bin:/bin` }) });
      assert.equal(installed.status, 0, installed.stderr);
      assert.equal(next(installed), `powercapctl --help   ·   powercapctl list --json   ·   examples in ${path.join(ROOT, 'examples')}/ (see README)`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('npm start on a machine with zones shows its tree', () => {
    const r = run(['start'], { env: { POWERCAPCTL_ROOT: laptop.classRoot } });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /no powercap zones/);
    assert.match(r.stdout, /psys  intel-rapl:1/);
  });
});

describe('core reports facts (sources, snapshots, zones, watch, exporter, the atomic writer)', () => {
  const files = [
    ...['source', 'snapshot', 'zones', 'watch', 'exporter'].flatMap((d) => fs.readdirSync(path.join(ROOT, 'src/core', d)).map((f) => path.join('src/core', d, f))),
    'src/core/atomic.ts',
  ].filter((f) => f.endsWith('.ts') && f !== path.join('src/core/source/emulated.ts'));
  /** code lines: a comment line (` * …`, `// …`) is prose */
  const code = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').map((l, i) => [`${f}:${i + 1}`, l] as const).filter(([, l]) => !/^\s*(\*|\/\/|\/\*)/.test(l));
  test('no string names a flag: the CLI words the way out (cli/hints.ts)', () => {
    const flag = /['"`][^'"`]*\s--[a-z][a-z-]+|['"`]--?[a-z][a-z-]+/;
    assert.deepEqual(files.flatMap(code).filter(([, l]) => flag.test(l)).map(([where]) => where), []);
  });
  test('nothing touches the process (pid, uid, signals, clocks, memory): the CLI passes in what is needed', () => {
    assert.deepEqual(files.flatMap(code).filter(([, l]) => /\bprocess\./.test(l)).map(([where, l]) => `${where}: ${l.trim()}`), []);
  });
});

describe('the command line', () => {
  test('--version matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const r = run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('usage errors exit 2 with a one-line message, never a stack trace', () => {
    for (const args of [['bogus'], ['list', '--bogus'], ['list', '--format', 'xml'], ['snapshot', 'save']]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^powercapctl: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.match(run(['lsit']).stderr, /Did you mean list\?/);
  });

  test('the launcher run directly, as `node bin/powercapctl` and through a symlink gives the same output', () => {
    const args = ['--root', laptop.classRoot, 'list', '--json'];
    const fast = run(args);
    assert.equal(fast.code, 0, fast.stderr);
    // `node bin/powercapctl`: node runs the launcher itself, not through its #! line
    const slow = spawnSync(process.execPath, [path.join(ROOT, 'bin/powercapctl'), ...args], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(slow.status, 0, slow.stderr);
    assert.equal(slow.stdout, fast.stdout);
    // npm installs the bin as a symlink (node_modules/.bin/powercapctl)
    const dir = makeTempDir();
    try {
      fs.symlinkSync(path.join(ROOT, 'bin/powercapctl'), path.join(dir, 'powercapctl'));
      const linked = spawnSync(path.join(dir, 'powercapctl'), args, { encoding: 'utf8', cwd: dir, env: cleanEnv() });
      assert.equal(linked.status, 0, linked.stderr);
      assert.equal(linked.stdout, fast.stdout);
      // and the package's own files (examples, schema) are found from anywhere
      const start = spawnSync(path.join(dir, 'powercapctl'), ['start'], { encoding: 'utf8', cwd: dir, env: cleanEnv({ POWERCAPCTL_ROOT: '/nonexistent' }) });
      assert.equal(start.status, 0, start.stderr);
      assert.match(start.stdout, /intel-rapl-mmio:0/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('output piped into a closed reader is not an error', requireTool(TOOLS.bash), () => {
    // 1500 rows of csv (~100 KB) overflow the pipe buffer, so `head` closes it mid-write
    const big = fixture({ controlTypes: [{ name: 'intel-rapl', zones: Array.from({ length: 1500 }, (_, i) => ({ name: `package-${i}`, energyUj: i })) }] });
    try {
      const r = spawnSync('bash', ['-c', `set -o pipefail; ${path.join(ROOT, 'bin/powercapctl')} --root ${big.classRoot} list --format csv | head -1`], { encoding: 'utf8', env: cleanEnv() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
    } finally {
      big.cleanup();
    }
  });
});
