/**
 * "At the limit" in watch (issue 21, item 3): a zone drawing at least 97 % of the limit it is
 * held to over the interval is marked, in the table (AT LIMIT), NDJSON and CSV (limitUw,
 * atLimit) and the Prometheus text (powercap_at_limit, the exporter's renderer; the exporter
 * itself in test/exporter.test.ts). The limit is the one in force (core/limits/effective.ts:
 * MSR and MMIO copies together, the lowest over the constraints); a zone not limited is never
 * marked. Counters advance at known powers (test/fixtures/watch.ts CounterWriter).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { run, example, stripAnsi } from './helpers.js';
import { advanceDuring, watchFixture, runAsync, parseNdjson, type NdjsonSample } from './fixtures/watch.js';
import { atLimitMachine, AT_LIMIT_POWERS } from './fixtures/at-limit.js';
import { atLimit, AT_LIMIT_PERCENT } from '../src/core/watch/at-limit.js';
import { lowestInForce } from '../src/core/limits/effective.js';
import { LimitReader } from '../src/core/exporter/limits.js';
import { LiveSource } from '../src/core/source/live.js';
import { readPowercapTree } from '../src/core/zones/powercap-tree.js';
import { Sampler } from '../src/core/watch/sampler.js';

type Marked = NdjsonSample & { limitUw: number | null; atLimit: boolean | null };
const ofZone = (all: Marked[], id: string) => all.filter((s) => s.zone === id);

describe('the rule', () => {
  test('97 % of the limit in force marks, a µW less does not; not limited never; unknown says nothing', () => {
    assert.equal(AT_LIMIT_PERCENT, 97n);
    // 15 W × 0.97 = 14.55 W
    assert.equal(atLimit(14_550_000n, 15_000_000n), true);
    assert.equal(atLimit(14_549_999n, 15_000_000n), false);
    // 28 W × 0.97 = 27.16 W; 90 % of it is 25.2 W
    assert.equal(atLimit(27_160_000n, 28_000_000n), true);
    assert.equal(atLimit(25_200_000n, 28_000_000n), false);
    assert.equal(atLimit(40_000_000n, 28_000_000n), true, 'above the limit (turbo above PL1) is at it');
    assert.equal(atLimit(50_000_000n, 'none'), false);
    assert.equal(atLimit(50_000_000n, 'unknown'), null);
    assert.equal(atLimit(null, 15_000_000n), null, 'a gap');
  });

  test('the lowest limit held over the constraints; an unreadable one does not hide a held one', () => {
    const held = (w: number) => ({ kind: 'held' as const, powerLimitUw: BigInt(w * 1e6), zone: 0, zones: [0] });
    assert.equal(lowestInForce([held(28), held(64), held(121)]), 28_000_000n);
    assert.equal(lowestInForce([held(28), held(20)]), 20_000_000n, 'PL2 set below PL1 holds first');
    assert.equal(lowestInForce([{ kind: 'unknown' }, held(64)]), 64_000_000n);
    assert.equal(lowestInForce([{ kind: 'unknown' }, { kind: 'none' }]), 'unknown');
    assert.equal(lowestInForce([{ kind: 'none' }]), 'none');
    assert.equal(lowestInForce([]), 'none');
  });
});

describe('the limit each zone is held to, as re-read (LimitReader.inForce)', () => {
  const t = watchFixture(atLimitMachine);
  after(() => t.cleanup());
  const file = (id: string, attr: string) => path.join(t.devicesRoot, t.zonePaths.get(id)!, attr);
  const reader = () => {
    const src = new LiveSource(t.classRoot);
    const tree = readPowercapTree(src);
    const ids = ['intel-rapl:0', 'intel-rapl:1', 'dtpm:0', 'dtpm:0:0'];
    // only the MSR copy of package-0 is asked about: its MMIO copy is read all the same
    return { r: new LimitReader(src, [], tree, ids.map((id) => tree.byId.get(id)!)), ids };
  };

  test('a package by its copies together, a DTPM leaf by its own, a DTPM node reading 0 not limited', () => {
    const { r } = reader();
    assert.deepEqual(r.inForce(), [15_000_000n, 20_000_000n, 'none', 2_000_000n]);
  });

  test('re-read: the MMIO copy disabled leaves the MSR copy\'s 28 W; PL2 below PL1 holds; an unreadable PL1 leaves PL2', () => {
    const { r } = reader();
    try {
      fs.writeFileSync(file('intel-rapl-mmio:0', 'enabled'), '0\n');
      fs.writeFileSync(file('intel-rapl:1', 'constraint_1_power_limit_uw'), '19000000\n');
      r.refresh();
      assert.deepEqual(r.inForce().slice(0, 2), [28_000_000n, 19_000_000n]);
      // a FIFO planted in place of package-1's PL1: refused (EFTYPE), PL2 still holds
      fs.rmSync(file('intel-rapl:1', 'constraint_0_power_limit_uw'));
      execFileSync('mkfifo', [file('intel-rapl:1', 'constraint_0_power_limit_uw')]);
      r.refresh();
      assert.equal(r.inForce()[1], 19_000_000n);
      assert.equal(r.errors.get('EFTYPE'), 1, 'counted as the exporter counts its read errors');
    } finally {
      fs.writeFileSync(file('intel-rapl-mmio:0', 'enabled'), '1\n');
      fs.writeFileSync(file('intel-rapl:1', 'constraint_1_power_limit_uw'), '30000000\n');
      fs.rmSync(file('intel-rapl:1', 'constraint_0_power_limit_uw'));
      fs.writeFileSync(file('intel-rapl:1', 'constraint_0_power_limit_uw'), '20000000\n');
    }
  });

  test('the sampler marks each sample with the limit it was held to', () => {
    const zone = { id: 'z', name: null, controlType: 'dtpm', parent: null, depth: 0, attr: 'power_uw' as const, path: 'z/power_uw', maxEnergyRangeUj: null, maxPowerUw: 10_000_000n, limitUw: null };
    const s = new Sampler([zone, { ...zone, id: 'y' }, { ...zone, id: 'x' }]);
    s.ingest(0n, [1_000_000n, 1_000_000n, 1_000_000n], [2_000_000n, 'none', 'unknown']);
    const p = s.ingest(1_000_000n, [1_940_000n, 1_940_000n, 1_940_000n], [2_000_000n, 'none', 'unknown'])!;
    assert.deepEqual(p.samples.map((x) => [x.limitUw, x.atLimit]), [[2_000_000n, true], [null, false], [null, null]]);
    assert.deepEqual([s.stats[0]!.comparedSamples, s.stats[0]!.atLimitSamples, s.stats[1]!.comparedSamples], [1, 1, 0]);
    // without limits (balance, sim): nothing marked
    const q = new Sampler([zone]);
    q.ingest(0n, [1n]);
    assert.deepEqual(q.ingest(1n, [2n])!.samples.map((x) => [x.limitUw, x.atLimit]), [[null, null]]);
  });
});

describe('watch marks the zones at their limit', () => {
  const t = watchFixture(atLimitMachine);
  const env = { POWERCAPCTL_FAULTS: t.faults };
  advanceDuring(t, AT_LIMIT_POWERS);

  test('NDJSON: 99.5 % of the 15 W in force marks (the MSR copy says 28 W), 90 % does not, exactly 97 % marks; each mark is the rule applied to its own figures', async () => {
    const r = await runAsync(['--root', t.classRoot, 'watch', '-i', '200ms', '-n', '6', '--json'], { env, raisePriority: true });
    assert.equal(r.code, 0, r.stderr);
    const all = parseNdjson(r.stdout) as Marked[];
    for (const s of all) {
      assert.deepEqual(Object.keys(s).slice(7, 10), ['wrapped', 'limitUw', 'atLimit']);
      if (s.powerUw !== null && s.limitUw !== null) assert.equal(s.atLimit, s.powerUw * 100 >= s.limitUw * 97, `${s.zone} ${s.powerUw} of ${s.limitUw}`);
    }
    const pkg0 = ofZone(all, 'intel-rapl:0');
    assert.ok(pkg0.every((s) => s.limitUw === 15_000_000), 'the MMIO copy\'s 15 W is in force');
    assert.ok(pkg0.filter((s) => s.atLimit).length >= 4, `package-0 at 99.5 %: ${pkg0.map((s) => s.powerUw).join(', ')}`);
    assert.ok(ofZone(all, 'intel-rapl-mmio:0').every((s) => s.limitUw === 15_000_000));
    const pkg1 = ofZone(all, 'intel-rapl:1');
    assert.ok(pkg1.every((s) => s.limitUw === 20_000_000 && s.atLimit === false), `package-1 at 90 %: ${pkg1.map((s) => s.powerUw).join(', ')}`);
    assert.ok(ofZone(all, 'dtpm:0:0').every((s) => s.powerUw === 1_940_000 && s.limitUw === 2_000_000 && s.atLimit === true), 'exactly 97 %');
    assert.ok(ofZone(all, 'dtpm:0:1').every((s) => s.limitUw === 2_000_000 && s.atLimit === false), '90 %');
    assert.ok(ofZone(all, 'dtpm:0').every((s) => s.limitUw === null && s.atLimit === false), 'a DTPM node not limited');
    assert.ok(ofZone(all, 'system').every((s) => s.limitUw === null && s.atLimit === null));
  });

  test('CSV and Prometheus: the same marks', async () => {
    const csv = await runAsync(['--root', t.classRoot, 'watch', 'dtpm:0:0', 'dtpm:0:1', 'dtpm:0', '-i', '100ms', '-n', '1', '--format', 'csv'], { env });
    assert.equal(csv.code, 0, csv.stderr);
    const [head, ...rows] = csv.stdout.trim().split('\n');
    assert.equal(head, 't,time,zone,name,energy_delta_uj,power_uw,interval_us,wrapped,gap,reason,limit_uw,at_limit');
    const byZone = new Map(rows.map((l) => [l.split(',')[2], l.split(',').slice(-2)]));
    assert.deepEqual(byZone.get('dtpm:0:0'), ['2000000', '1']);
    assert.deepEqual(byZone.get('dtpm:0:1'), ['2000000', '0']);
    assert.deepEqual(byZone.get('dtpm:0'), ['', '0']);

    const prom = await runAsync(['--root', t.classRoot, 'watch', '-i', '100ms', '-n', '1', '--format', 'prometheus'], { env });
    assert.equal(prom.code, 0, prom.stderr);
    assert.match(prom.stdout, /^# TYPE powercap_at_limit gauge$/m);
    const mark = (zone: string) => new RegExp(`^powercap_at_limit\\{zone="${zone}",name="[^"]*",control_type="[a-z-]+"\\} ([01])$`, 'm').exec(prom.stdout)?.[1];
    assert.deepEqual(['dtpm:0:0', 'dtpm:0:1', 'dtpm:0', 'intel-rapl:1'].map(mark), ['1', '0', '0', '0']);
  });

  test('the table: AT LIMIT yes, no, or – for a zone not limited; LOAD red at the limit; the summary\'s share of samples', async () => {
    const r = await runAsync(['--root', t.classRoot, 'watch', 'dtpm:0', 'dtpm:0:0', 'dtpm:0:1', '-i', '100ms', '-n', '2', '--format', 'table'], { env: { ...env, FORCE_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    const lines = stripAnsi(r.stdout).split('\n');
    const frame = lines.slice(0, lines.findIndex((l) => /^watched /.test(l)));
    const head = frame.map((l, i) => [l, i] as const).filter(([l]) => /^ZONE +NAME +POWER/.test(l)).pop()![1];
    const row = (name: string) => frame.slice(head).find((l) => l.includes(name))!;
    assert.match(frame[head]!, /LIMIT +LOAD +AT LIMIT$/);
    assert.match(row('cpu0-cpufreq'), /2 W +97 % +yes$/);
    assert.match(row('cpu4-cpufreq'), /2 W +90 % +no$/);
    assert.match(row('soc'), / – +– +–$/);
    // red: the load and the mark of cpu0 (97 %); yellow from 90 % (cpu4)
    const raw = r.stdout.split('\n');
    const painted = raw.slice(0, raw.findIndex((l) => stripAnsi(l).startsWith('watched '))).filter((l) => l.includes('cpu0-cpufreq')).pop()!;
    assert.match(painted, /\x1b\[31m97 %\x1b\[39m/);
    assert.match(painted, /\x1b\[31myes\x1b\[39m/);
    const summary = lines.slice(lines.findIndex((l) => /^watched /.test(l)));
    assert.match(summary[1]!, /AT LIMIT +GAPS$/);
    assert.match(summary.find((l) => l.includes('cpu0-cpufreq'))!, / 100 % +0$/);
    assert.match(summary.find((l) => l.includes('cpu4-cpufreq'))!, / 0 % +0$/);
    assert.match(summary.find((l) => l.includes('soc'))!, / – +0$/);
  });

  test('a limit changed during the watch is what the zone is compared with, within a second', async () => {
    const limit = path.join(t.devicesRoot, t.zonePaths.get('intel-rapl:1')!, 'constraint_0_power_limit_uw');
    let changed = false;
    try {
      const r = await runAsync(['--root', t.classRoot, 'watch', 'intel-rapl:1', '-i', '250ms', '-n', '10', '--json'], {
        env, raisePriority: true,
        // after two samples, PL1 lowered to the 18 W package-1 draws
        onStdout: (all) => { if (!changed && all.split('\n').length > 2) { changed = true; fs.writeFileSync(limit, '18000000\n'); } },
      });
      assert.equal(r.code, 0, r.stderr);
      const s = parseNdjson(r.stdout) as Marked[];
      assert.equal(s[0]!.limitUw, 20_000_000);
      assert.equal(s[0]!.atLimit, false);
      const last = s.slice(-3);
      assert.ok(last.every((x) => x.limitUw === 18_000_000), `re-read: ${s.map((x) => x.limitUw).join(', ')}`);
      assert.ok(last.filter((x) => x.atLimit).length >= 2, `18 W against 18 W: ${last.map((x) => x.powerUw).join(', ')}`);
    } finally {
      fs.writeFileSync(limit, '20000000\n');
    }
  });
});

describe('a replay', () => {
  test('the bundled laptop: each package copy compared with the 15 W in force; core, uncore, dram and psys read 0: not limited', () => {
    const r = run(['--snapshot', example('watch-laptop'), 'watch', '--speed', '0', '-n', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const all = parseNdjson(r.stdout) as Marked[];
    for (const id of ['intel-rapl:0', 'intel-rapl-mmio:0']) assert.ok(ofZone(all, id).every((s) => s.limitUw === 15_000_000 && s.atLimit === false), id);
    for (const id of ['intel-rapl:0:0', 'intel-rapl:0:1', 'intel-rapl:0:2', 'intel-rapl:1']) assert.ok(ofZone(all, id).every((s) => s.limitUw === null && s.atLimit === false), id);
  });
});
