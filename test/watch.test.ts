/**
 * watch (issue 5): the delta/wrap/gap/total rules with the numbers written
 * out, then the built binary against a fixture whose counters a worker thread
 * advances at known powers on the real clock (a wrap at max_energy_range_uj,
 * a zone removed mid-run), record and replay, the output formats,
 * permissions as an unprivileged user, and Ctrl-C.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { run, fixture, example, NOBODY, BIN, cleanEnv, stripAnsi } from './helpers.js';
import { intelLaptop, bigTree, gpuBox, tpmi2s, armScmi, RAPL_PACKAGE_RANGE_UJ, RAPL_DRAM_RANGE_UJ } from './fixtures/specs.js';
import { makeTempDir, type FixtureSpec, type FixtureTree } from './fixtures/sysfs.js';
import {
  CounterWriter, advanceDuring, watchFixture, runAsync, parseNdjson, PACKAGE_W, CORE_W, MMIO_W, type NdjsonSample,
} from './fixtures/watch.js';
import { averagePowerUw, classifyEnergyInterval, energyDeltaUj, energyFromPowerUj, moreThanOneWrapPossible } from '../src/core/watch/delta.js';
import { Schedule } from '../src/core/watch/schedule.js';
import { RunningStats, sparkline } from '../src/core/watch/stats.js';
import { planSystemTotal, type TotalZone } from '../src/core/watch/total.js';
import { Sampler } from '../src/core/watch/sampler.js';
import { Recorder, decodeRecording } from '../src/core/watch/recording.js';
import { runLiveLoop, type WatchClock } from '../src/core/watch/loop.js';
import type { Reading, WatchZone } from '../src/core/watch/zones.js';
import type { ZoneLimit } from '../src/core/limits/effective.js';
import { seconds } from '../src/cli/commands/watch/writers.js';
import { escapeLabelValue } from '../src/core/exporter/exposition.js';
import { validate } from '../src/core/snapshot/validate.js';
import { snapshotSchema, emptySnapshotDoc } from '../src/core/snapshot/file.js';

// ------------------------------------------------------------------ pure rules

describe('energy deltas (kernel.md §2)', () => {
  test('a delta without a wrap is the difference', () => {
    assert.deepEqual(energyDeltaUj(52649883221n, 52651133221n, RAPL_PACKAGE_RANGE_UJ), { deltaUj: 1250000n, wrapped: false });
  });
  test('one wrap: now + (max_energy_range_uj - before)', () => {
    // 262143328850 - 262142000000 = 1328850 to the wrap, then 500000 after it
    assert.deepEqual(energyDeltaUj(262142000000n, 500000n, 262143328850n), { deltaUj: 1828850n, wrapped: true });
    // over 100 ms: 1828850 µJ / 0.1 s = 18.2885 W
    assert.equal(averagePowerUw(1828850n, 100000n), 18288500n);
  });
  test('power rounds to the nearest µW', () => {
    assert.equal(averagePowerUw(1n, 3n), 333333n); // 333333.3
    assert.equal(averagePowerUw(2n, 3n), 666667n); // 666666.7
  });
  test('a counter lower than before with no range to wrap at (reads 0 on old systems) is backwards', () => {
    assert.equal(energyDeltaUj(1000n, 10n, 0n), null);
    assert.deepEqual(classifyEnergyInterval(1000n, 10n, 100000n, 0n, 242000000n), { ok: false, reason: 'backwards' });
  });
  test('a reset is not mistaken for a wrap: it would mean 209 kW', () => {
    // a wrap would be 1000 + (262143328850 - 52649883221) = 209493446629 µJ in 1 s; the package can draw 242 W
    assert.deepEqual(classifyEnergyInterval(52649883221n, 1000n, 1000000n, RAPL_PACKAGE_RANGE_UJ, 242000000n), { ok: false, reason: 'backwards' });
  });
  test('a genuine wrap at the same bound passes', () => {
    assert.deepEqual(classifyEnergyInterval(262143000000n, 1000000n, 100000n, RAPL_PACKAGE_RANGE_UJ, 242000000n), { ok: true, deltaUj: 1328850n, wrapped: true });
  });
  test('an interval long enough for two wraps at the highest plausible power is a gap', () => {
    // DRAM range 65712999613 µJ at 242 W: 65712999613 / 242 = 271541321 µs (271.5 s) per full range
    assert.equal(moreThanOneWrapPossible(271541320n, RAPL_DRAM_RANGE_UJ, 242000000n), false);
    assert.equal(moreThanOneWrapPossible(271541322n, RAPL_DRAM_RANGE_UJ, 242000000n), true);
    assert.deepEqual(classifyEnergyInterval(1000n, 2000n, 300000000n, RAPL_DRAM_RANGE_UJ, 242000000n), { ok: false, reason: 'multiple-wraps' });
  });
  test('a forward jump beyond the highest plausible power is implausible; a reading above the range too', () => {
    // 100 J in 0.1 s = 1000 W > 242 W
    assert.deepEqual(classifyEnergyInterval(0n, 100000000n, 100000n, RAPL_PACKAGE_RANGE_UJ, 242000000n), { ok: false, reason: 'implausible' });
    assert.deepEqual(classifyEnergyInterval(0n, RAPL_PACKAGE_RANGE_UJ + 1n, 100000n, RAPL_PACKAGE_RANGE_UJ, 242000000n), { ok: false, reason: 'implausible' });
  });
  test('zones that report power: the trapezoid between two readings', () => {
    assert.equal(energyFromPowerUj(3000000n, 3000000n, 200000n), 600000n); // 3 W × 0.2 s
    assert.equal(energyFromPowerUj(1000000n, 3000000n, 1000000n), 2000000n); // 1 W → 3 W over 1 s = 2 J
  });
});

describe('the sampling schedule', () => {
  test('sample k is due at start + k·interval, with no drift after an hour at 10 Hz', () => {
    const s = new Schedule(5_000_000n, 100_000n);
    assert.equal(s.slotUs(0), 5_000_000n);
    assert.equal(s.slotUs(36000), 5_000_000n + 3_600_000_000n);
  });
  test('a late sample skips to the next slot ahead instead of bunching', () => {
    const s = new Schedule(1000n, 100n);
    assert.equal(s.next(0, 1050n), 1); // on time
    assert.equal(s.next(1, 1250n), 3); // finished after slot 2 was due: slot 2 skipped
    assert.equal(s.skipped, 1);
    assert.equal(s.next(3, 1300n), 4); // exactly at slot 3 + ... slot 4 still ahead
  });
  test('the live loop keeps the absolute slots with a slow reader (fake clock)', async () => {
    let now = 0n;
    const taken: bigint[] = [];
    const clock: WatchClock = { nowUs: () => now, sleepUntil: async (t) => { if (t > now) now = t; } };
    const r = await runLiveLoop({
      intervalUs: 100n, count: 5, clock, signal: new AbortController().signal,
      // the third read takes 250 µs: slots 3 and 4 are missed; the rest stay on the grid
      read: () => { taken.push(now); now += taken.length === 3 ? 250n : 10n; return []; },
      onPass: () => {},
    });
    assert.deepEqual(taken, [0n, 100n, 200n, 500n, 600n, 700n]);
    assert.equal(r.skipped, 2);
    assert.equal(r.passes, 6);
  });
  test('a duration ends at its last slot, on time, however many passes ran late; the slots missed are counted', async () => {
    let now = 0n;
    const taken: bigint[] = [];
    const clock: WatchClock = { nowUs: () => now, sleepUntil: async (t) => { if (t > now) now = t; } };
    // every pass takes 250 µs against a 100 µs interval; --duration 1 ms: slots 0 … 10
    const r = await runLiveLoop({
      intervalUs: 100n, count: null, lastSlot: 10, clock, signal: new AbortController().signal,
      read: () => { taken.push(now); now += 250n; return []; },
      onPass: () => {},
    });
    // slots 0, 3, 6, 9 are taken; 1, 2, 4, 5, 7, 8 and 10 are missed; slot 12 is past the end
    assert.deepEqual(taken, [0n, 300n, 600n, 900n]);
    assert.equal(r.passes, 4);
    assert.equal(r.skipped, 7);
    assert.equal(r.maxPassUs, 250n);
    assert.equal(now, 1150n, 'stopped one pass after the last slot, not 4 passes later');
  });
});

describe('watch that cannot keep up', () => {
  test('1 ms over 1024 zones for 300 ms: stops on time, and says how many slots it missed and why, without --verbose', () => {
    const t = fixture(bigTree(64, 15));
    try {
      const t0 = Date.now();
      // NDJSON for every zone of every pass: more than spawnSync buffers by default
      const r = spawnSync(BIN, ['--root', t.classRoot, 'watch', '-i', '1ms', '-d', '300ms', '--json'], { env: cleanEnv(), encoding: 'utf8', timeout: 20000, maxBuffer: 1 << 30 });
      const took = Date.now() - t0;
      assert.equal(r.status, 0, r.stderr);
      // start-up and the tree read, then 300 ms of sampling and at most one more pass
      assert.ok(took < 5000, `took ${took} ms`);
      const m = /warning: ([0-9]+) of ([0-9]+) sample slots missed: a pass took up to (\S+ \S+) against a 1 ms interval \(1024 zones\); sample less often \(--interval\) or fewer zones/.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.equal(Number(m[2]), 301, 'slots 0 … 300 of a 300 ms run at 1 ms');
      const passes = new Set(r.stdout.trim().split('\n').map((l) => JSON.parse(l).t)).size + 1;
      assert.equal(Number(m[2]) - Number(m[1]), passes, 'the slots taken are the passes printed, the baseline included');
    } finally {
      t.cleanup();
    }
  });
});

describe('running statistics', () => {
  test('min / avg / max and energy, avg = energy / time', () => {
    const s = new RunningStats(4);
    s.add(10_000_000n, 1_000_000n, 100_000n);
    s.add(30_000_000n, 3_000_000n, 100_000n);
    s.addGap();
    s.add(20_000_000n, 4_000_000n, 200_000n);
    assert.equal(s.minUw, 10_000_000n);
    assert.equal(s.maxUw, 30_000_000n);
    assert.equal(s.energyUj, 8_000_000n);
    assert.equal(s.avgUw, 20_000_000n); // 8 J over 0.4 s
    assert.equal(s.gaps, 1);
    s.add(40_000_000n, 4_000_000n, 100_000n);
    s.add(50_000_000n, 5_000_000n, 100_000n);
    assert.deepEqual(s.recent().map((v) => v / 1e6), [Number.NaN, 20, 40, 50]);
  });
  test('sparkline scales from 0 to its top; 0 and a gap are blank (more in watch-view.test.ts)', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8, Number.NaN]), ' ▁▂▃▄▅▆▇█ ');
  });
});

describe('the system total sums non-overlapping zones (docs/watch.md)', () => {
  const z = (id: string, name: string, hasConstraints = true): TotalZone => {
    const i = id.lastIndexOf(':');
    const p = id.slice(0, i);
    return { id, name, controlType: id.slice(0, id.indexOf(':')), parent: p.includes(':') ? p : null, hasConstraints };
  };
  // the laptop tree: package-0 {core, uncore, dram}, psys, the MMIO copy of package-0
  const laptopTree = {
    childNames: (id: string) => ({ 'intel-rapl:0': ['core', 'uncore', 'dram'] } as Record<string, string[]>)[id] ?? [],
    nameOf: (id: string) => ({ 'intel-rapl:0': 'package-0', 'intel-rapl:1': 'psys', 'intel-rapl-mmio:0': 'package-0' } as Record<string, string>)[id] ?? null,
  };
  const pkg = z('intel-rapl:0', 'package-0');
  const core = z('intel-rapl:0:0', 'core');
  const uncore = z('intel-rapl:0:1', 'uncore');
  const dram = z('intel-rapl:0:2', 'dram');
  const psys = z('intel-rapl:1', 'psys');
  const mmio = z('intel-rapl-mmio:0', 'package-0');
  const reasons = (plan: { excluded: Array<{ id: string; reason: string }> }) => Object.fromEntries(plan.excluded.map((e) => [e.id, e.reason]));

  test('every laptop zone: psys alone, since it contains the rest', () => {
    const plan = planSystemTotal([pkg, core, uncore, dram, psys, mmio], laptopTree);
    assert.deepEqual(plan.summed, ['intel-rapl:1']);
    assert.deepEqual(reasons(plan), {
      'intel-rapl:0': 'inside intel-rapl:1 (psys)',
      'intel-rapl:0:0': 'inside intel-rapl:1 (psys)',
      'intel-rapl:0:1': 'inside intel-rapl:1 (psys)',
      'intel-rapl:0:2': 'inside intel-rapl:1 (psys)',
      'intel-rapl-mmio:0': 'same package as intel-rapl:0 (MSR)',
    });
  });
  test('psys alone; psys with any one subzone is psys (was: the subzone alone)', () => {
    assert.deepEqual(planSystemTotal([psys], laptopTree).summed, ['intel-rapl:1']);
    for (const part of [pkg, core, uncore, dram, mmio]) {
      const plan = planSystemTotal([psys, part], laptopTree);
      assert.deepEqual(plan.summed, ['intel-rapl:1'], part.id);
      assert.deepEqual(reasons(plan), { [part.id]: 'inside intel-rapl:1 (psys)' });
    }
  });
  test('without psys: the package, not its parts; parts alone are summed side by side', () => {
    assert.deepEqual(planSystemTotal([pkg, core, uncore, dram], laptopTree).summed, ['intel-rapl:0']);
    assert.deepEqual(planSystemTotal([core, uncore], laptopTree).summed, ['intel-rapl:0:0', 'intel-rapl:0:1']);
  });
  test('MSR and MMIO copies of one package count once (the MSR one), whichever is named first; MMIO alone counts', () => {
    const plan = planSystemTotal([mmio, pkg], laptopTree);
    assert.deepEqual(plan.summed, ['intel-rapl:0']);
    assert.deepEqual(reasons(plan), { 'intel-rapl-mmio:0': 'same package as intel-rapl:0 (MSR)' });
    assert.deepEqual(planSystemTotal([mmio], laptopTree).summed, ['intel-rapl-mmio:0']);
    assert.deepEqual(planSystemTotal([mmio, core], laptopTree).summed, ['intel-rapl-mmio:0'], 'the MMIO package contains the core');
    // an MMIO subzone is the MSR subzone of the same name
    const mmioDram = z('intel-rapl-mmio:0:0', 'dram');
    const both = planSystemTotal([mmioDram, dram], laptopTree);
    assert.deepEqual(both.summed, ['intel-rapl:0:2']);
    assert.deepEqual(reasons(both), { 'intel-rapl-mmio:0:0': 'same counter as intel-rapl:0:2 (MSR)' });
  });
  test('two-socket server: packages and their DRAM (outside the package domain) are all summed', () => {
    const server = { childNames: (id: string) => (id === 'intel-rapl:0' || id === 'intel-rapl:1' ? ['dram'] : []), nameOf: () => null };
    const plan = planSystemTotal([z('intel-rapl:0', 'package-0'), z('intel-rapl:0:0', 'dram'), z('intel-rapl:1', 'package-1'), z('intel-rapl:1:0', 'dram')], server);
    assert.deepEqual(plan.summed, ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:1', 'intel-rapl:1:0']);
    assert.deepEqual(plan.excluded, []);
  });
  test('AMD dies of one package (energy only) read one counter: counted once; Intel dies (with limits) are separate', () => {
    const amd = { childNames: () => [], nameOf: () => null };
    const plan = planSystemTotal([z('intel-rapl:0', 'package-0-die-0', false), z('intel-rapl:1', 'package-0-die-1', false)], amd);
    assert.deepEqual(plan.summed, ['intel-rapl:0']);
    assert.deepEqual(reasons(plan), { 'intel-rapl:1': 'same package counter as intel-rapl:0 (AMD dies of one package)' });
    // two packages of two dies each: one per package
    const four = planSystemTotal(['0-die-0', '0-die-1', '1-die-0', '1-die-1'].map((n, i) => z(`intel-rapl:${i}`, `package-${n}`, false)), amd);
    assert.deepEqual(four.summed, ['intel-rapl:0', 'intel-rapl:2']);
    const intel = planSystemTotal([z('intel-rapl:0', 'package-0-die-0'), z('intel-rapl:1', 'package-0-die-1')], amd);
    assert.deepEqual(intel.summed, ['intel-rapl:0', 'intel-rapl:1']);
  });
  test('TPMI server: psys (from package 0 only) holds both packages and their DRAM; without psys all four are summed', () => {
    // examples/tpmi-2s.json: package-0 intel-rapl:0 {dram}, psys intel-rapl:1, package-1 intel-rapl:2 {dram}
    const tpmi = {
      childNames: (id: string) => (id === 'intel-rapl:0' || id === 'intel-rapl:2' ? ['dram'] : []),
      nameOf: (id: string) => ({ 'intel-rapl:0': 'package-0', 'intel-rapl:1': 'psys', 'intel-rapl:2': 'package-1' } as Record<string, string>)[id] ?? null,
    };
    const zones = [z('intel-rapl:0', 'package-0'), z('intel-rapl:0:0', 'dram'), z('intel-rapl:1', 'psys'), z('intel-rapl:2', 'package-1'), z('intel-rapl:2:0', 'dram')];
    const plan = planSystemTotal(zones, tpmi);
    assert.deepEqual(plan.summed, ['intel-rapl:1']);
    assert.deepEqual(reasons(plan), {
      'intel-rapl:0': 'inside intel-rapl:1 (psys)', 'intel-rapl:0:0': 'inside intel-rapl:1 (psys)',
      'intel-rapl:2': 'inside intel-rapl:1 (psys)', 'intel-rapl:2:0': 'inside intel-rapl:1 (psys)',
    });
    const noPsys = planSystemTotal(zones.filter((x) => x.name !== 'psys'), tpmi);
    assert.deepEqual(noPsys.summed, ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:2', 'intel-rapl:2:0']);
    // a domain root that is package 1 names it psys-1 (rapl_init_domains): the same platform, holding the rest
    const psys1 = planSystemTotal([z('intel-rapl:0', 'package-0'), z('intel-rapl:1', 'package-1'), z('intel-rapl:2', 'psys-1')], tpmi);
    assert.deepEqual(psys1.summed, ['intel-rapl:2']);
    assert.deepEqual(reasons(psys1), { 'intel-rapl:0': 'inside intel-rapl:2 (psys)', 'intel-rapl:1': 'inside intel-rapl:2 (psys)' });
    // two psys zones: the first holds the platform, the second is counted in it
    const two = planSystemTotal([z('intel-rapl:1', 'psys'), z('intel-rapl:3', 'psys-1')], tpmi);
    assert.deepEqual(two.summed, ['intel-rapl:1']);
    assert.deepEqual(reasons(two), { 'intel-rapl:3': 'inside intel-rapl:1 (psys)' });
  });
  test('SCMI: the firmware\'s root domains only (soc, ddr), their children inside', () => {
    const plan = planSystemTotal([z('arm-scmi:0', 'soc'), z('arm-scmi:0:0', 'big-cpus'), z('arm-scmi:0:1', 'little-cpus'), z('arm-scmi:0:2', 'gpu'), z('arm-scmi:1', 'ddr')], laptopTree);
    assert.deepEqual(plan.summed, ['arm-scmi:0', 'arm-scmi:1']);
    assert.deepEqual(reasons(plan), { 'arm-scmi:0:0': 'inside arm-scmi:0', 'arm-scmi:0:1': 'inside arm-scmi:0', 'arm-scmi:0:2': 'inside arm-scmi:0' });
  });
  test('DTPM: the root only; RAPL and DTPM side by side are both summed', () => {
    const plan = planSystemTotal(
      [z('dtpm:0', 'rk3399'), z('dtpm:0:0', 'package'), z('dtpm:0:0:0', 'cpu0-cpufreq'), z('dtpm:0:0:1', 'cpu4-cpufreq'), z('dtpm:0:0:2', 'ff9a0000.gpu')],
      laptopTree,
    );
    assert.deepEqual(plan.summed, ['dtpm:0']);
    assert.equal(reasons(plan)['dtpm:0:0:2'], 'inside dtpm:0');
    assert.deepEqual(planSystemTotal([z('dtpm:0:0', 'package'), pkg, z('dtpm:0:0:1', 'cpu4-cpufreq')], laptopTree).summed, ['dtpm:0:0', 'intel-rapl:0']);
  });
});

describe('the system total, live', () => {
  const systemOf = (stdout: string) => parseNdjson(stdout).filter((s) => s.zone === 'system');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  /** A fixture whose counters advance at `powers` (W, by zone id) while `body` runs. */
  const withCounters = async (spec: FixtureSpec, powers: Record<string, number>, body: (t: FixtureTree) => Promise<void>) => {
    const t = watchFixture(spec);
    const writer = new CounterWriter(t, powers);
    try {
      await writer.ready();
      await body(t);
    } finally {
      await writer.stop();
      t.cleanup();
    }
  };
  /** The system samples of `watch ZONES -i 200ms -n 6 --json`. */
  const watchSystem = async (t: FixtureTree, zones: string[] = []) => {
    const r = await runAsync(['--root', t.classRoot, 'watch', ...zones, '-i', '200ms', '-n', '6', '--json'], { raisePriority: true });
    assert.equal(r.code, 0, r.stderr);
    return systemOf(r.stdout);
  };
  const systemNear = (system: NdjsonSample[], watts: number) =>
    assert.ok(within(median(system.map((s) => s.powerUw! / 1e6)), watts, 0.03), `system ${system.map((s) => s.powerUw)}`);

  test('watch psys dram on the laptop (psys 22 W, dram 2 W): system = psys, 22 W; dram left out as inside psys', () =>
    withCounters(intelLaptop, { 'intel-rapl:1': 22, 'intel-rapl:0:2': 2 }, async (t) => {
      const system = await watchSystem(t, ['psys', 'dram']);
      assert.equal(system.length, 6);
      for (const s of system) {
        assert.deepEqual(s.zones, ['intel-rapl:1']);
        assert.deepEqual(s.excluded, [{ zone: 'intel-rapl:0:2', reason: 'inside intel-rapl:1 (psys)' }]);
      }
      systemNear(system, 22);
      // psys with core: psys again, never the core alone
      const core = await runAsync(['--root', t.classRoot, 'watch', 'psys', 'core', '-i', '100ms', '-n', '2', '--json']);
      assert.deepEqual(systemOf(core.stdout).map((s) => s.zones), [['intel-rapl:1'], ['intel-rapl:1']]);
    }));

  test('TPMI server (psys 610 W; packages 250 W and 240 W, their DRAM 30 W and 28 W): system = psys, 610 W; without psys 548 W', () =>
    withCounters(tpmi2s, { 'intel-rapl:0': 250, 'intel-rapl:0:0': 30, 'intel-rapl:1': 610, 'intel-rapl:2': 240, 'intel-rapl:2:0': 28 }, async (t) => {
      const system = await watchSystem(t);
      assert.deepEqual(system[0]!.zones, ['intel-rapl:1']);
      assert.deepEqual(system[0]!.excluded!.map((e) => e.zone), ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:2', 'intel-rapl:2:0']);
      systemNear(system, 610);
      // the packages and their DRAM without psys: 250 + 30 + 240 + 28 = 548 W, nothing left out
      const sum = await watchSystem(t, ['package-*', 'dram']);
      assert.deepEqual(sum[0]!.zones, ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:2', 'intel-rapl:2:0']);
      systemNear(sum, 548);
    }));

  test('SCMI board: power read from power_uw (soc 9.45 W, ddr 1.1 W: system 10.55 W); the little cluster that cannot measure is a gap', () => {
    const t = fixture(armScmi);
    try {
      const r = run(['--root', t.classRoot, 'watch', '-i', '100ms', '-n', '2', '--json'], { env: { POWERCAPCTL_FAULTS: t.faults } });
      assert.equal(r.code, 0, r.stderr);
      const samples = parseNdjson(r.stdout);
      const last = (id: string) => samples.filter((x) => x.zone === id).at(-1)!;
      assert.equal(last('arm-scmi:0').powerUw, 9450000);
      assert.equal(last('arm-scmi:0:2').powerUw, 1234567);
      assert.equal(last('arm-scmi:0:1').gap, true);
      assert.equal(last('arm-scmi:0:1').errno, 'EINVAL');
      const system = last('system');
      assert.deepEqual(system.zones, ['arm-scmi:0', 'arm-scmi:1']);
      assert.equal(system.powerUw, 10550000);
    } finally {
      t.cleanup();
    }
  });

  test('AMD Threadripper: two die zones reading one package counter (68 W each) count once: system 68 W', () => {
    const die = (n: number) => ({ name: `package-0-die-${n}`, energyUj: 10359908363n + BigInt(n), maxEnergyRangeUj: 65532610987n });
    return withCounters({ controlTypes: [{ name: 'intel-rapl', zones: [die(0), die(1)] }] }, { 'intel-rapl:0': 68, 'intel-rapl:1': 68 }, async (t) => {
      const system = await watchSystem(t);
      assert.deepEqual(system[0]!.zones, ['intel-rapl:0']);
      assert.deepEqual(system[0]!.excluded, [{ zone: 'intel-rapl:1', reason: 'same package counter as intel-rapl:0 (AMD dies of one package)' }]);
      systemNear(system, 68);
      // the table names the summed zone and the one left out
      const table = await runAsync(['--root', t.classRoot, 'watch', '-i', '100ms', '-n', '2', '--format', 'table']);
      assert.match(table.stdout, /system = intel-rapl:0; left out: intel-rapl:1 same package counter as intel-rapl:0/);
    });
  });
});

const pkgZone = (over: Partial<WatchZone> = {}): WatchZone => ({
  id: 'intel-rapl:0', name: 'package-0', controlType: 'intel-rapl', parent: null, depth: 0, attr: 'energy_uj', path: 'intel-rapl/intel-rapl:0/energy_uj',
  maxEnergyRangeUj: RAPL_PACKAGE_RANGE_UJ, maxPowerUw: 242000000n, limitUw: 28000000n, ...over,
});

describe('the sampler', () => {
  const passes: Array<[bigint, Reading[]]> = [
    [0n, [262142000000n]],
    [100000n, [500000n]], // wrapped: 1828850 µJ in 0.1 s = 18.2885 W
    [200000n, ['ENOENT']], // gap: vanished
    [300000n, [3000000n]], // back: 2500000 µJ over the 0.2 s since the last good reading = 12.5 W
    [400000n, [1000n]], // reset: gap, new baseline
    [500000n, [1251000n]], // 1250000 µJ in 0.1 s = 12.5 W
    [600000n, ['EIO']],
    [700000n, ['invalid']],
  ];
  test('wraps, gaps with reasons, and the span after a gap', () => {
    const s = new Sampler([pkgZone()], [0]);
    const out = passes.map(([t, r]) => s.ingest(t, r));
    assert.equal(out[0], null);
    const x = out.slice(1).map((r) => r!.samples[0]!);
    assert.deepEqual(x.map((v) => [v.energyUj, v.powerUw, v.intervalUs, v.wrapped, v.gap]), [
      [1828850n, 18288500n, 100000n, true, null],
      [null, null, 100000n, false, 'vanished'],
      [2500000n, 12500000n, 200000n, false, null],
      [null, null, 100000n, false, 'backwards'],
      [1250000n, 12500000n, 100000n, false, null],
      [null, null, 100000n, false, 'unreadable'],
      [null, null, 100000n, false, 'invalid'],
    ]);
    assert.equal(x[5]!.errno, 'EIO');
    const st = s.stats[0]!;
    assert.equal(st.energyUj, 1828850n + 2500000n + 1250000n);
    assert.equal(st.gaps, 4);
    assert.equal(st.minUw, 12500000n);
    assert.equal(st.maxUw, 18288500n);
    // the system figure has a gap whenever a summed zone has one
    assert.deepEqual(out.slice(1).map((r) => r!.total!.gap), [false, true, false, true, false, true, true]);
  });
  test('a zone that reports power: power as read, energy by trapezoid; no baseline means a gap', () => {
    const dtpm = pkgZone({ id: 'dtpm:0', attr: 'power_uw', maxEnergyRangeUj: null, maxPowerUw: 5000000n });
    const s = new Sampler([dtpm]);
    assert.equal(s.ingest(0n, ['EIO']), null);
    assert.equal(s.ingest(100000n, [1000000n])!.samples[0]!.gap, 'no-baseline');
    const r = s.ingest(1100000n, [3000000n])!.samples[0]!;
    assert.deepEqual([r.powerUw, r.energyUj, r.intervalUs], [3000000n, 2000000n, 1000000n]);
  });
});

describe('recordings', () => {
  test('columnar round trip, valid against the snapshot schema', () => {
    const zones = [pkgZone(), pkgZone({ id: 'dtpm:0', name: 'soc', controlType: 'dtpm', attr: 'power_uw', maxEnergyRangeUj: null, maxPowerUw: 5000000n, limitUw: null })];
    const rec = new Recorder(zones, 100000n, '2025-01-01T00:00:00.000Z');
    const times = [312n, 100298n, 200305n, 300301n];
    const readings: Reading[][] = [[262142000000n, 3000000n], [500000n, 'EACCES'], ['ENOENT', 2999000n], [3000000n, 'invalid']];
    // the limit each zone was held to: a package's 15 W lowered to 12 W at the third pass; a DTPM node not limited, then unknown
    const limits: ZoneLimit[][] = [[15000000n, 'none'], [15000000n, 'none'], [12000000n, 'unknown'], [12000000n, 'unknown']];
    times.forEach((t, i) => rec.add(t, readings[i]!, limits[i]!));
    const doc = rec.toDoc();
    assert.equal(doc.tUs, '312,99986,100007,99996');
    assert.equal(doc.zones[0]!.values, '262142000000,-262141500000,ENOENT,2500000');
    assert.equal(doc.zones[1]!.values, '3000000,EACCES,-1000,?');
    assert.equal(doc.zones[0]!.limits, '15000000,,12000000,');
    assert.equal(doc.zones[1]!.limits, '-,,?,');
    const snap = { ...emptySnapshotDoc({ hostname: 'h', kernelRelease: '6.16.0' }), recording: doc };
    assert.equal(validate(snapshotSchema(), snap), null);
    const back = decodeRecording(doc, 'x.json');
    assert.deepEqual(back.times, times);
    assert.deepEqual(back.readings, readings);
    assert.deepEqual(back.limits, limits);
    // a recording made before limits were recorded: none, the snapshot's are used
    assert.equal(decodeRecording({ ...doc, zones: doc.zones.map(({ limits: _, ...z }) => z) }, 'x.json').limits, null);
    assert.throws(() => decodeRecording({ ...doc, zones: doc.zones.map((z) => ({ ...z, limits: '1,,W,' })) }, 'x.json'), /limit 'W' is not/);
    assert.equal(back.zones[0]!.maxEnergyRangeUj, RAPL_PACKAGE_RANGE_UJ);
    // a column that does not line up is refused
    assert.throws(() => decodeRecording({ ...doc, passes: 5 }, 'x.json'), /invalid recording/);
    assert.match(validate(snapshotSchema(), { ...snap, recording: { ...doc, tUs: '1,x' } }) ?? '', /tUs/);
  });
  test('10 000 samples of five zones stay small', () => {
    const zones = [0, 1, 2, 3, 4].map((i) => pkgZone({ id: `intel-rapl:${i}` }));
    const rec = new Recorder(zones, 100000n, '2025-01-01T00:00:00.000Z');
    const v = [52649883221n, 17823556712n, 1203349921n, 8331554772n, 133749222101n];
    const held: ZoneLimit[] = [28000000n, 'none', 'none', 'none', 15000000n];
    for (let p = 0; p <= 10000; p++) rec.add(BigInt(p) * 100000n + 37n, v.map((x, i) => x + BigInt(p) * BigInt(1000000 + i * 123457)), held);
    const bytes = JSON.stringify(rec.toDoc()).length;
    assert.ok(bytes < 600_000, `${bytes} bytes`);
  });
});

describe('output encodings', () => {
  test('seconds and label values', () => {
    assert.equal(seconds(100012n), '0.100012');
    assert.equal(seconds(1500000n), '1.5');
    assert.equal(seconds(0n), '0');
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });
});

// ------------------------------------------------------------------ the binary, live

const within = (actual: number, expected: number, tol: number) => Math.abs(actual - expected) <= expected * tol;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ofZone = (all: NdjsonSample[], id: string) => all.filter((s) => s.zone === id);

/**
 * A zone's figures against the power its counter was advanced at. The counter
 * writer is another process on the same machine: a reading can be stale by a
 * fraction of a millisecond, more when the machine is busy, which shifts one
 * interval's figure by that much over its length (measured here: ±0.5 ms
 * typically, a few ms at a load of 6 on 2 cores). So: the median sample within
 * 1 %, and every sample within 50 % (a mishandled wrap or unit is off by
 * orders of magnitude). That each figure is exactly the kernel rule applied to
 * the raw readings is checked against the recording (assertExactFromRecording).
 */
function assertPower(samples: NdjsonSample[], watts: number, label: string) {
  const ok = samples.filter((s) => !s.gap);
  assert.ok(ok.length >= 2, `${label}: ${ok.length} samples with figures`);
  const w = ok.map((s) => s.powerUw! / 1e6);
  for (const x of w) assert.ok(within(x, watts, 0.5), `${label}: ${x} W against ${watts} W`);
  assert.ok(within(median(w), watts, 0.01), `${label}: median ${median(w)} W against ${watts} W (samples ${w.join(', ')})`);
}

/**
 * Every energy sample of the live run against the raw readings and times the
 * recording holds: delta = now >= before ? now - before : now + (range - before)
 * (kernel.md §2), power = delta × 10^6 / interval µs, rounded.
 */
function assertExactFromRecording(all: NdjsonSample[], recordFile: string) {
  const rec = JSON.parse(fs.readFileSync(recordFile, 'utf8')).recording;
  const times: bigint[] = [];
  let t = 0n;
  for (const d of rec.tUs.split(',')) times.push((t += BigInt(d)));
  let checked = 0;
  for (const z of rec.zones) {
    if (z.attr !== 'energy_uj') continue;
    const values: Array<bigint | null> = [];
    let v: bigint | null = null;
    for (const tok of z.values.split(',')) {
      if (/^-?[0-9]+$/.test(tok)) values.push((v = v === null ? BigInt(tok) : v + BigInt(tok)));
      else values.push(null);
    }
    const samples = ofZone(all, z.id);
    for (let p = 1; p < values.length; p++) {
      const before = values[p - 1];
      const now = values[p];
      if (before == null || now == null) continue;
      const range = BigInt(z.maxEnergyRangeUj);
      const delta = now >= before ? now - before : now + (range - before);
      const us = times[p]! - times[p - 1]!;
      const s = samples[p - 1]!;
      assert.equal(s.t, Number(times[p]) / 1e6);
      assert.equal(BigInt(s.intervalUs), us);
      assert.equal(BigInt(s.energyDeltaUj!), delta, `${z.id} pass ${p}`);
      assert.equal(BigInt(s.powerUw!), (2n * delta * 1000000n + us) / (2n * us));
      assert.equal(s.wrapped, now < before);
      checked++;
    }
  }
  assert.ok(checked >= 16, `${checked} samples checked`);
}

describe('the table and the summary', () => {
  test('numbers right-aligned under their heading, no trailing spaces, coloured or not', () => {
    for (const env of [{}, { FORCE_COLOR: '1' }]) {
      const r = run(['--snapshot', example('watch-laptop'), 'watch', '--speed', '0', '--format', 'table', '-n', '2'], { env });
      assert.equal(r.code, 0, r.stderr);
      const lines = stripAnsi(r.stdout).trimEnd().split('\n');
      assert.deepEqual(lines.filter((l) => / $/.test(l)), [], 'trailing spaces');
      // the last frame and the summary: each figure ends where its heading ends
      const last = (re: RegExp) => lines.length - 1 - [...lines].reverse().findIndex((l) => re.test(l));
      for (const head of [last(/^ZONE +NAME +POWER/), last(/^ZONE +NAME +ENERGY/)]) {
        const heading = lines[head]!;
        const rows = lines.slice(head + 1).filter((l) => /^(  )?(intel-rapl|system)/.test(l)).slice(0, 7);
        for (const col of heading.includes('LOAD') ? ['POWER', 'AVG', 'LIMIT', 'LOAD'] : ['ENERGY', 'AVG POWER', 'AT LIMIT', 'GAPS']) {
          const end = heading.indexOf(col) + col.length;
          for (const row of rows) assert.ok(row.length >= end && row[end] !== undefined ? row[end] === ' ' && row[end - 1] !== ' ' : row.length === end, `${col} ends at ${end}: ${JSON.stringify(row)}\n${heading}`);
        }
      }
    }
  });
});

describe('watch on a live tree with advancing counters', () => {
  const t = watchFixture();
  const env = { POWERCAPCTL_FAULTS: t.faults };
  const out = makeTempDir();
  const recordFile = path.join(out, 'run.json');
  let liveStdout = '';
  const writer = advanceDuring(t, { 'intel-rapl:0': PACKAGE_W, 'intel-rapl:0:0': CORE_W, 'intel-rapl-mmio:0': MMIO_W });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  test('Prometheus textfile: rewritten each interval with counters and gauges', async () => {
    const prom = path.join(out, 'powercap.prom');
    const r = await runAsync(['--root', t.classRoot, 'watch', '-i', '200ms', '-n', '3', '--textfile', prom], { env, raisePriority: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const text = fs.readFileSync(prom, 'utf8');
    assert.match(text, /^# HELP powercap_energy_joules_total .+\n# TYPE powercap_energy_joules_total counter\n/);
    assert.match(text, /\n# TYPE powercap_power_watts gauge\n/);
    // the exporter's labels (core/exporter/sampled.ts): zone, name, control_type
    const gauge = (zone: string, name: string) => {
      const m = new RegExp(`^powercap_power_watts\\{zone="${zone}",name="${name}",control_type="[a-z-]+"\\} ([0-9.]+)$`, 'm').exec(text);
      assert.ok(m, `no gauge for ${zone} in\n${text}`);
      return Number(m[1]);
    };
    assert.ok(within(gauge('intel-rapl:0:0', 'core'), CORE_W, 0.5), 'core gauge near 7.25 W (one interval: see assertPower)');
    assert.equal(gauge('dtpm:0:0', 'cpu0-cpufreq'), 1.2);
    const joules = Number(/^powercap_energy_joules_total\{zone="intel-rapl:0:0",name="core",control_type="intel-rapl"\} ([0-9.]+)$/m.exec(text)![1]);
    assert.ok(within(joules, CORE_W * 0.6, 0.5), `${joules} J`);
    assert.match(text, /^powercap_system_power_watts\{zones="dtpm:0\+intel-rapl:0"\} [0-9.]+$/m);
    assert.deepEqual(fs.readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  });

  test('NDJSON: watts within 1 % across a wrap, a vanished zone becomes gaps, the rest goes on; --record', async () => {
    let removing: Promise<void> | null = null;
    const r = await runAsync(['--root', t.classRoot, 'watch', '-i', '250ms', '-n', '10', '--json', '--record', recordFile], {
      env,
      raisePriority: true,
      // hot-unplug the MMIO package after five samples
      onStdout: (all) => { if (!removing && all.split('\n').length > 5 * 7) removing = writer().remove('intel-rapl-mmio:0'); },
    });
    await removing;
    assert.equal(r.code, 0, r.stderr);
    liveStdout = r.stdout;
    const all = parseNdjson(r.stdout);
    for (const s of all) assert.deepEqual(Object.keys(s).slice(0, 8), ['t', 'time', 'zone', 'name', 'energyDeltaUj', 'powerUw', 'intervalUs', 'wrapped']);
    const pkg = ofZone(all, 'intel-rapl:0');
    assert.equal(pkg.length, 10);
    assert.ok(pkg.every((s) => !s.gap), 'no gap on the package');
    // 60 J range at 50 W: a wrap every 1.2 s, so 2.5 s of samples hold at least one
    assert.ok(pkg.some((s) => s.wrapped), 'the package counter wrapped');
    for (const s of pkg.filter((x) => x.wrapped)) assert.ok(within(s.powerUw! / 1e6, PACKAGE_W, 0.5), `wrapped sample ${s.powerUw}`);
    assertPower(pkg, PACKAGE_W, 'package');
    assertPower(ofZone(all, 'intel-rapl:0:0'), CORE_W, 'core');

    const mmio = ofZone(all, 'intel-rapl-mmio:0');
    const firstGap = mmio.findIndex((s) => s.gap);
    assert.ok(firstGap >= 5, `figures before the removal (first gap at ${firstGap})`);
    assertPower(mmio.slice(0, firstGap), MMIO_W, 'mmio before removal');
    assert.ok(mmio.slice(firstGap).every((s) => s.gap && s.reason === 'vanished' && s.energyDeltaUj === null && s.powerUw === null));
    assert.equal(r.stderr.match(/vanished/g)?.length, 1, r.stderr);

    // DTPM zones report power: taken as read, energy = power × interval
    for (const s of ofZone(all, 'dtpm:0:0')) {
      assert.equal(s.powerUw, 1200000);
      assert.equal(s.energyDeltaUj, Math.round(1.2 * s.intervalUs));
    }
    // the system line sums the DTPM root and the MSR package, pass by pass
    const system = ofZone(all, 'system');
    assert.equal(system.length, 10);
    for (const s of system) {
      assert.deepEqual(s.zones, ['dtpm:0', 'intel-rapl:0']);
      const same = all.filter((x) => x.t === s.t);
      assert.equal(s.powerUw, same.find((x) => x.zone === 'dtpm:0')!.powerUw! + same.find((x) => x.zone === 'intel-rapl:0')!.powerUw!);
    }
    // absolute schedule: sample k near k × 200 ms
    pkg.forEach((s, k) => assert.ok(Math.abs(s.t - 0.25 * (k + 1)) < 0.125, `t ${s.t} for sample ${k + 1}`));
    assert.match(r.stderr, /recorded 10 samples of 5 zones/);
    assertExactFromRecording(all, recordFile);
  });

  test('the recording is a valid snapshot holding the tree it came from', () => {
    const r = run(['snapshot', 'check', recordFile]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const doc = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
    assert.equal(doc.recording.passes, 11);
    assert.deepEqual(doc.recording.zones.map((z: any) => z.id), ['dtpm:0', 'dtpm:0:0', 'intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl-mmio:0']);
    assert.ok(doc.powercap.dirs['intel-rapl-mmio'].dirs['intel-rapl-mmio:0'], 'the tree as it was when the run started');
    const list = run(['--snapshot', recordFile, 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
  });

  test('a replay gives the same NDJSON as the live run', () => {
    assert.ok(liveStdout.length > 0);
    const r = run(['--snapshot', recordFile, 'watch', '--speed', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, liveStdout);
    assert.match(r.stderr, /vanished/);
  });

  test('replay of selected zones, CSV with a header, a limited count', () => {
    const r = run(['--snapshot', recordFile, 'watch', 'core', '--speed', '0', '--format', 'csv', '-n', '3']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 't,time,zone,name,energy_delta_uj,power_uw,interval_us,wrapped,gap,reason,limit_uw,at_limit');
    const live = ofZone(parseNdjson(liveStdout), 'intel-rapl:0:0').slice(0, 3);
    // core's limit reads 0: not limited, never at it
    assert.deepEqual(lines.slice(1), live.map((s) => `${s.t},${s.time},intel-rapl:0:0,core,${s.energyDeltaUj},${s.powerUw},${s.intervalUs},0,0,,,0`));
  });

  test('replay paces itself by --speed', () => {
    const t0 = Date.now();
    const r = run(['--snapshot', recordFile, 'watch', '--speed', '8', '--json', '-n', '4']);
    const ms = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseNdjson(r.stdout).filter((s) => s.zone === 'system').length, 4);
    assert.ok(ms >= 0.8 * 1000 / 8, `${ms} ms for 1 s of recording at 8×`);
  });

  test('--duration in a replay counts recorded time: 1 s of a 250 ms recording is 4 samples', () => {
    const r = run(['--snapshot', recordFile, 'watch', '--speed', '0', '--json', '-d', '1s']);
    assert.equal(r.code, 0, r.stderr);
    const system = parseNdjson(r.stdout).filter((s) => s.zone === 'system');
    assert.deepEqual(system.map((s) => s.t), ofZone(parseNdjson(liveStdout), 'system').slice(0, 4).map((s) => s.t));
  });

  test('prometheus text on stdout, once per interval', () => {
    const r = run(['--snapshot', recordFile, 'watch', '--speed', '0', '--format', 'prometheus', '-n', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/^# TYPE powercap_power_watts gauge$/gm)?.length, 2);
  });

  test('an unreadable sample is a gap with its errno; the zone stays watched', () => {
    const r = run(['--root', t.classRoot, 'watch', 'core', 'package-0', '--type', 'intel-rapl', '-i', '50ms', '-n', '2', '--json'], {
      env: { POWERCAPCTL_FAULTS: 'read:*/intel-rapl:0:0/energy_uj=EIO' },
    });
    // EIO at the start too: the zone is kept (only EACCES/EPERM are a permission matter)
    assert.equal(r.code, 0, r.stderr);
    const core = ofZone(parseNdjson(r.stdout), 'intel-rapl:0:0');
    assert.deepEqual(core.map((s) => [s.gap, s.reason, s.errno]), [[true, 'unreadable', 'EIO'], [true, 'unreadable', 'EIO']]);
    assert.equal(r.stderr.match(/could not be read \(EIO\)/g)?.length, 1);
  });

  test('Ctrl-C: the table stops, a summary, exit 130', async () => {
    let sent = false;
    const r = await runAsync(['--root', t.classRoot, 'watch', '--format', 'table', '-i', '100ms'], {
      env,
      onStdout: (all, child) => { if (!sent && (all.match(/Ctrl-C to stop/g)?.length ?? 0) >= 3) { sent = true; child.kill('SIGINT'); } },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /interrupted after .* \([0-9]+ samples\)/);
    const summary = r.stdout.slice(r.stdout.indexOf('interrupted after'));
    assert.match(summary, /^intel-rapl:0:0 +core +[0-9.]+ (m?J) +7\.[0-9] W/m);
    assert.match(summary, /^system +dtpm:0 \+ intel-rapl:0 /m);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no cursor movement when stdout is not a terminal');
  });
});

// ------------------------------------------------------------------ the binary, errors and permissions

describe('watch on GPUs in hwmon', () => {
  test('the i915 at the power its energy counter advances (120 W), the amdgpu at its reading (45 W); the system their sum', async () => {
    const t = watchFixture(gpuBox());
    const writer = new CounterWriter(t, { [path.join(t.hwmonDirs.get(1)!, 'energy1_input')]: 120 });
    try {
      await writer.ready();
      const r = await runAsync(['--root', t.classRoot, '--hwmon-root', t.hwmonRoot!, 'watch', '-i', '200ms', '-n', '6', '--json'], { raisePriority: true });
      assert.equal(r.code, 0, r.stderr);
      const samples = parseNdjson(r.stdout);
      const of = (zone: string) => samples.filter((x) => x.zone === zone && !x.gap).map((x) => x.powerUw! / 1e6);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      assert.equal(of('hwmon:7000').length, 6);
      assert.ok(within(median(of('hwmon:7000')), 120, 0.03), `i915 ${of('hwmon:7000')}`);
      assert.deepEqual(of('hwmon:3000'), [45, 45, 45, 45, 45, 45]);
      const system = samples.filter((x) => x.zone === 'system');
      assert.deepEqual(system[0]!.zones, ['hwmon:3000', 'hwmon:7000']);
      assert.ok(within(median(system.map((x) => x.powerUw! / 1e6)), 165, 0.03));
    } finally {
      await writer.stop();
      t.cleanup();
    }
  });
});

describe('watch: refusals', () => {
  const laptop = fixture(intelLaptop);
  after(() => laptop.cleanup());

  test('a snapshot without a recording: exit 3, said clearly', () => {
    const r = run(['--snapshot', example('intel-laptop'), 'watch']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /holds no recording: nothing to replay/);
    assert.equal(r.stdout, '');
  });

  for (const [args, re] of [
    [['-n', '0'], /--count 0/],
    [['-n', '3', '-d', '1s'], /give one/],
    [['--json', '--format', 'csv'], /--json prints NDJSON/],
    [['--speed', '2'], /^powercapctl: --speed applies to a snapshot \(--snapshot\), not to a live tree/],
    [['-i', '0s'], /^powercapctl: --interval 0s: too short \(allowed: 1ms to 24h\)\n$/],
    [['-i', '25h'], /^powercapctl: --interval 25h: too long \(allowed: 1ms to 24h\)\n/],
    [['--format', 'csv', '--textfile', '/tmp/x.prom'], /^powercapctl: --textfile means --format prometheus: not with --format csv/],
    [['--json', '--textfile', '/tmp/x.prom'], /^powercapctl: --textfile writes Prometheus text and --json NDJSON: give one/],
  ] as Array<[string[], RegExp]>) {
    test(`usage: ${args.join(' ')} → exit 2`, () => {
      const r = run(['--root', laptop.classRoot, 'watch', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /at .*\.js:/, 'no stack trace');
    });
  }

  // a replay keeps the recorded times and writes nothing: what belongs to a live run is refused, not ignored
  for (const [args, re] of [
    [['-i', '100ms'], /^powercapctl: --interval applies to a live tree \(--root\), not to a snapshot/],
    [['--record', '/tmp/never-written.json'], /^powercapctl: --record applies to a live tree \(--root\), not to a snapshot/],
    [['--speed', 'fast'], /^powercapctl: --speed fast: not a number\n  give 0 or more/],
    [['--speed', '-1'], /^powercapctl: --speed -1: not a number/],
  ] as Array<[string[], RegExp]>) {
    test(`usage on a replay: ${args.join(' ')} → exit 2`, () => {
      const r = run(['--snapshot', example('watch-laptop'), 'watch', '-n', '1', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    });
  }

  test('an unknown zone: exit 3', () => {
    const r = run(['--root', laptop.classRoot, 'watch', 'package-9', '-n', '1']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no zone 'package-9'/);
  });

  test('not root, energy_uj root-only and nothing else: exit 4', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    const r = run(['--root', laptop.classRoot, 'watch', '-n', '1', '-i', '10ms'], { ...NOBODY! });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /energy_uj is readable by root only: nothing to watch \(6 zones/);
    assert.match(r.stderr, /sudo/);
    assert.equal(r.stdout, '');
  });

  test('not root: said once, and the zones that report power are watched', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    const t = watchFixture();
    try {
      const r = run(['--root', t.classRoot, 'watch', '-n', '2', '-i', '20ms', '--json'], { ...NOBODY!, env: { POWERCAPCTL_FAULTS: t.faults } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.match(/root only/g)?.length, 1, r.stderr);
      assert.match(r.stderr, /not watching intel-rapl:0 \(package-0\), intel-rapl:0:0 \(core\), intel-rapl-mmio:0 \(package-0\)/);
      const all = parseNdjson(r.stdout);
      assert.deepEqual([...new Set(all.map((s) => s.zone))], ['dtpm:0', 'dtpm:0:0', 'system']);
      assert.deepEqual(all.filter((s) => s.zone === 'dtpm:0').map((s) => s.powerUw), [3000000, 3000000]);
    } finally {
      t.cleanup();
    }
  });
});

