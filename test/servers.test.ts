/**
 * Servers and boards as they are now (issue 21, item 4): the bundled TPMI server and SCMI board,
 * read and written through the emulated kernel, against the built binary. What each write stores
 * is worked out in the comment above it (intel_rapl_common.c with intel_rapl_tpmi.c;
 * arm_scmi_powercap.c with drivers/firmware/arm_scmi/powercap.c; powercap_sys.c).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, scratch, snapAttr, fixture } from './helpers.js';
import { tpmi2s } from './fixtures/specs.js';

const s = scratch();
const PL = (n: number) => `constraint_${n}_power_limit_uw`;

/** Every attribute of a snapshot, as `zone/attr → value`, to see exactly what a command changed. */
function attrs(file: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: any, at: string) => {
    for (const [k, v] of Object.entries<any>(node.attrs ?? {})) out.set(`${at}/${k}`, v);
    for (const [k, d] of Object.entries<any>(node.dirs ?? {})) walk(d, k);
  };
  walk(JSON.parse(fs.readFileSync(file, 'utf8')).powercap, '');
  return out;
}
function changed(before: Map<string, unknown>, after: Map<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of after) if (JSON.stringify(before.get(k)) !== JSON.stringify(v)) out[k] = [before.get(k), v];
  return out;
}

describe('the TPMI server (examples/tpmi-2s.json)', () => {
  test('list --json: package-N with dram under intel-rapl, psys beside them, ids in registration order; TDP, max power, 2 × max power', () => {
    const r = run(['--snapshot', s.copy('tpmi-2s').file, 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const zones = r.json().zones as any[];
    assert.deepEqual(zones.map((z) => [z.id, z.name, z.controlType]), [
      ['intel-rapl:0', 'package-0', 'intel-rapl'],
      ['intel-rapl:0:0', 'dram', 'intel-rapl'],
      ['intel-rapl:1', 'psys', 'intel-rapl'],
      ['intel-rapl:2', 'package-1', 'intel-rapl'],
      ['intel-rapl:2:0', 'dram', 'intel-rapl'],
    ]);
    const pkg = zones.find((z) => z.id === 'intel-rapl:2');
    // long_term max = TDP 350 W, short_term max = max power 420 W, peak_power max = 2 × 420 W; peak_power's window unreadable
    assert.deepEqual(pkg.constraints.map((c: any) => [c.name, c.powerLimitUw, c.maxPowerUw, c.timeWindowUs]), [
      ['long_term', 350000000, 350000000, 999424],
      ['short_term', 420000000, 420000000, 9760],
      ['peak_power', 700000000, 840000000, null],
    ]);
    // no min power, no window bounds: the RAPL constraint ops have none
    for (const c of pkg.constraints) assert.equal(c.minPowerUw ?? null, null);
    assert.ok(!('effective' in pkg.constraints[0]), 'no MMIO copy: no effective limit');
  });

  test('set-limit package-1 300W writes the one copy: intel-rapl:2 constraint_0 300000000, nothing else, no "both copies" note', () => {
    const c = s.copy('tpmi-2s');
    const before = attrs(c.file);
    const r = run(['--snapshot', c.file, 'set-limit', 'package-1', '300W', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    assert.deepEqual(j.changes.map((x: any) => [x.zone, x.constraint, x.beforeUw, x.requestedUw, x.appliedUw]), [['intel-rapl:2', 'long_term', 350000000, 300000000, 300000000]]);
    assert.deepEqual(j.warnings, []);
    assert.doesNotMatch(r.stderr, /both|copies|MMIO|mmio/);
    assert.deepEqual(changed(before, attrs(c.file)), { [`intel-rapl:2/${PL(0)}`]: ['350000000\n', '300000000\n'] });
  });

  test('TPMI keeps a limit in 18 bits: short_term 5000 W stays 5000 W (through MSR\'s 15 bits it would read 904 W)', () => {
    const c = s.copy('tpmi-2s');
    // 5000 W = 40000 units of 1/8 W: within 0x3FFFF
    const r = run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '5000W', '-c', 'short_term', '--force', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(c.file, 'intel-rapl:0', PL(1)), '5000000000\n');
    // and the 1/8 W step: 300.1 W → 2400 units → 300 W
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '300.1W', '-c', 'short_term']).code, 0);
    assert.equal(snapAttr(c.file, 'intel-rapl:0', PL(1)), '300000000\n');
  });

  test('peak_power is locked by firmware (its own lock bit): exit 5, the hint names the firmware setup, not an MMIO copy; file byte-identical', () => {
    const c = s.copy('tpmi-2s');
    const before = fs.readFileSync(c.file);
    const r = run(['--snapshot', c.file, 'set-limit', 'package-1', '800W', '-c', 'peak_power']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /peak_power power limit: this limit is locked by firmware \(ENODATA/);
    assert.match(r.stderr, /TPMI has one per limit/);
    assert.doesNotMatch(r.stderr, /intel-rapl-mmio/);
    assert.deepEqual(fs.readFileSync(c.file), before);
    // its window reads ENODATA: refused before writing
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'package-1', '-c', 'peak_power', '-w', '10ms']).code, 5);
    // the other limits of the same package are free
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'package-1', '400W', '-c', 'short_term']).code, 0);
  });
});

describe('the MSR layout keeps PL4 in 13 bits (examples/intel-laptop.json, a client with PL4)', () => {
  test('peak_power 1500 W through MSR reads back 476 W (12000 units & 0x1FFF = 3808)', () => {
    const c = s.copy('intel-laptop');
    const r = run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '1500W', '-c', 'peak_power', '--force', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(c.file, 'intel-rapl:0', PL(2)), '476000000\n');
    assert.match(r.stdout, /applied 476 W, requested 1\.5 kW: RAPL keeps this limit in a 13-bit field of 1\/8 W units, and 1\.5 kW does not fit/);
  });
});

describe('the SCMI board (examples/arm-scmi.json)', () => {
  test('list --json: zones nested by the firmware\'s parents, power_uw and no energy_uj, one SCMI power-cap constraint with its bounds', () => {
    const r = run(['--snapshot', s.copy('arm-scmi').file, 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const zones = r.json().zones as any[];
    assert.deepEqual(zones.map((z) => [z.id, z.name, z.parent]), [
      ['arm-scmi:0', 'soc', null],
      ['arm-scmi:0:0', 'big-cpus', 'arm-scmi:0'],
      ['arm-scmi:0:1', 'little-cpus', 'arm-scmi:0'],
      ['arm-scmi:0:2', 'gpu', 'arm-scmi:0'],
      ['arm-scmi:1', 'ddr', null],
    ]);
    const soc = zones[0];
    assert.equal(soc.powerUw, 9450000);
    assert.equal(soc.energyUj ?? null, null);
    assert.equal(soc.maxPowerRangeUw, 4294967295);
    assert.deepEqual(soc.constraints.map((c: any) => [c.name, c.powerLimitUw, c.minPowerUw, c.maxPowerUw, c.timeWindowUs, c.minTimeWindowUs, c.maxTimeWindowUs]),
      [['SCMI power-cap', 14000000, 3000000, 16000000, 10000, 1000, 100000]]);
    // the little cluster cannot measure: power_uw reads EINVAL
    assert.equal(zones[2].powerUw, null);
  });

  test('a cap is rounded to the firmware\'s step and read back rounded: soc 7.5005 W → 7501 mW → 7500 mW', () => {
    const c = s.copy('arm-scmi');
    const before = attrs(c.file);
    const r = run(['--snapshot', c.file, 'set-limit', 'soc', '7.5005W', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().changes.map((x: any) => [x.zone, x.requestedUw, x.appliedUw]), [['arm-scmi:0', 7500500, 7500000]]);
    assert.deepEqual(changed(before, attrs(c.file)), { [`arm-scmi:0/${PL(0)}`]: ['14000000\n', '7500000\n'] });
    // in words: the step
    const t = run(['--snapshot', c.file, 'set-limit', 'soc', '7.7W']);
    assert.match(t.stderr + t.stdout, /applied 7\.5 W, requested 7\.7 W: SCMI rounds a cap down to the firmware's step/);
  });

  test('above the max (forced): clamped to 8 W; the averaging interval 12.3 ms → 12 ms (pai_step 1 ms)', () => {
    const c = s.copy('arm-scmi');
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'big-cpus', '20W', '--force', '--yes']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0:0', PL(0)), '8000000\n');
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'soc', '-w', '12.3ms']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0', 'constraint_0_time_window_us'), '12000\n');
  });

  test('a failed write reads ENODATA through the powercap core: ddr (min = max) refuses any cap, exit 5, file byte-identical', () => {
    const c = s.copy('arm-scmi');
    const before = fs.readFileSync(c.file);
    const r = run(['--snapshot', c.file, 'set-limit', 'ddr', '1W', '--force', '--yes']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /the firmware refused arm-scmi:1 SCMI power-cap power limit \(ENODATA on /);
    assert.deepEqual(fs.readFileSync(c.file), before);
  });

  test('enabled: 1 fails with no earlier cap (ENOSYS); a cap written while disabled is kept and applied on enable; 0 writes a cap of 0', () => {
    const c = s.copy('arm-scmi');
    const before = fs.readFileSync(c.file);
    const e = run(['--snapshot', c.file, 'set-limit', 'gpu', '--enable']);
    assert.equal(e.code, 5, e.stderr);
    assert.match(e.stderr, /ENOSYS/);
    assert.deepEqual(fs.readFileSync(c.file), before);
    // 3.33 W on the disabled µW gpu: rounddown(3330000, 50000) = 3300000 logged as last_pcap; the platform's cap stays 0
    const w = run(['--snapshot', c.file, 'set-limit', 'gpu', '3.33W']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(snapAttr(c.file, 'arm-scmi:0:2', PL(0)), '0\n');
    assert.equal(JSON.parse(fs.readFileSync(c.file, 'utf8')).drivers['arm-scmi'].domains['arm-scmi:0:2'].lastCap, 3300000);
    assert.match(w.stderr + w.stdout, /the domain is disabled: SCMI keeps the cap and applies it once the domain is enabled/);
    // enabling writes it back
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'gpu', '--enable']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0:2', PL(0)), '3300000\n');
    assert.equal(snapAttr(c.file, 'arm-scmi:0:2', 'enabled'), '1\n');
    // disabling the soc: a cap of 0, enabled 0, and its 14 W kept for the next enable
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'soc', '--disable']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0', PL(0)), '0\n');
    assert.equal(snapAttr(c.file, 'arm-scmi:0', 'enabled'), '0\n');
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'soc', '--enable']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0', PL(0)), '14000000\n');
    assert.equal(JSON.parse(fs.readFileSync(c.file, 'utf8')).drivers['arm-scmi'].domains['arm-scmi:0'].lastCap, undefined);
  });
});

describe('a live TPMI tree: the interface seen where the driver binds its devices (bus/auxiliary/drivers/intel_rapl_tpmi)', () => {
  const t = fixture(tpmi2s);
  s.cleanups.push(t.cleanup);
  test('set-limit --dry-run expects TPMI\'s 18-bit field: short_term 5000 W is expected as 5000 W, on either layout', () => {
    for (const root of [t.classRoot, t.devicesRoot]) {
      const r = run(['--root', root, 'set-limit', 'intel-rapl:0', '5000W', '-c', 'short_term', '--dry-run', '--force', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().changes[0].expectedUw, 5000000000);
    }
    // a copy of the class folder alone shows no driver: the MSR layout, 40000 & 0x7FFF units = 904 W
    const copy = s.tempDir();
    fs.cpSync(path.join(t.dir, 'sys'), path.join(copy, 'sys'), { recursive: true });
    fs.rmSync(path.join(copy, 'sys/bus'), { recursive: true });
    const msr = run(['--root', path.join(copy, 'sys/class/powercap'), 'set-limit', 'intel-rapl:0', '5000W', '-c', 'short_term', '--dry-run', '--force', '--json']);
    assert.equal(msr.json().changes[0].expectedUw, 904000000);
  });
  test('snapshot save records the interface; a locked limit on the live tree names the firmware setup', () => {
    const file = path.join(s.tempDir(), 'tpmi.json');
    assert.equal(run(['--root', t.classRoot, 'snapshot', 'save', file]).code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).drivers, { 'intel-rapl': { interface: 'tpmi' } });
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:2', '800W', '-c', 'peak_power', '--yes'], { env: { POWERCAPCTL_FAULTS: t.faults } });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /locked by firmware[\s\S]*TPMI has one per limit/);
  });
});

describe('the drivers record of a snapshot', () => {
  test('an interface that is neither msr nor tpmi is refused when the snapshot is read (exit 6)', () => {
    const c = s.copy('tpmi-2s');
    const doc = JSON.parse(fs.readFileSync(c.file, 'utf8'));
    doc.drivers['intel-rapl'].interface = 'mmio';
    fs.writeFileSync(c.file, JSON.stringify(doc));
    const r = run(['--snapshot', c.file, 'list']);
    assert.equal(r.code, 6);
    assert.match(r.stderr, /drivers\/intel-rapl\/interface/);
  });
  test('without a record, SCMI is taken in µW with steps of 1: the cap is clamped, not rounded', () => {
    const c = s.copy('arm-scmi');
    const doc = JSON.parse(fs.readFileSync(c.file, 'utf8'));
    delete doc.drivers;
    fs.writeFileSync(c.file, JSON.stringify(doc));
    assert.equal(run(['--snapshot', c.file, 'set-limit', 'soc', '7.5005W']).code, 0);
    assert.equal(snapAttr(c.file, 'arm-scmi:0', PL(0)), '7500500\n');
  });
});
