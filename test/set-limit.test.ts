/**
 * set-limit: validation before any write, read-back, rollback, Ctrl-C, error
 * mapping, and the emulated kernel behind snapshots. Every test spawns the built
 * binary against a copy (a fixture tree or an example snapshot in a temp dir) and
 * checks the files themselves after the command.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, NOBODY, BIN, cleanEnv, stripAnsi, scratch, snapAttr, requireTool, TOOLS } from './helpers.js';

import { boundedCap } from './fixtures/limits.js';

const { cleanups, copy, liveLaptop } = scratch();

const liveAttr = (root: string, zoneId: string, attr: string) => fs.readFileSync(path.join(root, zoneId, attr), 'utf8');
const PL = (n: number) => `constraint_${n}_power_limit_uw`;
const TW = (n: number) => `constraint_${n}_time_window_us`;

// ------------------------------------------------------------------ DTPM on the rk3399 snapshot

describe('set-limit on a DTPM snapshot (rk3399, kernel.md §3)', () => {
  test('package 3W splits by weight; leaves take the highest OPP that fits; package stores the sum', () => {
    const s = copy('rk3399-dtpm');
    const r = run(['--snapshot', s.file, '--json', 'set-limit', 'package', '3W']);
    assert.equal(r.code, 0, r.stderr);
    // Energy model (µW per CPU): A53 1008 MHz 86247, 1200 MHz 120000; A72 1200 MHz 472188, 1416 MHz 648630;
    // GPU 600 MHz 1355310, 800 MHz 2555520. package max = 4×179212 + 2×1130112 + 2555520 = 5532592.
    // Weights round(max_child × 1024 / 5532592): cpu0 716848 → 133, cpu4 2260224 → 418, gpu 2555520 → 473.
    // Shares (3000000 × w + 512) / 1024: 389648, 1224609, 1385742.
    // Highest state fitting: cpu0 4 × 86247 = 344988 (1008 MHz; 4 × 120000 = 480000 is too much),
    // cpu4 2 × 472188 = 944376 (1200 MHz; 2 × 648630 = 1297260 too much), gpu 1355310 (600 MHz).
    // package stores 344988 + 944376 + 1355310 = 2644674; rk3399 above it is not touched (reads 0).
    assert.equal(snapAttr(s.file, 'dtpm:0:0:0', PL(0)), '344988\n');
    assert.equal(snapAttr(s.file, 'dtpm:0:0:1', PL(0)), '944376\n');
    assert.equal(snapAttr(s.file, 'dtpm:0:0:2', PL(0)), '1355310\n');
    assert.equal(snapAttr(s.file, 'dtpm:0:0', PL(0)), '2644674\n');
    assert.equal(snapAttr(s.file, 'dtpm:0', PL(0)), '0\n');
    const j = r.json();
    assert.deepEqual(j.rolledBack, []);
    assert.equal(j.changes.length, 1);
    assert.deepEqual(
      { zone: j.changes[0].zone, constraint: j.changes[0].constraint, attribute: j.changes[0].attribute, beforeUw: j.changes[0].beforeUw, requestedUw: j.changes[0].requestedUw, appliedUw: j.changes[0].appliedUw },
      { zone: 'dtpm:0:0', constraint: 'Instantaneous', attribute: 'power_limit_uw', beforeUw: 0, requestedUw: 3000000, appliedUw: 2644674 },
    );
    assert.deepEqual(j.changes[0].split.map((x: any) => [x.zone, x.appliedUw]), [['dtpm:0:0:0', 344988], ['dtpm:0:0:1', 944376], ['dtpm:0:0:2', 1355310]]);
  });

  test('human output shows requested → applied and says why they differ', () => {
    const s = copy('rk3399-dtpm');
    const r = run(['--snapshot', s.file, 'set-limit', 'package', '3W']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 W\s+2\.645 W \*/);
    assert.match(r.stdout, /DTPM stores the sum of what its children applied/);
    assert.match(r.stdout, /cpu0-cpufreq/);
  });

  test('a node never limited since boot reads "not limited" in set-limit as in list and tree, not 0 W', () => {
    const s = copy('rk3399-dtpm');
    // dtpm:0:0 stores 0 until limited (dtpm.c: a node sums what its children held when added)
    assert.match(run(['--snapshot', s.file, 'list', 'package']).stdout, /Instantaneous not limited/);
    const plan = run(['--snapshot', s.file, 'set-limit', 'package', '3W', '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^dtpm:0:0 package +Instantaneous +power limit +not limited +3 W$/m);
    const r = run(['--snapshot', s.file, 'set-limit', 'package', '3W']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^dtpm:0:0 package +Instantaneous +power limit +not limited +3 W +2\.645 W \*$/m);
    assert.doesNotMatch(r.stdout, / 0 W /);
    // the root above it is still not limited; limiting it splits into the package, now limited
    const root = run(['--snapshot', s.file, 'set-limit', 'rk3399', '4W']);
    assert.match(root.stdout, /^dtpm:0 rk3399 +Instantaneous +power limit +not limited +4 W/m);
    assert.match(root.stdout, /^  ↳ dtpm:0:0 package +split +power limit +2\.645 W /m);
    // a rollback line words it alike: the root's write lands, the package's next write fails
    const t = copy('rk3399-dtpm');
    const rb = run(['--snapshot', t.file, 'set-limit', 'rk3399=4W', 'cpu0-cpufreq=500mW'], { env: { POWERCAPCTL_FAULTS: 'write:*/dtpm:0:0:0/constraint_0_power_limit_uw=EIO' } });
    assert.equal(rb.code, 1, rb.stderr);
    assert.match(rb.stderr, /^rolled back: dtpm:0 \(rk3399\) Instantaneous power limit 3\.133 W → 712\.596 mW \(was not limited: /m);
  });

  test('a child share below its minimum is clamped with a warning (the kernel would read before its table)', () => {
    const s = copy('rk3399-dtpm');
    const r = run(['--snapshot', s.file, 'set-limit', 'dtpm:0:0', '800mW']);
    assert.equal(r.code, 0, r.stderr);
    // cpu0 share (800000 × 133 + 512) / 1024 = 103906 < min 4 × 27769 = 111076 → clamped to 111076
    assert.match(r.stderr, /warning: cpu0-cpufreq: its share 103\.906 mW is below its minimum 111\.076 mW; clamped/);
    assert.equal(snapAttr(s.file, 'dtpm:0:0:0', PL(0)), '111076\n');
    // cpu4 (800000 × 418 + 512) / 1024 = 326563 → 2 × 121075 = 242150; gpu 369531 → 359370; sum 712596
    assert.equal(snapAttr(s.file, 'dtpm:0:0:1', PL(0)), '242150\n');
    assert.equal(snapAttr(s.file, 'dtpm:0:0:2', PL(0)), '359370\n');
    assert.equal(snapAttr(s.file, 'dtpm:0:0', PL(0)), '712596\n');
  });

  test('DTPM has no settable time window and no enable: refused, file byte-identical', () => {
    const s = copy('rk3399-dtpm');
    const before = fs.readFileSync(s.file);
    const w = run(['--snapshot', s.file, 'set-limit', 'package', '2W', '--time-window', '1s']);
    assert.equal(w.code, 5, w.stderr);
    assert.match(w.stderr, /no settable time window/);
    const e = run(['--snapshot', s.file, 'set-limit', 'package', '2W', '--disable']);
    assert.equal(e.code, 5, e.stderr); // enabled_store: no set_enable callback → ENOSYS
    assert.match(e.stderr, /does not support/);
    // the package write (made first) is undone: the node, then each child whose limit moved, back to its max.
    // 2 W left cpu0 at (2000000 × 133 + 512) / 1024 = 259766 → 4 × 58956 = 235824 (816 MHz); its max is 4 × 179212.
    // The virtual node read 0 (never written) and cannot be put back to 0: writing 0 clamps to its minimum.
    assert.match(e.stderr, /rolled back: dtpm:0:0:0 \(cpu0-cpufreq\) Instantaneous power limit 235\.824 mW → 716\.848 mW\n/);
    assert.match(e.stderr, /rolled back: dtpm:0:0 \(package\) .* \(was not limited: a DTPM node stores what its children applied/);
    assert.match(e.stderr, /1 earlier write was rolled back/);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });
});

// ------------------------------------------------------------------ RAPL on the laptop snapshot

describe('set-limit on a RAPL snapshot (intel-laptop)', () => {
  test('power and time window are quantised like the hardware, and the difference is shown', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '25.1W', '--time-window', '28s']);
    assert.equal(r.code, 0, r.stderr);
    // power unit 1/8 W: 25100000 / 125000 = 200.8 → 200 units = 25000000 µW
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '25000000\n');
    // time unit 976 µs: 28000000 / 976 = 28688 = 2^14 × (1 + 3/4) → 16384 × 7 × 976 / 4 = 27983872 µs
    assert.equal(snapAttr(s.file, 'intel-rapl:0', TW(0)), '27983872\n');
    assert.match(r.stdout, /25\.1 W\s+25 W \*/);
    assert.match(r.stdout, /28 s\s+27\.984 s \*/);
    assert.match(r.stdout, /1\/8 W steps/);
    assert.match(r.stdout, /2\^Y/);
    assert.match(r.stderr, /updated .*intel-laptop\.json/);
  });

  test('the other copy of a duplicated package is named with its own limit', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '20W']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /intel-rapl-mmio:0 is the same package-0 .*own limit \(long_term 15 W\)/);
    // setting both at once: no warning, both written
    const both = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0=18W', 'intel-rapl-mmio:0=18W']);
    assert.equal(both.code, 0, both.stderr);
    assert.doesNotMatch(both.stderr, /same package-0/);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '18000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '18000000\n');
  });

  test('constraints by name and by number; max and percentages of max', () => {
    const s = copy('intel-laptop');
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '60W', '-c', 'short_term']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(1)), '60000000\n');
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '100W', '--constraint', '2']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(2)), '100000000\n');
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '50%']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '14000000\n'); // 50 % of max_power_uw 28000000
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'intel-rapl-mmio/package-0', 'max']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '28000000\n');
    // short_term reports max 0 (unknown): 'max' cannot be resolved
    const m = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', 'max', '-c', 'short_term']);
    assert.equal(m.code, 2, m.stderr);
  });

  test('--enable/--disable write the zone\'s enabled file', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, '--json', 'set-limit', 'psys', '--disable']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(s.file, 'intel-rapl:1', 'enabled'), '0\n');
    assert.deepEqual(r.json().changes.map((c: any) => [c.zone, c.attribute, c.before, c.requested, c.applied]), [['intel-rapl:1', 'enabled', true, false, false]]);
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'psys', '--enable']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:1', 'enabled'), '1\n');
  });

  test('--dry-run prints the plan and leaves the file byte-identical', () => {
    const s = copy('intel-laptop');
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '20W', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry run/);
    assert.match(r.stdout, /intel-rapl:0 package-0\s+long_term\s+power limit\s+28 W\s+20 W/);
    const j = run(['--snapshot', s.file, '--json', 'set-limit', 'intel-rapl:0', '20W', '-n']).json();
    assert.equal(j.dryRun, true);
    assert.deepEqual([j.changes[0].beforeUw, j.changes[0].requestedUw, j.changes[0].appliedUw], [28000000, 20000000, null]);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });

  test('bad input: exit codes of the issue, nothing written', () => {
    const s = copy('intel-laptop');
    const before = fs.readFileSync(s.file);
    const cases: Array<[string[], number, RegExp]> = [
      [['intel-rapl:7', '20W'], 3, /no zone 'intel-rapl:7'/],
      [['intel-rapl:0', '20W', '-c', 'turbo'], 3, /no constraint 'turbo'.*\n.*long_term \(0\), short_term \(1\), peak_power \(2\)/],
      [['intel-rapl:0', '20'], 2, /a unit is required\n.*15W/],
      [['intel-rapl:0=-5W'], 2, /negative/],
      // commander reads '-5W' as an option: still the same clear message
      [['intel-rapl:0', '-5W'], 2, /invalid value '-5W': negative values are not allowed/],
      [['intel-rapl:0', 'NaN'], 2, /not a number/],
      [['intel-rapl:0', '1e400W'], 2, /exponent/],
      [['intel-rapl:0', '40W'], 5, /40 W is above the maximum .* \(28 W\): nothing was written\n.*--force/],
      [['package-0', '20W', '--only', 'dtpm'], 3, /no control type 'dtpm' \(--only\)/],
      [['intel-rapl:0', '0W'], 5, /a limit of 0 W: that would starve the zone; nothing was written\n.*--force/],
      [['intel-rapl:0', '2W'], 5, /2 W is below 10 % of its maximum 28 W/],
      [['intel-rapl:0', '20W', '--enable', '--disable'], 2, /contradict/],
      [['intel-rapl:0=20W', 'intel-rapl:1'], 2, /ZONE=POWER/],
      [['intel-rapl:0=20W', 'intel-rapl:0=21W'], 2, /set twice/],
      [['intel-rapl:0', '2W', '-c', 'peak_power', '-w', '1s'], 5, /no settable time window \(reading it gives ENODATA\)/],
      [['intel-rapl:0'], 2, /nothing to set/],
    ];
    for (const [args, code, re] of cases) {
      const r = run(['--snapshot', s.file, 'set-limit', ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.deepEqual(fs.readFileSync(s.file), before);
  });

  test('a package name means both copies (MSR and MMIO): one transaction, said; --only sets one', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'package-0', '25W']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /package-0 is one package seen twice, through intel-rapl \(intel-rapl:0\) and intel-rapl-mmio \(intel-rapl-mmio:0\): the lower limit is in force, so both are set as one transaction/);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '25000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '25000000\n');
    const only = copy('intel-laptop');
    const o = run(['--snapshot', only.file, '--json', 'set-limit', 'package-0', '20W', '--only', 'intel-rapl']);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(o.json().changes.map((c: any) => c.zone), ['intel-rapl:0']);
    assert.equal(snapAttr(only.file, 'intel-rapl-mmio:0', PL(0)), '15000000\n');
    // list and tree show the limit in force and which copy holds it
    const l = run(['--snapshot', only.file, 'list', 'intel-rapl:0']);
    assert.match(l.stdout, /long_term 20 W \/ 27\.984 s \(max 28 W\)  effective 15 W, held by intel-rapl-mmio:0/);
  });

  test('the dry run shows what the kernel will store: 25.3 W is 25.25 W in 1/8 W steps', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '25.3W', '-w', '1s', '-n']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /power limit\s+28 W\s+25\.25 W \(asked 25\.3 W\)/);
    assert.match(r.stdout, /time window\s+27\.984 s\s+999\.424 ms \(asked 1 s\)/);
    const j = run(['--snapshot', s.file, '--json', 'set-limit', 'intel-rapl:0', '15.15W', '-n']).json();
    assert.deepEqual([j.changes[0].requestedUw, j.changes[0].expectedUw], [15150000, 15125000]);
    assert.match(run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '15.15W', '-n']).stdout, /15\.125 W \(asked 15\.15 W\)/);
  });

  test('a limit of 0 or below 10 % of max needs --force without a terminal; a disabled zone says so and offers --enable', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '0W', '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--force: intel-rapl:0 \(package-0\) long_term: a limit of 0 W/);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '0\n');
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'psys', '--disable']).code, 0);
    const d = run(['--snapshot', s.file, 'set-limit', 'psys', '20W']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /intel-rapl:1 \(psys\) is disabled \(enabled reads 0\): its limit has no effect until it is enabled; add --enable/);
  });

  test('apply follows the same rule: a profile at 0 W is refused without --force, nothing written', () => {
    const s = copy('intel-laptop');
    const profile = path.join(path.dirname(s.file), 'zero.yaml');
    fs.writeFileSync(profile, 'version: 1\nlimits:\n  - zone: package-0\n    power: 0W\n');
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, 'apply', profile]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /intel-rapl:0 \(package-0\) long_term: a limit of 0 W; intel-rapl-mmio:0 \(package-0\) long_term: a limit of 0 W: that would starve the zone/);
    assert.deepEqual(fs.readFileSync(s.file), before);
    const f = run(['--snapshot', s.file, 'apply', profile, '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '0\n');
  });

  test('--force writes above max and says what it overrides', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '40W', '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--force: writing 40 W to intel-rapl:0 \(package-0\) long_term, above its maximum 28 W/);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '40000000\n');
  });

  test('a read-only snapshot is refused before anything (exit 4), file untouched', () => {
    const s = copy('intel-laptop');
    fs.chmodSync(s.file, 0o444);
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '20W']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /read-only/);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });

  test('a limit recorded as locked (writeErrno ENODATA) → exit 5 "locked by firmware", file byte-identical', () => {
    const s = copy('intel-laptop');
    const doc = JSON.parse(fs.readFileSync(s.file, 'utf8'));
    doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'].attrs[PL(0)] = { text: '28000000\n', writeErrno: 'ENODATA' };
    fs.writeFileSync(s.file, JSON.stringify(doc, null, 2) + '\n');
    const before = fs.readFileSync(s.file);
    // the second zone's write is the locked one: the first is rolled back, and the file never saved
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:1=10W', 'intel-rapl:0=20W']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /this limit is locked by firmware/);
    assert.match(r.stderr, /rolled back: intel-rapl:1 \(psys\) long_term power limit 10 W → 0 W/);
    assert.deepEqual(fs.readFileSync(s.file), before);
    // enabled toggles PL1's enable bit: refused too when PL1 is locked (enabled_store → ENOSYS)
    const e = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '--disable']);
    assert.equal(e.code, 5, e.stderr);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });

  test('a copy locked by firmware: the hint names the other interface, MSR for a locked MMIO copy and MMIO for a locked MSR copy', () => {
    for (const [locked, other] of [['intel-rapl-mmio', 'intel-rapl'], ['intel-rapl', 'intel-rapl-mmio']]) {
      const s = copy('intel-laptop');
      const doc = JSON.parse(fs.readFileSync(s.file, 'utf8'));
      doc.powercap.dirs[locked].dirs[`${locked}:0`].attrs[PL(0)] = { text: '15000000\n', writeErrno: 'ENODATA' };
      fs.writeFileSync(s.file, JSON.stringify(doc, null, 2) + '\n');
      const r = run(['--snapshot', s.file, 'set-limit', `${locked}:0`, '20W']);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, new RegExp(`^powercapctl: ${locked}:0 long_term power limit: this limit is locked by firmware \\(ENODATA on `, 'm'));
      assert.ok(r.stderr.endsWith(`\n  the BIOS set the lock bit; change it in the firmware setup, or through the other RAPL interface (${other}) if that one is not locked\n`), r.stderr);
    }
  });

  test('a write failing on the second zone: --json still prints changes and rolledBack, file byte-identical', () => {
    const s = copy('intel-laptop');
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, '--json', 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=EIO' } });
    assert.equal(r.code, 1, r.stderr);
    const j = r.json();
    assert.equal(j.ok, false);
    assert.deepEqual(j.changes.map((c: any) => [c.zone, c.beforeUw, c.requestedUw, c.appliedUw]), [['intel-rapl:0', 28000000, 20000000, 20000000]]);
    assert.deepEqual(j.rolledBack.map((x: any) => [x.zone, x.fromUw, x.restoredUw, x.targetUw, x.exact, x.ok]), [['intel-rapl:0', 20000000, 28000000, 28000000, true, true]]);
    assert.equal(j.error.errno, 'EIO');
    assert.match(r.stderr, /EIO/);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });

  test('an AMD zone only measures energy: set-limit says AMD exposes no power limit through powercap', () => {
    const s = copy('amd-epyc');
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '100W']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^powercapctl: intel-rapl:0 \(package-0\): AMD exposes no power limit through powercap/m);
    assert.doesNotMatch(r.stderr, /has no constraints/);
    // the core subzone too, and enabling: the same fact
    const e = run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0:0', '--enable']);
    assert.equal(e.code, 5);
    assert.match(e.stderr, /intel-rapl:0:0 \(core\): AMD exposes no power limit/);
    assert.deepEqual(fs.readFileSync(s.file), before);
  });
});

// ------------------------------------------------------------------ live trees (fixture copies)

describe('set-limit on a live tree (fixture copy)', () => {
  test('ZONE=POWER pairs are one transaction; files hold the kernel\'s text', () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W', 'intel-rapl:0:0=5W']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '20000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '30000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0:0', PL(0)), '5000000\n');
    assert.match(r.stdout, /intel-rapl:1 psys\s+long_term\s+power limit\s+0 W\s+30 W\s+30 W/);
  });

  test('limit, window and enable on one zone, in that order', () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, '--json', 'set-limit', 'intel-rapl:1', '25W', '-w', '10s', '--disable']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().changes.map((c: any) => c.attribute), ['power_limit_uw', 'time_window_us', 'enabled']);
    assert.deepEqual(r.json().changes[1].appliedUs, 10000000);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', TW(0)), '10000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', 'enabled'), '0\n');
  });

  test('the second zone\'s write fails → the first is restored, exit code of the failure, output names it', () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=EIO' } });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '0\n');
    assert.match(r.stderr, /rolled back: intel-rapl:0 \(package-0\) long_term power limit 20 W → 28 W/);
    assert.match(r.stderr, /intel-rapl:1 long_term power limit failed \(EIO/);
    assert.equal(r.stdout, '');
  });

  test('a refused value mid-transaction (EINVAL) exits 5; a vanished zone (ENOENT) exits 3; both roll back', () => {
    const t = liveLaptop();
    const a = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=EINVAL' } });
    assert.equal(a.code, 5, a.stderr);
    const b = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=ENOENT' } });
    assert.equal(b.code, 3, b.stderr);
    assert.match(b.stderr, /vanished/);
    const c = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=EROFS' } });
    assert.equal(c.code, 4, c.stderr);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
  });

  test('Ctrl-C between two writes → rolled back, exit 130', () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'after-write:*/intel-rapl:0/constraint_0_power_limit_uw=SIGINT' } });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.match(r.stderr, /rolled back: intel-rapl:0/);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '0\n');
    // the same with --json: the document still comes out, the error goes to stderr
    const j = run(['--root', t.classRoot, '--json', 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=30W'],
      { env: { POWERCAPCTL_FAULTS: 'after-write:#1=SIGINT' } });
    assert.equal(j.code, 130);
    assert.equal(j.json().error.interrupted, true);
    assert.equal(j.json().rolledBack.length, 1);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
  });

  test('EACCES as root on RAPL, or ENODATA: this limit is locked by firmware (exit 5)', () => {
    const t = liveLaptop();
    for (const errno of ['ENODATA', 'EACCES']) {
      const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0', '20W'],
        { env: { POWERCAPCTL_FAULTS: `write:*/intel-rapl:0/constraint_0_power_limit_uw=${errno}` } });
      if (errno === 'EACCES' && NOBODY === null) continue; // not root: EACCES means "run with sudo"
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /this limit is locked by firmware/);
    }
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
  });

  test('not root: EACCES → exit 4, "run with sudo", nothing written', { skip: NOBODY === null ? 'tests do not run as root' : false }, () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0', '20W'], { ...NOBODY! });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /run with sudo/);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '28000000\n');
  });

  test('bounds from min/max power and time window; no long_term among several → refused listing them', () => {
    const t = fixture(boundedCap);
    cleanups.push(t.cleanup);
    const R = ['--root', t.classRoot, 'set-limit'];
    assert.equal(run([...R, 'bounded', '4W']).code, 5); // min_power_uw 5 W
    assert.equal(run([...R, 'bounded', '21W']).code, 5); // max_power_uw 20 W
    assert.equal(run([...R, 'bounded', '8W', '-w', '11s']).code, 5); // max_time_window_us 10 s
    assert.equal(run([...R, 'bounded', '8W', '-w', '500us']).code, 5); // min_time_window_us 1 ms
    assert.equal(liveAttr(t.classRoot, 'test-cap:0', PL(0)), '10000000\n');
    const ok = run([...R, 'bounded', 'min', '-w', '10s']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(liveAttr(t.classRoot, 'test-cap:0', PL(0)), '5000000\n');
    assert.equal(liveAttr(t.classRoot, 'test-cap:0', TW(0)), '10000000\n');
    const forced = run([...R, 'bounded', '4W', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /below its minimum 5 W/);
    const twin = run([...R, 'twin', '10W']);
    assert.equal(twin.code, 2, twin.stderr);
    assert.match(twin.stderr, /none is long_term.*\n.*fast \(0\), slow \(1\)/);
    assert.equal(run([...R, 'twin', '10W', '-c', 'slow']).code, 0);
    assert.equal(liveAttr(t.classRoot, 'test-cap:1', PL(1)), '10000000\n');
  });

  test('on a terminal, asks before writing; "no" writes nothing', requireTool(TOOLS.script), () => {
    const t = liveLaptop();
    const cmd = (answer: string) => spawnSync('script', ['-qec', `'${BIN}' --root '${t.classRoot}' set-limit intel-rapl:1 33W`, '/dev/null'],
      { input: answer, env: cleanEnv({ TERM: 'dumb' }), encoding: 'utf8', timeout: 20000 });
    const no = cmd('n\r');
    assert.match(stripAnsi(no.stdout), /Apply this change\?/);
    assert.match(stripAnsi(no.stdout), /not confirmed: nothing was written/);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '0\n');
    const yes = cmd('y\r');
    assert.match(stripAnsi(yes.stdout), /33 W/);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '33000000\n');
    // stdin not a terminal (every other test here): no question, the write happens
  });
});

test('--help shows the forms and examples', () => {
  const r = run(['set-limit', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /set-limit intel-rapl:0 25W/);
  assert.match(r.stdout, /ZONE=POWER/);
  for (const o of ['--constraint', '--time-window', '--enable', '--disable', '--dry-run', '--yes', '--force']) assert.match(r.stdout, new RegExp(o));
});
