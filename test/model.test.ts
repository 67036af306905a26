/**
 * `model`: the energy-model calculators, checked against numbers worked out from
 * kernel.md's rules and rk3399 reference data (written out here, not taken from the tool).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, example, ROOT, EXAMPLES } from './helpers.js';
import { parseDts } from '../src/core/dts/parser.js';
import { oppTables, readOpps } from '../src/core/dts/opp.js';
import { divvyUpPower } from '../src/core/kernel/power-allocator.js';
import { alignTable, renderTable } from '../src/cli/commands/model/common.js';
import { chooseDomainState, RK3399_IDLE_STATES } from '../src/core/calculators/idle.js';
import { parseStaticTable, staticPower } from '../src/core/calculators/cooling.js';
import { parseOppCsv } from '../src/core/em/oppfile.js';
import { actor, cpuCapacity, idleState, kernelVersion, utilisation } from '../src/cli/option-values.js';
import { PowercapError } from '../src/core/errors.js';

const FIX = path.join(ROOT, 'test/fixtures/model');
const OPP_DTSI = path.join(FIX, 'rk3399-opp.dtsi');
const BOARD_DTS = path.join(FIX, 'rk3399.dts');
const RK3399 = example('rk3399-dtpm');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-model-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

// power_uW = C × mV² × MHz / 1e6 (kernel.md §4), by hand:
// A72 408 MHz @ 825 mV: 436 × 825² × 408 / 1e6 = 121075.47… → 121075
const A72_POWER = [121075, 178051, 242150, 336483, 472188, 648630, 848316, 1130112];
const A72_MHZ = [408, 600, 816, 1008, 1200, 1416, 1608, 1800];
// performance = 1024 × f / 1800; cost = power × 10 / performance
const A72_PERF = [232, 341, 464, 573, 682, 805, 914, 1024];
const A53_POWER = [27769, 40837, 58956, 86247, 120000, 179212];
const GPU_POWER = [359370, 533664, 718740, 1010625, 1355310, 2555520];

describe('model em', () => {
  test('rk3399 A72 from the DTS (C = 436, capacity 1024): powers, performance, 408 and 600 MHz inefficient', () => {
    const r = run(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '--coefficient', '436', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.deepEqual(d.states.map((s: any) => s.frequencyKhz), A72_MHZ.map((m) => m * 1000));
    assert.deepEqual(d.states.map((s: any) => s.powerUw), A72_POWER);
    assert.deepEqual(d.states.map((s: any) => s.performance), A72_PERF);
    // 121075 × 10 / 232 = 5218; 178051 × 10 / 341 = 5221 (≥ 5218 seen above it) → both inefficient
    assert.deepEqual(d.states.slice(0, 3).map((s: any) => s.cost), [5218, 5221, 5218]);
    assert.deepEqual(d.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000, 600000]);
    // pre-6.0 mW from the same OPP: 436 × 825² × 408 / 1e9 = 121
    assert.equal(d.states[0].powerMw, 121);
    assert.equal(d.states[0].voltageUv, 825000);
  });

  test('rk3399 A53 via the board DTS (coefficient read from the CPU nodes, capacity 381): 4 CPUs, 408 MHz inefficient', () => {
    const r = run(['model', 'em', '--dts', BOARD_DTS, '--table', 'cpu_l0', '--capacity', '381', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.deepEqual(d.states.map((s: any) => s.powerUw), A53_POWER);
    assert.equal(d.coefficient, 100);
    assert.equal(d.nrCpus, 4);
    assert.deepEqual(d.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000]);
    assert.equal(d.states[5].performance, 381);
  });

  test('rk3399 GPU (C = 2640, two-cell opp-hz): a device, no performance or cost', () => {
    const r = run(['model', 'em', '--dts', BOARD_DTS, '--table', 'gpu_opp_table', '--coefficient', '2640', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.deepEqual(d.states.map((s: any) => s.powerUw), GPU_POWER);
    assert.deepEqual(d.states.map((s: any) => s.frequencyKhz), [200000, 297000, 400000, 500000, 600000, 800000]);
    assert.equal(d.cpu, false);
    assert.ok(d.states.every((s: any) => s.cost === 0 && !s.inefficient));
  });

  test('the snapshot\'s energy model gives the same A72 table; --domain cpu5 finds the cpu4 domain', () => {
    const r = run(['--snapshot', RK3399, 'model', 'em', '--domain', 'cpu5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.equal(d.name, 'cpu4');
    assert.deepEqual(d.cpus, [4, 5]);
    assert.deepEqual(d.states.map((s: any) => s.powerUw), A72_POWER);
    const all = run(['--snapshot', RK3399, 'model', 'em', '--json']).json();
    assert.deepEqual(all.domains.map((x: any) => x.name), ['cpu0', 'cpu4', 'ff9a0000.gpu']);
  });

  test('a CSV of frequency and voltage with units, and one of power in mW, give the kernel\'s table', () => {
    const volts = write('a72-volt.csv', 'frequency,voltage\n' + A72_MHZ.map((m, i) => `${m}MHz,${[825, 825, 825, 875, 950, 1025, 1100, 1200][i]}mV`).join('\n') + '\n');
    const r = run(['model', 'em', '--opp-file', volts, '--coefficient', '436', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.powerUw), A72_POWER);
    // powers in the column header's unit; 1.8GHz written in GHz
    const mw = write('a53-mw.csv', '# A53\nfrequency_mhz,power (mW)\n408,27.769\n600,40.837\n816,58.956\n1008,86.247\n1200,120\n1.416GHz,179.212\n');
    const r2 = run(['model', 'em', '--opp-file', mw, '--capacity', '381', '--json']);
    assert.equal(r2.code, 0, r2.stderr);
    const s = r2.json().domains[0].states;
    assert.deepEqual(s.map((x: any) => x.powerUw), A53_POWER);
    assert.deepEqual(s.filter((x: any) => x.inefficient).map((x: any) => x.frequencyKhz), [408000]);
  });

  test('`model em --json` output reads back as an --opp-file', () => {
    const out = run(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--json']).stdout;
    const f = write('roundtrip.json', out);
    const r = run(['model', 'em', '--opp-file', f, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.powerUw), A72_POWER);
  });

  test('--kernel pre-6.0: power in mW and cost = power × fmax / f', () => {
    const r = run(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--kernel', 'pre-6.0', '--json']);
    const s = r.json().domains[0].states;
    assert.deepEqual(s.map((x: any) => x.powerMw), [121, 178, 242, 336, 472, 648, 848, 1130]);
    // pre-6.0 is 5.19: cost = fmax × em_scale_power(power) / f, em_scale_power = × 1000 on 64-bit
    // (energy_model.c em_create_perf_table, energy_model.h em_scale_power, v5.15–v5.19):
    // 1800000 × 121000 / 408000 = 533823; 1800000 × 178000 / 600000 = 534000; 1800000 × 242000 / 816000 = 533823
    assert.equal(r.json().domains[0].kernel, '5.19');
    assert.deepEqual(s.slice(0, 3).map((x: any) => x.cost), [533823, 534000, 533823]);
    assert.deepEqual(s.filter((x: any) => x.inefficient).map((x: any) => x.frequencyKhz), [408000, 600000]);
  });

  test('the table on a terminal-less stdout, the terminal plot and the SVG', () => {
    const svg = path.join(tmp, 'a72.svg');
    const r = run(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--plot', '--svg', svg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1130112/);
    assert.match(r.stdout, /power against frequency/);
    assert.match(r.stdout, /cost against performance/);
    // two inefficient markers in each of the two charts, plus one in the legend
    assert.equal(r.stdout.split('×').length - 1, 5);
    const text = fs.readFileSync(svg, 'utf8');
    assert.match(text, /^<\?xml/);
    assert.match(text, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(text.match(/class="inefficient"/g)?.length, 4);
    assert.match(text, /<\/svg>\n$/);
  });
});

describe('model cap', () => {
  test('rk3399 snapshot, 3 W on package: each leaf\'s limit, OPP, frequency cap, applied power; nothing written', () => {
    const before = fs.readFileSync(RK3399, 'utf8');
    const r = run(['--snapshot', RK3399, 'model', 'cap', '--zone', 'package', '--limit', '3W', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    // weights 133, 418, 473: (3000000 × w + 512) / 1024
    assert.deepEqual(j.leaves.map((l: any) => l.name), ['cpu0-cpufreq', 'cpu4-cpufreq', 'ff9a0000.gpu']);
    assert.deepEqual(j.leaves.map((l: any) => l.limitUw), [389648, 1224609, 1385742]);
    assert.deepEqual(j.leaves.map((l: any) => l.frequencyCapKhz), [1008000, 1200000, 600000]);
    // 86247 × 4, 472188 × 2, 1355310 × 1
    assert.deepEqual(j.leaves.map((l: any) => l.appliedUw), [344988, 944376, 1355310]);
    assert.equal(j.appliedUw, 2644674);
    // A72 at 1200 MHz: performance 682 of 1024 → 33.40 % lost; GPU by frequency 600/800 → 25 %
    assert.equal(j.leaves[1].performanceLostPct, 33.4);
    assert.equal(j.leaves[2].performanceLostPct, 25);
    assert.equal(fs.readFileSync(RK3399, 'utf8'), before);
  });

  test('a bare domain: cpu4 at 1.5 W lands on 1416 MHz (648630 × 2 = 1297260 µW)', () => {
    const r = run(['--snapshot', RK3399, 'model', 'cap', '--domain', 'cpu4', '--limit', '1.5W', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const l = r.json().leaves[0];
    assert.equal(l.frequencyCapKhz, 1416000);
    assert.equal(l.appliedUw, 1297260);
    assert.equal(l.nrCpus, 2);
    // from the DTS with --cpus: the same answer
    const d = run(['model', 'cap', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--cpus', '2', '--limit', '1.5W', '--json']).json();
    assert.equal(d.leaves[0].appliedUw, 1297260);
  });

  test('a zone that is not DTPM, and an unknown zone', () => {
    assert.equal(run(['--snapshot', example('intel-laptop'), 'model', 'cap', '--zone', 'intel-rapl:0', '--limit', '3W']).code, 3);
    const r = run(['--snapshot', RK3399, 'model', 'cap', '--zone', 'nonesuch', '--limit', '3W']);
    assert.equal(r.code, 3);
  });
});

describe('model energy', () => {
  test('cpu4 at 300,200: 375 with headroom → 816 MHz; energy 5218 × 500 and 6.0–6.8 534154 × 500 / 1024', () => {
    const r = run(['--snapshot', RK3399, 'model', 'energy', '-d', 'cpu4', '--util', '300,200', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    assert.equal(j.maxUtilHeadroom, 375);
    assert.equal(j.current.frequencyKhz, 816000);
    assert.equal(j.current.energy, 2609000);
    // 6.0–6.8: f ≥ 375 × 1800000 / 1024 = 659179 kHz → 816 MHz; cost 242150 × 1800000 / 816000 = 534154
    assert.equal(j.pre69.targetFrequencyKhz, 659179);
    assert.equal(j.pre69.cost, 534154);
    assert.equal(j.pre69.energy, 260817);
  });

  test('a light load skips the inefficient 408 and 600 MHz states', () => {
    // 150 + 37 = 187: 408 MHz (232) would do, but it and 600 MHz are inefficient → 816 MHz
    const j = run(['--snapshot', RK3399, 'model', 'energy', '-d', 'cpu4', '--util', '150,0', '--json']).json();
    assert.equal(j.current.frequencyKhz, 816000);
    assert.deepEqual(j.current.skipped, [0, 1]);
    const all = run(['--snapshot', RK3399, 'model', 'energy', '-d', 'cpu4', '--util', '150,0', '--all-states', '--json']).json();
    assert.equal(all.current.frequencyKhz, 408000);
  });
});

describe('model power', () => {
  test('two A72s flat out at 1.8 GHz / 1.2 V plus 100 mW static', () => {
    const j = run(['model', 'power', '-C', '436', '--freq', '1.8GHz', '--voltage', '1200mV', '--cpus', '2', '--util', '100%', '--static', '100mW', '--json']).json();
    const p = j.points[0];
    assert.equal(p.rawUw, 1130112);
    assert.equal(p.dynamicUw, 2260224);
    assert.equal(p.dynamicMw, 2260);
    assert.equal(p.totalUw, 2360224);
  });

  test('static power interpolated by temperature and voltage', () => {
    const t = write('leak.csv', 'temperature,800mV,1000mV\n25C,10mW,20mW\n85C,50mW,100mW\n');
    // 900 mV, 55 °C: halfway both ways: (15 mW + 75 mW) / 2 = 45 mW
    const j = run(['model', 'power', '-C', '100', '--freq', '1GHz', '--voltage', '900mV', '--util', '50%', '--static-table', t, '--temp', '55C', '--json']).json();
    assert.equal(j.points[0].staticUw, 45000);
    // 100 × 900² × 1000 / 1e6 = 81000 µW at 50 % → 40500
    assert.equal(j.points[0].dynamicUw, 40500);
    const table = parseStaticTable('temperature,800mV,1000mV\n25C,10mW,20mW\n85C,50mW,100mW\n', 't');
    assert.deepEqual(staticPower(table, 100000, 1000000), { powerUw: 100000, clamped: true });
  });
});

describe('model budget', () => {
  test('IPA against DTPM on actors: the grant cut to max is pooled to the other actor', () => {
    // weighted: a 1 W, b 3 W; grants 0.5 W / 1.5 W → b cut to 1.2 W, 0.3 W pooled → a 0.8 W.
    // DTPM by max: weights 640 / 384 → 1.25 W / 0.75 W.
    const r = run(['model', 'budget', '-b', '2W', '-a', 'a:1W:2W', '-a', 'b:3W:1.2W', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    assert.deepEqual(j.actors.map((a: any) => a.ipa.grantedUw), [800000, 1200000]);
    assert.deepEqual(j.actors.map((a: any) => a.dtpm.appliedUw), [1250000, 750000]);
    assert.deepEqual(j.actors.map((a: any) => a.shortfallUw.dtpm), [0, 2250000]);
  });

  test('the rk3399 leaves with a request: IPA follows demand, DTPM stays static', () => {
    const j = run(['--snapshot', RK3399, 'model', 'budget', '-b', '3W', '-r', 'cpu4-cpufreq=2W', '--json']).json();
    assert.deepEqual(j.actors.map((a: any) => a.dtpm.appliedUw), [344988, 944376, 1355310]);
    // gov_power_allocator.c works in mW: requests 137 (its power_uw 137995 µW), 2000, 160 mW, budget 3000 mW,
    // Σ = 2297; cpu4: round(2000 × 3000 / 2297) = 2612 > its max 2260 mW (2260224 µW) → 2260 mW
    assert.equal(j.actors[1].ipa.grantedMw, 2260);
    assert.equal(j.actors[1].ipa.grantedUw, 2260000);
    // round(137 × 3000 / 2297) = 179 and round(160 × 3000 / 2297) = 209, plus their share of the 352 mW cut from cpu4
    assert.deepEqual(j.actors.map((a: any) => a.ipa.grantedMw - a.ipa.extraMw), [179, 2260, 209]);
    assert.equal(j.actors[1].shortfallUw.dtpm, 2000000 - 944376);
  });

  test('a --tree description file (nested), with weights', () => {
    const f = write('tree.json', JSON.stringify({ name: 'soc', children: [
      { name: 'big', powerMaxUw: '2W', requestUw: '1W', weight: 2048 },
      { name: 'little', powerMaxUw: 1000000, requestUw: 1000000 },
    ] }));
    const r = run(['model', 'budget', '-b', '1.5W', '--tree', f, '--json']);
    // ASCII names give ASCII JSON: V8 then keeps the text one byte a character (a 10 000-leaf tree's 3 MB)
    assert.doesNotMatch(r.stdout, /[^\x00-\x7f]/);
    const j = r.json();
    // allocate_power() (gov_power_allocator.c): one weight is set, so little's unset weight is 0, not 1024:
    // weighted 2048 × 1000 >> 10 = 2000 mW and 0 → big gets 2000 × 1500 / 2000 = 1500 mW, little 0
    assert.deepEqual(j.actors.map((a: any) => a.weight), [2048, 0]);
    assert.deepEqual(j.actors.map((a: any) => a.ipa.grantedMw), [1500, 0]);
    // DTPM weights round(2 W × 1024 / 3 W) = 683 and 341: (1.5 W × 683 + 512) / 1024 = 1000488
    assert.deepEqual(j.actors.map((a: any) => a.dtpm.appliedUw), [1000488, 499512]);
  });

  test('a flat --tree list is ordered as dtpm import orders a description: a parent cycle is invalid data (exit 6)', () => {
    const f = write('cycle-tree.json', JSON.stringify({ nodes: [
      { name: 'soc' }, { name: 'big', parent: 'soc', powerMaxUw: '2W' },
      { name: 'a', parent: 'b', powerMaxUw: '1W' }, { name: 'b', parent: 'a', powerMaxUw: '1W' },
    ] }));
    const r = run(['model', 'budget', '-b', '1W', '--tree', f, '--json']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /the parents of 'a' form a cycle \(a → b → a\)/);
    const ok = write('flat-tree.json', JSON.stringify({ nodes: [
      { name: 'little', parent: 'soc', powerMaxUw: 1000000, requestUw: 1000000 }, { name: 'soc' },
      { name: 'big', parent: 'soc', powerMaxUw: '2W', requestUw: '1W', weight: 2048 },
    ] }));
    // siblings keep file order; the split is the nested file's (weights 341 and 683)
    const j = run(['model', 'budget', '-b', '1.5W', '--tree', ok, '--json']).json();
    assert.deepEqual(j.actors.map((a: any) => [a.name, a.dtpm.appliedUw]), [['little', 499512], ['big', 1000488]]);
  });

  test('over 50 leaves the table shows the 20 most starved and the totals; --all shows every leaf', () => {
    const leaves = Array.from({ length: 60 }, (_v, i) => ({ name: `d${i}`, powerMaxUw: '1W', requestUw: i < 5 ? '1W' : '100mW' }));
    const f = write('wide-tree.json', JSON.stringify({ name: 'soc', children: leaves }));
    const r = run(['model', 'budget', '-b', '12W', '--tree', f]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^d\d+ /.test(l));
    assert.equal(rows.length, 20);
    // d0–d4 ask 1 W and get 0.2 W from DTPM (12 W / 60): starved first, in tree order
    assert.deepEqual(rows.slice(0, 5).map((l) => l.split(/\s+/)[0]), ['d0', 'd1', 'd2', 'd3', 'd4']);
    assert.match(r.stdout, /budget 12 W over soc of .*: requests 10\.5 W/);
    assert.match(r.stdout, /the 20 most starved of 60 leaves .*--all shows every leaf/);
    const all = run(['model', 'budget', '-b', '12W', '--tree', f, '--all']);
    assert.equal(all.stdout.split('\n').filter((l) => /^d\d+ /.test(l)).length, 60);
    assert.doesNotMatch(all.stdout, /most starved/);
  });

  test('divvyUpPower: nobody asks → everyone gets 0 (divvy_up_power sets the total to 1)', () => {
    // gov_power_allocator.c, divvy_up_power(): total_req_power 0 → 1; granted = round(0 × range / 1) = 0
    assert.deepEqual(divvyUpPower([{ name: 'a', requestUw: 0, maxUw: 5000000, weight: null }, { name: 'b', requestUw: 999, maxUw: 1000000, weight: null }], 3000000).map((g) => g.grantedMw), [0, 0]);
  });

  test('divvyUpPower: mW on u32, weights 1024 only when none is set (allocate_power)', () => {
    // no weight set: 1024 each; 1500 µW → 1 mW (truncated, cooling devices report mW)
    const none = divvyUpPower([{ name: 'a', requestUw: 1500, maxUw: 10000, weight: null }, { name: 'b', requestUw: 3999, maxUw: 10000, weight: null }], 8000);
    // weighted 1 and 3, total 4, range 8 mW: round(1 × 8 / 4) = 2, round(3 × 8 / 4) = 6
    assert.deepEqual(none.map((g) => [g.weight, g.weightedMw, g.grantedMw]), [[1024, 1, 2], [1024, 3, 6]]);
    // weight × req is a 32-bit product: 1024 × 4194304 mW = 2^32 wraps to 0
    const wrap = divvyUpPower([{ name: 'a', requestUw: 4194304000, maxUw: 4194304000, weight: 1024 }, { name: 'b', requestUw: 1000, maxUw: 2000, weight: 1024 }], 10000);
    assert.deepEqual(wrap.map((g) => g.weightedMw), [0, 1]);
    // b alone counts: round(1 × 10 / 1) = 10 > its max 2 → 2, the 8 mW cut is shared by headroom: a gets 8
    assert.deepEqual(wrap.map((g) => g.grantedMw), [8, 2]);
  });
});

describe('model idle', () => {
  test('rk3399 cluster: stay on below 2.4 ms, CLUSTER_SLEEP above; energy saved (P_on − P_off) × (T − 2.4 ms)', () => {
    const j = run(['model', 'idle', '--preset', 'rk3399', '--idle', '1ms,2.5ms,10ms', '--on-power', '60mW', '--off-power', 'CLUSTER_SLEEP=5mW', '--off-power', 'CPU_SLEEP=30mW', '--json']).json();
    assert.deepEqual(j.periods.map((p: any) => p.name), [null, 'CLUSTER_SLEEP', 'CLUSTER_SLEEP']);
    // 55000 µW × 100 µs = 5.5 µJ; 55000 × 7600 = 418 µJ
    assert.deepEqual(j.periods.map((p: any) => p.savedNj), [0, 5500, 418000]);
    assert.equal(j.totalSavedNj, 423500);
  });

  test('a latency constraint below CLUSTER_SLEEP\'s 900 µs leaves CPU_SLEEP', () => {
    const c = chooseDomainState(RK3399_IDLE_STATES, 2500, { latencyUs: 800 });
    assert.equal(c.name, 'CPU_SLEEP');
    assert.deepEqual(c.rejected, [{ name: 'CLUSTER_SLEEP', why: 'latency' }]);
  });
});

describe('tables', () => {
  test('the fast layout for long tables is the one cli-table3 draws', async () => {
    const cols = [{ head: '#', right: true }, { head: 'FREQUENCY', right: true }, { head: 'NOTE' }, { head: '', right: true }];
    const rows = [['0', '408 MHz', 'inefficient', '121.1 mW'], ['10', '1800 MHz', '', '1.1 W']];
    const ctx = { globals: { color: false }, io: { stdoutIsTTY: false } } as any;
    assert.equal(alignTable(cols, rows), await renderTable(ctx, cols, rows));
  });
});

describe('device-tree parsing', () => {
  test('labels extended with &label, /delete-node/, disabled OPPs, opp-microwatt', () => {
    const dts = parseDts(`/dts-v1/;
/ { t: opp-table { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <1000000000>; opp-microvolt = <900000>; opp-microwatt = <500000>; };
      b { opp-hz = /bits/ 64 <500000000>; opp-microvolt = <800000 790000 810000>; opp-microwatt = <(100000 * 2)>; };
      c { opp-hz = /bits/ 64 <700000000>; status = "disabled"; };
      d { opp-hz = /bits/ 64 <800000000>; };
    };
    gpu { operating-points-v2 = <&t>; dynamic-power-coefficient = <1>; };
};
&t { /delete-node/ d; };`, 'x.dts');
    const [t] = oppTables(dts);
    assert.deepEqual(readOpps(t!, 'x.dts').opps.map((o) => [o.frequencyKhz, o.voltageUv, o.powerUw]), [[500000, 800000, 200000], [1000000, 900000, 500000]]);
    assert.equal(t!.consumers[0]!.coefficient, 1);
    assert.equal(t!.consumers[0]!.cpu, false);
  });

  test('opp-microwatt tables need no coefficient', () => {
    const f = write('uw.dts', '/ { opp-table { compatible = "operating-points-v2";\n o1 { opp-hz = /bits/ 64 <500000000>; opp-microwatt = <100000>; };\n o2 { opp-hz = /bits/ 64 <1000000000>; opp-microwatt = <300000>; }; }; };\n');
    const r = run(['model', 'em', '--dts', f, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.powerUw), [100000, 300000]);
  });

  test('CSV parsing names the column units', () => {
    assert.deepEqual(parseOppCsv('freq(GHz),power_uw\n1.2,5\n', 'f').map((r) => [r.frequencyKhz, r.powerUw]), [[1200000, 5]]);
  });
});

describe('bad input', () => {
  const expectErr = (args: string[], code: number, re: RegExp) => {
    const r = run(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    assert.equal(r.stdout, '');
  };

  test('non-increasing frequencies name the row (exit 6)', () => {
    const f = write('nonincr.csv', 'frequency,power\n408MHz,100mW\n816MHz,200mW\n600MHz,150mW\n');
    expectErr(['model', 'em', '--opp-file', f], 6, /row 4.*600000 kHz is not above the previous state's 816000 kHz/);
  });

  test('zero, negative and above-64 W powers (exit 6)', () => {
    expectErr(['model', 'em', '--opp-file', write('zero.csv', 'frequency,power\n408MHz,0mW\n816MHz,200mW\n')], 6, /row 2.*power 0 µW is not positive/);
    expectErr(['model', 'em', '--opp-file', write('neg.csv', 'frequency,power\n408MHz,-5mW\n')], 6, /row 2.*negative/);
    expectErr(['model', 'em', '--opp-file', write('big.csv', 'frequency,power\n408MHz,1W\n816MHz,65W\n')], 6, /row 3.*above EM_MAX_POWER \(64000000 µW\)/);
  });

  test('a value without a unit names the row (exit 6)', () => {
    expectErr(['model', 'em', '--opp-file', write('nounit.csv', 'frequency,power\n408,100mW\n')], 6, /row 2: frequency '408' has no unit/);
  });

  test('a DTS without an OPP table (exit 6), several tables without --table (exit 2), an unknown table (exit 3)', () => {
    expectErr(['model', 'em', '--dts', write('none.dts', '/dts-v1/;\n/ { cpus { }; };\n'), '-C', '100'], 6, /no OPP table/);
    expectErr(['model', 'em', '--dts', OPP_DTSI, '-C', '100'], 2, /3 OPP tables\n  choose one with --table: tables: opp-table-0/);
    expectErr(['model', 'em', '--dts', OPP_DTSI, '--table', 'nope', '-C', '100'], 3, /no OPP table 'nope'/);
  });

  test('coefficient 0 (exit 2), utilisation above capacity (exit 2), unknown domain (exit 3)', () => {
    expectErr(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '--coefficient', '0'], 2, /coefficient 0/);
    expectErr(['--snapshot', RK3399, 'model', 'energy', '-d', 'cpu0', '--util', '400,0'], 2, /utilisation #1 is 400, above the CPU capacity 381/);
    expectErr(['--snapshot', RK3399, 'model', 'em', '--domain', 'cpu9'], 3, /no energy-model domain 'cpu9'/);
  });

  test('a missing file (exit 3) and a bad actor (exit 2)', () => {
    expectErr(['model', 'em', '--opp-file', path.join(tmp, 'missing.csv')], 3, /OPP file not found/);
    expectErr(['model', 'budget', '-b', '2W', '-a', 'gpu:2'], 2, /not name:requested:max/);
  });

  test('--svg into a directory that does not exist leaves nothing behind (exit 3)', () => {
    const target = path.join(tmp, 'no-such-dir', 'x.svg');
    const r = run(['model', 'em', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--svg', target]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(fs.existsSync(path.dirname(target)), false);
  });
});

describe('every value through its option (issue 19)', () => {
  const refused = (args: string[], re: RegExp) => {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    assert.equal(r.stdout, '');
  };
  const A53 = path.join(EXAMPLES, 'help-a53.csv');

  test('the values that were dropped without a word are refused, naming the option and the value', () => {
    refused(['--snapshot', RK3399, 'model', 'cap', '--zone', 'package', '--limit', '3W', '--capacity', 'zzz'], /^powercapctl: --capacity zzz: not a whole number\n  give 1 to 1024\n$/);
    refused(['model', 'power', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--supported-hw', 'zzz'], /--supported-hw zzz: 'zzz' is not a 32-bit number/);
    refused(['model', 'energy', '--opp-file', A53, '--util', '100', '--coefficient', 'zzz'], /--coefficient zzz: not a whole number/);
    refused(['--snapshot', RK3399, 'model', 'cap', '--domain', 'cpu4', '--limit', '1W', '--cpus', 'zzz'], /--cpus zzz: not a whole number/);
    refused(['model', 'idle', '--preset', 'rk3399', '--idle', '1ms', '--state', 'A:1us:2:3us'], /--state A:1us:2:3us: exit latency '2': invalid duration '2'/);
    refused(['model', 'budget', '-b', '2W', '--actor', 'gpu:1W:2W:abc'], /--actor gpu:1W:2W:abc: weight 'abc': not a whole number/);
    refused(['--snapshot', RK3399, 'model', 'budget', '-b', '2W', '--weight', 'cpu4-cpufreq=-1'], /--weight cpu4-cpufreq=-1: cpu4-cpufreq: not a whole number/);
  });

  test('an option that does not apply to the mode or the source is refused, not ignored', () => {
    // model cap --zone caps a DTPM tree: its leaves bring their own tables, CPU counts and capacities
    for (const [flag, value] of [['--capacity', '500'], ['--cpus', '2'], ['--coefficient', '436'], ['--supported-hw', '0x1'], ['--device', null]] as const) {
      refused(['--snapshot', RK3399, 'model', 'cap', '--zone', 'package', '--limit', '3W', flag, ...(value === null ? [] : [value])], new RegExp(`^powercapctl: --zone: not with ${flag}\n  --zone caps a DTPM tree`));
    }
    // the energy model's own table holds the kernel's powers: a coefficient or an OPP mask does nothing to it
    refused(['--snapshot', RK3399, 'model', 'em', '--domain', 'cpu4', '--coefficient', '100'], /--coefficient does not apply to the energy model of .*rk3399-dtpm\.json: its table holds the kernel's powers/);
    refused(['--snapshot', RK3399, 'model', 'energy', '-d', 'cpu4', '--util', '1', '--supported-hw', '0x1'], /--supported-hw needs --dts/);
    refused(['--snapshot', RK3399, 'model', 'em', '-d', 'cpu4', '--opp-name', 'fast'], /--opp-name does not apply to the energy model/);
    refused(['model', 'em', '--opp-file', A53, '--supported-hw', '0x1'], /--supported-hw: not with --opp-file/);
    // the cooling model has no capacity, and a temperature only reads a static table
    refused(['model', 'power', '-C', '100', '--freq', '1GHz', '--voltage', '1V', '--capacity', '500'], /unknown option '--capacity'/);
    refused(['model', 'power', '-C', '100', '--freq', '1GHz', '--voltage', '1V', '--temp', '55C'], /--temp reads the --static-table/);
    refused(['model', 'power', '--dts', OPP_DTSI, '--table', 'cluster1_opp', '-C', '436', '--voltage', '1V'], /--voltage goes with --freq/);
    refused(['model', 'em', '--opp-file', A53, '--device', '--capacity', '500'], /--device: not with --capacity/);
  });

  test('core says what is missing, the command words the way out in its options', () => {
    const worded = (args: string[], code: number, re: RegExp) => {
      const r = run(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    };
    worded(['model', 'em', '--opp-file', write('volts.csv', 'frequency,voltage\n408MHz,825mV\n')], 2,
      /row 2: a voltage without a power: the dynamic-power-coefficient is needed\n  give --coefficient C, the dynamic-power-coefficient of the CPU or device node\n$/);
    worded(['model', 'em', '--dts', write('none.dts', '/dts-v1/;\n/ { cpus { }; };\n')], 6,
      /no OPP table .*\n  give the file that holds the opp-table nodes \(often <soc>-opp\.dtsi\), or a table of the OPPs with --opp-file FILE\n$/);
    worded(['model', 'idle', '--idle', '1ms'], 2, /^powercapctl: no domain idle state given\n  give the domain's states with --state NAME:entry:exit:residency .*, or --preset rk3399\n$/);
    const hw = write('hw.dts', '/dts-v1/;\n/ { t: opp-table { compatible = "operating-points-v2";\n' +
      ' a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; opp-supported-hw = <0x1>; };\n' +
      ' b { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <900000>; opp-supported-hw = <0x2>; }; };\n' +
      ' gpu { operating-points-v2 = <&t>; dynamic-power-coefficient = <100>; }; };\n');
    // _opp_is_duplicate(): one frequency, two voltages; the board's mask keeps one of them (_opp_is_supported)
    worded(['model', 'em', '--dts', hw], 6, /different voltages\n  the OPP core refuses the whole table \(_opp_is_duplicate: -EEXIST\): they carry opp-supported-hw: give the board's mask with --supported-hw MASK\n$/);
    worded(['model', 'em', '--dts', hw, '--supported-hw', '0x2', '--json'], 0, /\/opp-table: opp-supported-hw mask 0x2: 1 OPP not supported, skipped/);
  });

  test('--kernel before 5.0 says when the energy model began', () => {
    refused(['model', 'em', '--opp-file', A53, '--kernel', '4.19'], /^powercapctl: --kernel 4\.19: the energy model began in 5\.0: no kernel before it has one\n/);
    refused(['model', 'em', '--opp-file', A53, '--kernel', '4.19.0-26-amd64'], /the energy model began in 5\.0/);
    refused(['model', 'em', '--opp-file', A53, '--kernel', 'banana'], /--kernel banana: not a kernel version/);
  });

  test('the parsers\' numbers: an actor read from its end, an idle state in µs, capacity and utilisation bounds', () => {
    // the name may hold colons (a DTPM zone id); a last part without a W is the weight
    assert.deepEqual(actor.parse('dtpm:0:0:1:800mW:2.26W:512'), { name: 'dtpm:0:0:1', requestUw: 800000, maxUw: 2260000, weight: 512 });
    assert.deepEqual(actor.parse('gpu:1.2W:2.5W'), { name: 'gpu', requestUw: 1200000, maxUw: 2500000, weight: null });
    assert.deepEqual(idleState.parse('CLUSTER_SLEEP:400us:500us:2ms'), { name: 'CLUSTER_SLEEP', offUs: 400, onUs: 500, residencyUs: 2000, powerUw: null });
    const no = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof PowercapError && e.exitCode === 2 && re.test(e.message));
    no(() => actor.parse(':1W:2W'), /an actor without a name/);
    no(() => idleState.parse('S:1us:1us'), /not NAME:entry:exit:residency/);
    assert.equal(cpuCapacity.parse('1024'), 1024);
    no(() => cpuCapacity.parse('1025'), /out of range \(1 to 1024\)/);
    no(() => cpuCapacity.parse('0'), /out of range/);
    assert.equal(utilisation.parse('0'), 0);
    no(() => utilisation.parse('1025'), /out of range \(0 to 1024\)/);
    assert.deepEqual(kernelVersion.parse('5.0'), { major: 5, minor: 0, name: '5.0' });
    no(() => kernelVersion.parse('3.18'), /the energy model began in 5\.0/);
  });

  test('the help\'s budget example does what it says: the GPU weighted half as much as each CPU cluster', () => {
    // gov_power_allocator.c allocate_power(): mW; weighted = (w × req) >> 10: 1800, 400, 750 = 2950;
    // granted = round(weighted × 2000 / 2950): 1220, 271, 508 (none above its max)
    const j = run(['model', 'budget', '-b', '2W', '-a', 'a72:1.8W:2.26W:1024', '-a', 'a53:0.4W:0.72W:1024', '-a', 'gpu:1.5W:2.56W:512', '--json']).json();
    assert.deepEqual(j.actors.map((a: any) => a.weight), [1024, 1024, 512]);
    assert.deepEqual(j.actors.map((a: any) => a.ipa.grantedMw), [1220, 271, 508]);
    // with one weight set, the unset ones are 0 (THERMAL_WEIGHT_DEFAULT): the CPUs get nothing
    const one = run(['model', 'budget', '-b', '2W', '-a', 'a72:1.8W:2.26W', '-a', 'a53:0.4W:0.72W', '-a', 'gpu:1.5W:2.56W:512', '--json']).json();
    assert.deepEqual(one.actors.map((a: any) => a.ipa.grantedMw), [0, 0, 2000]);
    // one actor is one actor
    assert.match(run(['model', 'budget', '-b', '1W', '-a', 'a:1W:2W']).stdout, /^budget 1 W over 1 actor: /);
  });

  test('examples/help-rk3399.dts: six CPUs as mainline has them, no header, no preprocessor, no warning', () => {
    // a missing cpp changes nothing: the file needs none (/include/ is the compiler's own)
    const r = run(['model', 'em', '--dt', path.join(EXAMPLES, 'help-rk3399.dts'), '--json'], { env: { POWERCAPCTL_CPP: path.join(tmp, 'no-cpp') } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const d = r.json().domains;
    assert.deepEqual(d.map((x: any) => [x.name, x.cpus, x.capacity, x.capacitySource]), [
      // A53: (485 × 1416000) << 10 / (1024 × 1800000) = 381 (topology_normalize_cpu_scale)
      ['cpu0', [0, 1, 2, 3], 381, 'capacity-dmips-mhz'],
      ['cpu4', [4, 5], 1024, 'capacity-dmips-mhz'],
      ['ff9a0000.gpu', null, null, null],
    ]);
    assert.deepEqual(d.map((x: any) => x.coefficient), [100, 436, 2640]);
    const text = run(['model', 'em', '--dts', path.join(EXAMPLES, 'help-rk3399.dts'), '--table', 'cpu_b0']);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stderr, /cpp|warning|not found/);
    assert.match(text.stdout, /capacity 1024 from capacity-dmips-mhz/);
  });

  test('tables end their lines without padding', () => {
    const r = run(['--snapshot', RK3399, 'model', 'em', '--domain', 'cpu4']);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split('\n')) assert.doesNotMatch(line, / $/, JSON.stringify(line));
  });

  test('core names no flag: the model\'s folders return facts, the CLI words the way out', () => {
    // the house check (docs/architecture.md "How a value enters"), on the folders of the model
    const literal = /['"`][^'"`\n]*(?:\s|^)--[a-z][a-z-]+|['"`]--[a-z][a-z-]+/;
    const found: string[] = [];
    for (const dir of ['src/core/em', 'src/core/dts', 'src/core/calculators', 'src/core/kernel']) {
      for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((x) => x.endsWith('.ts'))) {
        fs.readFileSync(path.join(ROOT, dir, f), 'utf8').split('\n').forEach((l, i) => {
          if (literal.test(l)) found.push(`${dir}/${f}:${i + 1}: ${l.trim()}`);
          if (/process\.(env|argv|exit|kill|stdout|stderr)/.test(l)) found.push(`${dir}/${f}:${i + 1}: ${l.trim()}`);
        });
      }
    }
    assert.deepEqual(found, []);
  });
});
