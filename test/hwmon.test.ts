/**
 * GPU power caps as zones of control type hwmon (issue 21, item 1). The GPU fixture
 * (test/fixtures/specs.ts gpuBox: an amdgpu capped at 303 W in 100–339 W drawing 45 W, an i915 at
 * 190 W with an energy counter, a k10temp) is laid out as sysfs has it: /sys/class/hwmon links to
 * the devices' hwmon folders, each with its `device` link. Every command that reads zones reads
 * the GPUs; the drivers' rules (kernel/hwmon.ts) are pinned with their numbers.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { run, fixture, example, exampleCopy, NOBODY, ROOT, scratch, snapAttr } from './helpers.js';
import { amdgpuHwmon, gpuBox, gpuWorkstation } from './fixtures/specs.js';
import { validate } from '../src/core/snapshot/validate.js';
import { storeMaxIntervalMs, storePowerCap, expectedCapUw } from '../src/core/kernel/hwmon.js';
import { HwmonSource, PowercapWithHwmon, pciZoneNumber } from '../src/core/source/hwmon.js';
import { LiveSource } from '../src/core/source/live.js';
import { PowercapError } from '../src/core/errors.js';
import { loadSnapshotFile } from '../src/core/snapshot/file.js';
import { readPowercapTree } from '../src/core/zones/powercap-tree.js';
import { planBalanceZones } from '../src/core/balance/zones.js';
import type { FixtureTree } from './fixtures/sysfs.js';

const s = scratch('powercapctl-hwmon-');
const keep = <T extends { cleanup(): void }>(t: T): T => { s.cleanups.push(t.cleanup); return t; };
const gpus = (renumbered = false) => keep(fixture(gpuBox(renumbered)));
const on = (t: FixtureTree) => ['--root', t.classRoot, '--hwmon-root', t.hwmonRoot!];
const schema = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, `schema/${name}.schema.json`), 'utf8'));
/** the amdgpu's and the i915's hwmon folders in the GPU fixture (hwmon2, hwmon1; hwmon0 the k10temp) */
const amdgpu = (t: FixtureTree) => t.hwmonDirs.get(2)!;
const i915 = (t: FixtureTree) => t.hwmonDirs.get(1)!;
const readAttr = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

describe('GPUs as zones', () => {
  const t = gpus();

  test('list: two hwmon zones, the k10temp none; no powercap zone and still exit 0', () => {
    const r = run([...on(t), 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(validate(schema('list'), doc), null);
    assert.deepEqual(doc.controlTypes, [{ name: 'hwmon', enabled: null }]);
    assert.deepEqual(doc.zones.map((z: any) => [z.id, z.name, z.controlType, z.parent]), [
      ['hwmon:3000', 'amdgpu-PPT', 'hwmon', null],
      ['hwmon:7000', 'i915', 'hwmon', null],
    ]);
    const [amd, intel] = doc.zones;
    assert.equal(amd.powerUw, 45000000);
    assert.equal(amd.energyUj, null);
    assert.deepEqual(amd.constraints, [{
      index: 0, name: 'PPT', powerLimitUw: 303000000, timeWindowUs: null, maxPowerUw: 339000000, minPowerUw: 100000000, maxTimeWindowUs: null, minTimeWindowUs: null,
    }]);
    assert.equal(intel.energyUj, 2893710042);
    assert.equal(intel.powerUw, null);
    // power1_max_interval is in ms: 28000 ms is a window of 28 s
    assert.deepEqual(intel.constraints, [{
      index: 0, name: 'power1_max', powerLimitUw: 190000000, timeWindowUs: 28000000, maxPowerUw: 190000000, minPowerUw: null, maxTimeWindowUs: null, minTimeWindowUs: null,
    }]);
    const table = run([...on(t), 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /hwmon:3000\s+amdgpu-PPT\s.*45\.0 W\s+PPT 303 W \(max 339 W\)/);
    assert.match(table.stdout, /hwmon:7000\s+i915\s.*2\.9 kJ\s+power1_max 190 W \/ 28 s \(max 190 W\)/);
  });

  test('ids come from the PCI address, not hwmonN: the same zones with hwmon0 and hwmon2 swapped', () => {
    const swapped = gpus(true);
    assert.match(fs.readlinkSync(path.join(swapped.hwmonRoot!, 'hwmon0')), /0000:03:00\.0\/hwmon\/hwmon0$/);
    const a = run([...on(t), 'list', '--json']).json().zones;
    const b = run([...on(swapped), 'list', '--json']).json().zones;
    assert.deepEqual(b, a);
    // 0000:03:00.0: domain 0, bus 03, device 00, function 0 as the hex digits of the id
    assert.equal(pciZoneNumber('0000:03:00.0'), 0x3000n);
    assert.equal(pciZoneNumber('0000:c1:1f.7'), 0xc11f7n);
    assert.equal(pciZoneNumber('10000:e1:00.0'), 0x10000e1000n);
    assert.equal(pciZoneNumber('ACPI0000:00'), null);
  });

  test('tree, --type hwmon, and a GPU by name, by id and as type/name', () => {
    const tree = run([...on(t), 'tree']);
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /^hwmon\n├── amdgpu-PPT {2}hwmon:3000/m);
    const j = run([...on(t), 'tree', '--json']).json();
    assert.equal(validate(schema('tree'), j), null);
    for (const ref of ['amdgpu-PPT', 'hwmon:3000', 'hwmon/amdgpu-PPT']) {
      assert.deepEqual(run([...on(t), 'list', ref, '--json']).json().zones.map((z: any) => z.id), ['hwmon:3000'], ref);
    }
    assert.deepEqual(run([...on(t), 'list', '--type', 'hwmon', '--json']).json().zones.length, 2);
  });

  test('beside a powercap tree; the default hwmon root is not read with a tree named elsewhere', () => {
    const ws = keep(fixture(gpuWorkstation));
    const both = run(['--root', ws.classRoot, '--hwmon-root', ws.hwmonRoot!, 'list', '--json']).json();
    assert.deepEqual(both.zones.map((z: any) => z.id), ['hwmon:3000', 'hwmon:7000', 'intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1']);
    // the coretemp on its platform device has no power: no zone
    const cpuOnly = run(['--root', ws.classRoot, 'list', '--json']).json();
    assert.deepEqual(cpuOnly.zones.map((z: any) => z.controlType), ['intel-rapl', 'intel-rapl', 'intel-rapl']);
  });

  test('a machine without powercap (no /sys/class/powercap) but with GPUs has zones; a tree named and missing is still exit 3', () => {
    const absent = path.join(t.dir, 'no-powercap');
    const tree = readPowercapTree(new PowercapWithHwmon(new LiveSource(absent), new HwmonSource(t.hwmonRoot!), false));
    assert.deepEqual(tree.zones.map((z) => z.id), ['hwmon:3000', 'hwmon:7000']);
    assert.throws(() => readPowercapTree(new PowercapWithHwmon(new LiveSource(absent), new HwmonSource(t.hwmonRoot!), true)),
      (e: unknown) => e instanceof PowercapError && e.exitCode === 3 && /no-powercap does not exist/.test(e.message));
    // neither: the missing tree, as before
    assert.throws(() => readPowercapTree(new PowercapWithHwmon(new LiveSource(absent), new HwmonSource(path.join(t.dir, 'no-hwmon')), false)),
      (e: unknown) => e instanceof PowercapError && e.exitCode === 3);
  });

  test('snapshot save captures them as the zones read; the snapshot reads the same, and says where they came from', () => {
    const file = path.join(s.tempDir(), 'gpus.json');
    const r = run([...on(t), 'snapshot', 'save', file]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(doc.origin.hwmonRoot, t.hwmonRoot);
    assert.equal(doc.powercap.dirs.hwmon.dirs['hwmon:3000'].attrs.hwmon_device, '0000:03:00.0\n');
    assert.equal(doc.powercap.dirs.hwmon.dirs['hwmon:3000'].attrs.hwmon_name, 'amdgpu\n');
    assert.deepEqual(run(['--snapshot', file, 'list', '--json']).json().zones, run([...on(t), 'list', '--json']).json().zones);
    assert.equal(run(['snapshot', 'check', file]).code, 0);
  });
});

describe('set-limit on a GPU', () => {
  test('set-limit amdgpu-PPT 250W writes power1_cap 250000000; 400 W is refused even with --force', () => {
    const t = gpus();
    const r = run([...on(t), 'set-limit', 'amdgpu-PPT', '250W']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readAttr(amdgpu(t), 'power1_cap'), '250000000\n');
    assert.match(r.stdout, /hwmon:3000 amdgpu-PPT\s+PPT\s+power limit\s+303 W\s+250 W\s+250 W/);
    for (const force of [[], ['--force']]) {
      const over = run([...on(t), 'set-limit', 'hwmon:3000', '400W', ...force]);
      assert.equal(over.code, 5, over.stderr);
      assert.match(over.stderr, /400 W is above the maximum of hwmon:3000 \(amdgpu-PPT\) PPT \(339 W\): amdgpu refuses a cap outside its range \(EINVAL\), forced or not; nothing was written/);
      assert.doesNotMatch(over.stderr, /--force/);
    }
    const under = run([...on(t), 'set-limit', 'hwmon:3000', '99.5W', '--force']);
    assert.equal(under.code, 5, under.stderr);
    assert.match(under.stderr, /below the minimum/);
    assert.equal(readAttr(amdgpu(t), 'power1_cap'), '250000000\n');
    // 339.5 W is 339 W to the driver: within its range
    assert.equal(run([...on(t), 'set-limit', 'hwmon:3000', '339.5W', '--dry-run']).code, 0);
  });

  test('i915: PL1 above its rated maximum only forced (the hardware clamps it); the window in whole ms', () => {
    const t = gpus();
    const over = run([...on(t), 'set-limit', 'i915', '200W']);
    assert.equal(over.code, 5);
    assert.match(over.stderr, /use --force/);
    const r = run([...on(t), 'set-limit', 'i915', '150W', '--time-window', '10s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readAttr(i915(t), 'power1_max'), '150000000\n');
    assert.equal(readAttr(i915(t), 'power1_max_interval'), '10000\n');
  });

  test('the GPU refuses: EINVAL (a virtual function), EPERM (in reset or suspended) as the driver answers', () => {
    const t = gpus();
    const inval = run([...on(t), 'set-limit', 'hwmon:3000', '250W'], { env: { POWERCAPCTL_FAULTS: 'write:*/hwmon:3000/constraint_0_power_limit_uw=EINVAL' } });
    assert.equal(inval.code, 5);
    assert.match(inval.stderr, /the driver refused '250000000' for hwmon:3000 PPT power limit \(EINVAL on .*\)/);
    assert.match(inval.stderr, /virtual function/);
    if (NOBODY !== null) {
      const perm = run([...on(t), 'set-limit', 'hwmon:3000', '250W'], { env: { POWERCAPCTL_FAULTS: 'write:*/hwmon:3000/constraint_0_power_limit_uw=EPERM' } });
      assert.equal(perm.code, 5);
      assert.match(perm.stderr, /the GPU is in reset or suspended/);
    }
    assert.equal(readAttr(amdgpu(t), 'power1_cap'), '303000000\n');
  });

  test('a failed second write rolls the first GPU cap back', () => {
    const t = gpus();
    const r = run([...on(t), 'set-limit', 'hwmon:3000=250W', 'hwmon:7000=150W'], { env: { POWERCAPCTL_FAULTS: 'write:*/hwmon:7000/constraint_0_power_limit_uw=EIO' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /rolled back/);
    assert.equal(readAttr(amdgpu(t), 'power1_cap'), '303000000\n');
    assert.equal(readAttr(i915(t), 'power1_max'), '190000000\n');
  });

  test('on a snapshot, as the drivers store: amdgpu whole watts, EINVAL outside its range; i915 window in 1/1024 s steps', () => {
    const c = exampleCopy('gpu-workstation');
    s.cleanups.push(c.cleanup);
    const r = run(['--snapshot', c.file, 'set-limit', 'amdgpu-PPT', '250.6W']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(c.file, 'hwmon:3000', 'constraint_0_power_limit_uw'), '250000000\n');
    assert.match(r.stdout, /applied 250 W, requested 250\.6 W: amdgpu keeps caps in whole watts/);
    const before = fs.readFileSync(c.file, 'utf8');
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'amdgpu-PPT', '400W', '--force']).code, 5);
    assert.equal(fs.readFileSync(c.file, 'utf8'), before);
    // 3.3 s: 3379 units of 1/1024 s → y 11, x 2 → 6 × 2^11 units = 3 s
    const w = run(['--snapshot', c.file, 'set-limit', 'i915', '150W', '--time-window', '3.3s']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(snapAttr(c.file, 'hwmon:7000', 'constraint_0_time_window_us'), '3000000\n');
    assert.match(w.stdout, /i915 stores the window as \(1 \+ x\/4\) × 2\^y units of 1\/1024 s/);
  });
});

describe('the drivers\' rules (kernel/hwmon.ts), with their numbers', () => {
  const amd = { minUw: 100000000n, maxUw: 339000000n };
  test('amdgpu_hwmon_set_power_cap: kstrtou32, whole watts, EINVAL outside [min, max]', () => {
    assert.equal(storePowerCap('amdgpu', '250600000\n', amd), 250000000n);
    assert.equal(storePowerCap('amdgpu', '339999999', amd), 339000000n);
    assert.deepEqual(storePowerCap('amdgpu', '340000000', amd), { errno: 'EINVAL' });
    assert.deepEqual(storePowerCap('amdgpu', '99999999', amd), { errno: 'EINVAL' });
    assert.deepEqual(storePowerCap('amdgpu', '4294967296', amd), { errno: 'ERANGE' });
    assert.deepEqual(storePowerCap('amdgpu', '25W', amd), { errno: 'EINVAL' });
    assert.equal(expectedCapUw('amdgpu', 250600000n), 250000000n);
    assert.equal(expectedCapUw('i915', 250600000n), 250600000n);
  });
  test('hwm_power_max_write: kstrtol; 0 disables PL1; the hardware clamps what sysfs does not show', () => {
    assert.equal(storePowerCap('i915', '0\n', amd), 0n);
    assert.equal(storePowerCap('xe', '400000000\n', amd), 400000000n);
    assert.deepEqual(storePowerCap('i915', '9223372036854775808', amd), { errno: 'ERANGE' });
  });
  test('hwm_power1_max_interval_store: (1 + x/4) × 2^y units of 1/1024 s, at most 256 s', () => {
    // 28 000 ms = 28 672 units: y 14, x 3 → 7 × 2^14 units = 28 000 ms exactly
    assert.equal(storeMaxIntervalMs(28000n), 28000n);
    assert.equal(storeMaxIntervalMs(1000n), 1000n);
    assert.equal(storeMaxIntervalMs(3300n), 3000n);
    assert.equal(storeMaxIntervalMs(256000n), 256000n);
    assert.deepEqual(storeMaxIntervalMs(256001n), { errno: 'EINVAL' });
  });
});

describe('bad input', () => {
  test('a cap that is not a number (amdgpu prints an empty line when the SMU fails) and a FIFO: unreadable as a powercap file is, no hang', () => {
    const t = gpus();
    fs.writeFileSync(path.join(amdgpu(t), 'power1_cap'), '\n');
    fs.rmSync(path.join(amdgpu(t), 'power1_average'));
    spawnSync('mkfifo', [path.join(amdgpu(t), 'power1_average')]);
    const r = run([...on(t), 'list', '--json'], { timeoutMs: 10000 });
    assert.equal(r.code, 0, r.stderr);
    const amd = r.json().zones[0];
    assert.deepEqual(amd.invalid, { constraint_0_power_limit_uw: '' });
    assert.deepEqual(amd.unreadable, { power_uw: 'EFTYPE' });
    assert.equal(amd.constraints[0].powerLimitUw, null);
  });

  test('an attribute another user cannot read: that file unreadable, the rest read', { skip: NOBODY === null ? 'tests do not run as root' : false }, () => {
    const t = gpus();
    fs.chmodSync(path.join(i915(t), 'energy1_input'), 0o400);
    const r = run([...on(t), 'list', '--json'], { ...NOBODY! });
    assert.equal(r.code, 0, r.stderr);
    const intel = r.json().zones[1];
    assert.deepEqual(intel.unreadable, { energy_uj: 'EACCES' });
    assert.equal(intel.constraints[0].powerLimitUw, 190000000);
  });

  test('two GPUs of one name: both listed by id; the name is ambiguous (exit 2), the id writes that card only', () => {
    const second = { ...amdgpuHwmon(3), device: 'pci0000:00/0000:00:03.1/0000:0a:00.0' };
    const t = keep(fixture({ controlTypes: [], hwmon: [amdgpuHwmon(2), second] }));
    const zones = run([...on(t), 'list', '--json']).json().zones;
    assert.deepEqual(zones.map((z: any) => [z.id, z.name]), [['hwmon:3000', 'amdgpu-PPT'], ['hwmon:a000', 'amdgpu-PPT']]);
    const amb = run([...on(t), 'set-limit', 'amdgpu-PPT', '250W']);
    assert.equal(amb.code, 2);
    assert.match(amb.stderr, /zone name 'amdgpu-PPT' is ambiguous: hwmon:3000 \(amdgpu-PPT\), hwmon:a000 \(amdgpu-PPT\)/);
    assert.equal(run([...on(t), 'set-limit', 'hwmon:a000', '250W']).code, 0);
    assert.equal(readAttr(t.hwmonDirs.get(3)!, 'power1_cap'), '250000000\n');
    assert.equal(readAttr(t.hwmonDirs.get(2)!, 'power1_cap'), '303000000\n');
  });

  test('--hwmon-root that does not exist: exit 3 as --root; unreadable: no GPUs, said with -v only', () => {
    const t = keep(fixture(gpuWorkstation));
    const missing = run(['--root', t.classRoot, '--hwmon-root', path.join(t.dir, 'nope'), 'list']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /nope does not exist/);
    assert.match(missing.stderr, /--hwmon-root/);
    const env = run(['--root', t.classRoot, 'list'], { env: { POWERCAPCTL_HWMON_ROOT: path.join(t.dir, 'nope') } });
    assert.equal(env.code, 3);
    assert.equal(run(['--snapshot', example('gpu-workstation'), '--hwmon-root', t.hwmonRoot!, 'list']).code, 2);
    if (NOBODY === null) return;
    fs.chmodSync(t.hwmonRoot!, 0o700);
    const quiet = run(['--root', t.classRoot, '--hwmon-root', t.hwmonRoot!, 'list', '--json'], { ...NOBODY });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /GPU|hwmon/);
    assert.deepEqual(quiet.json().zones.map((z: any) => z.controlType), ['intel-rapl', 'intel-rapl', 'intel-rapl']);
    const said = run(['--root', t.classRoot, '--hwmon-root', t.hwmonRoot!, '-v', 'list'], { ...NOBODY });
    assert.equal(said.code, 0, said.stderr);
    assert.equal(said.stderr.match(/no GPU power caps read: .*hwmon: EACCES/g)?.length, 1, said.stderr);
  });
});

describe('GPUs in apply, doctor, completion and balance', () => {
  const profile = (dir: string, body: string) => {
    const f = path.join(dir, 'gpu.yaml');
    fs.writeFileSync(f, `version: 1\nlimits:\n${body}`);
    return f;
  };

  test('apply: a profile naming the GPUs by name; in state afterwards (amdgpu keeps whole watts)', () => {
    const c = exampleCopy('gpu-workstation');
    s.cleanups.push(c.cleanup);
    const f = profile(c.dir, '  - zone: amdgpu-PPT\n    power: 250.5W\n  - zone: i915\n    power: 150W\n    timeWindow: 10s\n  - zone: package-0\n    power: 95W\n');
    assert.equal(run(['--snapshot', c.file, 'apply', '--check', f]).code, 7);
    const r = run(['--snapshot', c.file, 'apply', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(c.file, 'hwmon:3000', 'constraint_0_power_limit_uw'), '250000000\n');
    assert.equal(snapAttr(c.file, 'hwmon:7000', 'constraint_0_time_window_us'), '10000000\n');
    const check = run(['--snapshot', c.file, 'apply', '--check', f]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    // on the live fixture: the files the drivers read
    const t = gpus();
    assert.equal(run([...on(t), 'apply', profile(t.dir, '  - zone: amdgpu-PPT\n    power: 260W\n')]).code, 0);
    assert.equal(readAttr(amdgpu(t), 'power1_cap'), '260000000\n');
  });

  test('doctor: a GPU below its default; a cap that reads other than the persisted profile sets', () => {
    const t = gpus();
    fs.writeFileSync(path.join(amdgpu(t), 'power1_cap'), '250000000\n');
    const rootDir = s.tempDir();
    const proc = s.tempDir();
    const doctor = () => run([...on(t), 'doctor', '--json', '--root-dir', rootDir, '--proc', proc]).json();
    const d = doctor();
    assert.equal(validate(schema('doctor'), d), null);
    const below = d.findings.find((f: any) => f.id === 'gpu-cap-below-default');
    assert.deepEqual(below.evidence, ['hwmon:3000 (amdgpu-PPT) PPT: 250 W, default 303 W (amdgpu power1_cap_default)']);
    assert.match(below.fix, /set-limit hwmon:3000 303W/);
    assert.match(d.findings.find((f: any) => f.id === 'not-persisted').evidence[0], /hwmon:3000 \(amdgpu-PPT\) PPT: 250 W, default 303 W/);
    assert.equal(d.findings.find((f: any) => f.id === 'gpu-cap-differs'), undefined);
    fs.mkdirSync(path.join(rootDir, 'etc/powercapctl'), { recursive: true });
    fs.writeFileSync(path.join(rootDir, 'etc/powercapctl/profile.yaml'), 'version: 1\nlimits:\n  - zone: amdgpu-PPT\n    power: 280.5W\n  - zone: i915\n    power: 190W\n');
    const differs = doctor().findings.find((f: any) => f.id === 'gpu-cap-differs');
    assert.equal(differs.severity, 'warning');
    assert.deepEqual(differs.zones, ['hwmon:3000']);
    assert.match(differs.evidence[0], /^hwmon:3000 \(amdgpu-PPT\) PPT: reads 250 W, .*profile\.yaml line 3 sets 280 W$/);
  });

  test('completion offers the GPUs by id and name', () => {
    const t = gpus();
    const lines = run(['__complete', 'zone', ...on(t)]).stdout.split('\n').filter(Boolean);
    assert.deepEqual(lines, ['hwmon:3000', 'hwmon:7000', 'amdgpu-PPT', 'i915']);
    const c = run(['__complete', 'constraint', ...on(t), '--', 'set-limit', 'i915']).stdout.split('\n').filter(Boolean);
    assert.deepEqual(c, ['power1_max']);
  });

  test('balance takes CPU packages and GPUs alike: bounds, amdgpu\'s 1 W step, each one\'s reading', () => {
    const tree = readPowercapTree(loadSnapshotFile(example('gpu-workstation')).powercap);
    const zones = ['intel-rapl:0', 'hwmon:3000', 'hwmon:7000'].map((id) => tree.byId.get(id)!);
    const planned = planBalanceZones(tree, zones);
    assert.deepEqual(planned.map((z) => [z.id, z.limitPath, z.minUw, z.maxUw, z.quantumUw, z.reading.attr]), [
      ['intel-rapl:0', 'intel-rapl/intel-rapl:0/constraint_0_power_limit_uw', 0, 125000000, 125000, 'energy_uj'],
      ['hwmon:3000', 'hwmon/hwmon:3000/constraint_0_power_limit_uw', 100000000, 339000000, 1000000, 'power_uw'],
      ['hwmon:7000', 'hwmon/hwmon:7000/constraint_0_power_limit_uw', 0, 190000000, 0, 'energy_uj'],
    ]);
  });
});
