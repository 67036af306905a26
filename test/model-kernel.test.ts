/**
 * `model` against the kernel as boards run it: capacities from arch_topology.c, device trees as
 * a board has them (live tree, .dtb, decompiled with numeric phandles, raw files through cpp),
 * the OPP core's rules for the tables in use, each kernel era's energy_model.c, old debugfs
 * dumps, and hostile sources. Every number is worked out by hand in the comments, from the
 * kernel function cited.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, exampleCopy, ROOT, requireTool, TOOLS } from './helpers.js';
import { validate } from '../src/core/snapshot/validate.js';
import { toFdt, writeLiveTree } from './fixtures/devicetree.js';
import { computeTimeWindow, timeWindowOverflows } from '../src/core/kernel/rapl.js';
import { normalizeCpuCapacities } from '../src/core/kernel/arch-topology.js';
import { parseKernelEra } from '../src/core/kernel/energy-model.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-model-kernel-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string | Buffer) => {
  const f = path.join(tmp, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
};

// A small rk3399: two A53 (capacity-dmips-mhz 485, C = 100) sharing a table up to 1416 MHz, one A72
// (1024, C = 436) up to 1800 MHz, and the GPU (C = 2640). The tables are rk3399's (mainline).
const BOARD = `/dts-v1/;
/ {
  cpus {
    #address-cells = <1>; #size-cells = <0>;
    cpu_l0: cpu@0 { device_type = "cpu"; reg = <0x0>; capacity-dmips-mhz = <485>; dynamic-power-coefficient = <100>; operating-points-v2 = <&cluster0_opp>; };
    cpu_l1: cpu@1 { device_type = "cpu"; reg = <0x1>; capacity-dmips-mhz = <485>; dynamic-power-coefficient = <100>; operating-points-v2 = <&cluster0_opp>; };
    cpu_b0: cpu@100 { device_type = "cpu"; reg = <0x100>; capacity-dmips-mhz = <1024>; dynamic-power-coefficient = <436>; operating-points-v2 = <&cluster1_opp>; };
  };
  cluster0_opp: opp-table-0 {
    compatible = "operating-points-v2"; opp-shared;
    opp00 { opp-hz = /bits/ 64 <408000000>; opp-microvolt = <825000>; };
    opp01 { opp-hz = /bits/ 64 <600000000>; opp-microvolt = <825000>; };
    opp02 { opp-hz = /bits/ 64 <816000000>; opp-microvolt = <850000>; };
    opp03 { opp-hz = /bits/ 64 <1008000000>; opp-microvolt = <925000>; };
    opp04 { opp-hz = /bits/ 64 <1200000000>; opp-microvolt = <1000000>; };
    opp05 { opp-hz = /bits/ 64 <1416000000>; opp-microvolt = <1125000>; };
  };
  cluster1_opp: opp-table-1 {
    compatible = "operating-points-v2"; opp-shared;
    opp00 { opp-hz = /bits/ 64 <408000000>; opp-microvolt = <825000>; };
    opp01 { opp-hz = /bits/ 64 <600000000>; opp-microvolt = <825000>; };
    opp02 { opp-hz = /bits/ 64 <816000000>; opp-microvolt = <825000>; };
    opp03 { opp-hz = /bits/ 64 <1008000000>; opp-microvolt = <875000>; };
    opp04 { opp-hz = /bits/ 64 <1200000000>; opp-microvolt = <950000>; };
    opp05 { opp-hz = /bits/ 64 <1416000000>; opp-microvolt = <1025000>; };
    opp06 { opp-hz = /bits/ 64 <1608000000>; opp-microvolt = <1100000>; };
    opp07 { opp-hz = /bits/ 64 <1800000000>; opp-microvolt = <1200000>; };
  };
  gpu_opp_table: opp-table-2 {
    compatible = "operating-points-v2";
    opp00 { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; };
    opp01 { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; };
  };
  gpu: gpu@ff9a0000 { operating-points-v2 = <&gpu_opp_table>; dynamic-power-coefficient = <2640>; };
};
`;
const withGpuTable = (table: string) => BOARD.slice(0, BOARD.indexOf('  gpu_opp_table:')) + table + '\n' + BOARD.slice(BOARD.indexOf('  gpu: gpu@'));

// topology_normalize_cpu_scale() (drivers/base/arch_topology.c): capacity = (dmips × fmax) << 10 / max(dmips × fmax)
// A53: 485 × 1416000 = 686760000; A72: 1024 × 1800000 = 1843200000 → (686760000 << 10) / 1843200000 = 381
// em_init_performance() (kernel/power/energy_model.c): performance = 381 × f / 1416000:
//   408 → 109, 600 → 161, 816 → 219, 1008 → 271, 1200 → 322, 1416 → 381
// em_compute_costs(): cost = power × 10 / performance; A53 powers (dev_pm_opp_calc_power, drivers/opp/of.c):
//   100 × 825² × 408 / 1e6 = 27769 → 277690 / 109 = 2547; 40837 → 408370 / 161 = 2536; 58956 → 2692; 86247 → 3182;
//   120000 → 3726; 179212 → 4703. From the top down, 2547 ≥ 2536: only 408 MHz is inefficient.
const A53_PERF = [109, 161, 219, 271, 322, 381];
const A53_COST = [2547, 2536, 2692, 3182, 3726, 4703];

describe('capacity from capacity-dmips-mhz (item 1)', () => {
  test('rk3399 A53 → 381 from the tree, the A72 → 1024; --capacity only overrides; the output says where it came from', () => {
    const dts = write('board.dts', BOARD);
    const r = run(['model', 'em', '--dts', dts, '--table', 'cpu@0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.equal(d.capacity, 381);
    assert.equal(d.capacitySource, 'capacity-dmips-mhz');
    assert.deepEqual(d.states.map((s: any) => s.performance), A53_PERF);
    assert.deepEqual(d.states.map((s: any) => s.cost), A53_COST);
    assert.deepEqual(d.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000]);
    const big = run(['model', 'em', '--dts', dts, '--table', 'cpu_b0', '--json']).json().domains[0];
    assert.equal(big.capacity, 1024);
    const o = run(['model', 'em', '--dts', dts, '--table', 'cpu@0', '--capacity', '500', '--json']).json().domains[0];
    assert.equal(o.capacity, 500);
    assert.equal(o.capacitySource, 'given');
    const text = run(['model', 'em', '--dts', dts, '--table', 'cpu@0']).stdout;
    assert.match(text, /capacity 381 from capacity-dmips-mhz/);
    // the A72 without its OPP table gets no cpufreq policy: the boot-time capacities stay, from
    // capacity-dmips-mhz alone: (485 << 10) / 1024 = 485 for the A53s (init_cpu_capacity_callback never renormalises)
    const noPolicy = write('board-no-b0-opp.dts', BOARD.replace('dynamic-power-coefficient = <436>; operating-points-v2 = <&cluster1_opp>;', 'dynamic-power-coefficient = <436>;'));
    const b = run(['model', 'em', '--dts', noPolicy, '--table', 'cpu@0', '--json']).json().domains[0];
    assert.deepEqual([b.capacity, b.capacitySource], [485, 'capacity-dmips-mhz-boot']);
  });

  test('normalizeCpuCapacities: one CPU without capacity-dmips-mhz → 1024 for all; v6.1 counts MHz, v6.12 kHz', () => {
    // topology_parse_cpu_capacity(): "partial information: fallback to 1024 for all CPUs"
    assert.deepEqual(normalizeCpuCapacities([{ dmipsMhz: 485, maxFreqKhz: 1416000 }, { dmipsMhz: null, maxFreqKhz: 1800000 }]).map((c) => c.capacity), [1024, 1024]);
    // the frequency unit shows when two CPUs differ below 1 MHz: 1999999 kHz and 1999000 kHz
    const cpus = [{ dmipsMhz: 1024, maxFreqKhz: 1999999 }, { dmipsMhz: 1024, maxFreqKhz: 1999000 }];
    // 6.1: both 1999 MHz → 1024 and 1024; 6.12: (1024 × 1999000 << 10) / (1024 × 1999999) = 1023
    assert.deepEqual(normalizeCpuCapacities(cpus, [6, 1]).map((c) => c.capacity), [1024, 1024]);
    assert.deepEqual(normalizeCpuCapacities(cpus, [6, 12]).map((c) => c.capacity), [1024, 1023]);
  });
});

describe('device trees as a board has them (item 2)', () => {
  const expectBoard = (j: any) => {
    assert.deepEqual(j.domains.map((d: any) => d.name), ['cpu0', 'cpu2', 'ff9a0000.gpu']);
    assert.deepEqual(j.domains.map((d: any) => d.cpus), [[0, 1], [2], null]);
    assert.deepEqual(j.domains.map((d: any) => d.capacity), [381, 1024, null]);
    assert.deepEqual(j.domains[0].states.map((s: any) => s.cost), A53_COST);
    // GPU: 2640 × 1100² × 800 / 1e6 = 2555520 µW (dev_pm_opp_calc_power)
    assert.equal(j.domains[2].states[1].powerUw, 2555520);
  };

  test('model em with no input reads the live tree when the energy model is not readable, and says so', () => {
    const live = writeLiveTree(path.join(tmp, 'live/base'), BOARD);
    const r = run(['model', 'em', '--json'], { env: { POWERCAPCTL_DT: live } });
    assert.equal(r.code, 0, r.stderr);
    expectBoard(r.json());
    assert.match(r.json().source, /the device tree in .*live\/base \(the kernel's energy model is not readable/);
    const text = run(['model', 'em'], { env: { POWERCAPCTL_DT: live } });
    assert.match(text.stderr, /source: the device tree/);
    assert.match(text.stdout, /cpu0: 6 states .*2 CPUs 0-1, capacity 381/);
  });

  test('--dt reads a .dtb blob and a decompiled source with numeric phandles', () => {
    const dtb = write('board.dtb', toFdt(BOARD));
    const r = run(['model', 'em', '--dt', dtb, '--json']);
    assert.equal(r.code, 0, r.stderr);
    expectBoard(r.json());
    // what dtc -I dtb -O dts prints: no labels, phandle = <0x…> and references as numbers
    const decompiled = BOARD.replace(/cluster0_opp: opp-table-0 \{/, 'opp-table-0 { phandle = <0x12>;')
      .replace(/cluster1_opp: opp-table-1 \{/, 'opp-table-1 { phandle = <0x13>;')
      .replace(/gpu_opp_table: opp-table-2 \{/, 'opp-table-2 { phandle = <0x14>;')
      .replaceAll('<&cluster0_opp>', '<0x12>').replaceAll('<&cluster1_opp>', '<0x13>').replaceAll('<&gpu_opp_table>', '<0x14>');
    const d = run(['model', 'em', '--dt', write('decompiled.dts', decompiled), '--json']);
    assert.equal(d.code, 0, d.stderr);
    expectBoard(d.json());
  });

  test('a device left disabled (a .dtsi leaves it to the board) is not probed, so not a domain; --table still models it as a device', () => {
    const dts = write('gpu-off.dtsi', BOARD.replace('dynamic-power-coefficient = <2640>; };', 'dynamic-power-coefficient = <2640>; status = "disabled"; };'));
    assert.deepEqual(run(['model', 'em', '--dt', dts, '--json']).json().domains.map((d: any) => d.name), ['cpu0', 'cpu2']);
    const g = run(['model', 'em', '--dts', dts, '--table', 'gpu', '--json']).json().domains[0];
    assert.equal(g.cpu, false);
    assert.equal(g.coefficient, 2640);
  });

  test('the kernel\'s energy model stays the default where it is readable', () => {
    const em = path.join(tmp, 'em');
    fs.mkdirSync(path.join(em, 'cpu0/ps:500000'), { recursive: true });
    fs.writeFileSync(path.join(em, 'cpu0/cpus'), '0\n');
    fs.writeFileSync(path.join(em, 'cpu0/flags'), '0x1\n');
    for (const [k, v] of [['frequency', 500000], ['power', 1000], ['cost', 10], ['performance', 1024], ['inefficient', 0]]) fs.writeFileSync(path.join(em, `cpu0/ps:500000/${k}`), `${v}\n`);
    const live = writeLiveTree(path.join(tmp, 'live2/base'), BOARD);
    const r = run(['model', 'em'], { env: { POWERCAPCTL_DT: live, POWERCAPCTL_EM_ROOT: em } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /source: the kernel's energy model/);
    assert.match(r.stdout, /^cpu0: 1 state from/m);
  });
});

describe('the OPP core\'s rules, only for the tables used (items 3 and 9)', () => {
  test('a duplicate frequency in the GPU table does not stop the CPU table; --dt lists the GPU as refused with the kernel\'s reason', () => {
    // _opp_is_duplicate() (drivers/opp/core.c): same frequency, other voltage → -EEXIST, the table is dropped
    const dts = write('dup.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; };
      b { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <850000>; }; };`));
    const r = run(['model', 'em', '--dts', dts, '--table', 'cpu@0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.cost), A53_COST);
    const all = run(['model', 'em', '--dt', dts, '--json']).json();
    assert.deepEqual(all.domains.map((d: any) => d.name), ['cpu0', 'cpu2']);
    assert.equal(all.refused[0].name, 'ff9a0000.gpu');
    assert.match(all.refused[0].reason, /same frequency 200000000 Hz and different voltages/);
    // the same frequency and voltage: dropped, the first kept (-EBUSY is not an error)
    const same = write('dup-same.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; };
      b { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; };
      c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; }; };`));
    const g = run(['model', 'em', '--dts', same, '--table', 'gpu', '--json']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(g.json().domains[0].states.length, 2);
    assert.match(g.stderr, /b duplicates a \(same frequency and voltage\): dropped/);
  });

  test('opp-supported-hw: every OPP by default (said), --supported-hw keeps the matching ones (_opp_is_supported)', () => {
    const dts = write('hw.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; opp-supported-hw = <0x1>; };
      b { opp-hz = /bits/ 64 <400000000>; opp-microvolt = <825000>; opp-supported-hw = <0x2>; };
      c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; }; };`));
    const all = run(['model', 'em', '--dts', dts, '--table', 'gpu', '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.json().domains[0].states.map((s: any) => s.frequencyKhz), [200000, 400000, 800000]);
    assert.match(all.stderr, /2 OPPs have opp-supported-hw: every one taken \(mask: all bits; the driver sets it from fuses: give it with --supported-hw MASK\)/);
    const one = run(['model', 'em', '--dts', dts, '--table', 'gpu', '--supported-hw', '0x2', '--json']);
    assert.deepEqual(one.json().domains[0].states.map((s: any) => s.frequencyKhz), [400000, 800000]);
  });

  test('opp-microvolt-<name> with --opp-name; opp-level tables only fail when chosen; turbo OPPs are in the EM, not in the capacity', () => {
    const dts = write('named.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; opp-microvolt-fast = <900000>; };
      c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; }; };
      rpmhpd_opp_table: opp-table-3 { compatible = "operating-points-v2"; l1 { opp-level = <16>; }; l2 { opp-level = <48>; }; };`));
    // 2640 × 900² × 200 / 1e6 = 427680 µW with the named voltage; 2640 × 825² × 200 / 1e6 = 359370 without
    assert.equal(run(['model', 'em', '--dts', dts, '--table', 'gpu', '--opp-name', 'fast', '--json']).json().domains[0].states[0].powerUw, 427680);
    assert.equal(run(['model', 'em', '--dts', dts, '--table', 'gpu', '--json']).json().domains[0].states[0].powerUw, 359370);
    const lv = run(['model', 'em', '--dts', dts, '--table', 'rpmhpd_opp_table']);
    assert.equal(lv.code, 6);
    assert.match(lv.stderr, /opp-level values without frequencies/);
    // a turbo 2000 MHz OPP on the A72: cpuinfo.max_freq stays 1800 MHz, so the A53 keeps 381;
    // the EM has 9 states and performance at 1800 MHz is 1024 × 1800 / 2000 = 921 (em_init_performance)
    const turbo = write('turbo.dts', BOARD.replace('opp07 { opp-hz = /bits/ 64 <1800000000>; opp-microvolt = <1200000>; };',
      'opp07 { opp-hz = /bits/ 64 <1800000000>; opp-microvolt = <1200000>; }; opp08 { opp-hz = /bits/ 64 <2000000000>; opp-microvolt = <1250000>; turbo-mode; };'));
    const j = run(['model', 'em', '--dt', turbo, '--json']).json();
    assert.equal(j.domains[0].capacity, 381);
    assert.equal(j.domains[1].states.length, 9);
    assert.equal(j.domains[1].states[7].performance, 921);
  });

  test('opp-microwatt is used when the lowest OPP has it (_of_has_opp_microwatt_property), else C·V²·f for all', () => {
    // lowest with opp-microwatt, the other without: _get_dt_power() reads 0 there → "EM: invalid power"
    const a = write('uw-low.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; opp-microwatt = <300000>; };
      c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; }; };`));
    const ra = run(['model', 'em', '--dts', a, '--table', 'gpu']);
    assert.equal(ra.code, 6);
    assert.match(ra.stderr, /opp-table-2\/c: power 0 µW is not positive/);
    // only the top one has it: the lowest decides, every power from 2640 × V² × f
    const b = write('uw-high.dts', withGpuTable(`gpu_opp_table: opp-table-2 { compatible = "operating-points-v2";
      a { opp-hz = /bits/ 64 <200000000>; opp-microvolt = <825000>; };
      c { opp-hz = /bits/ 64 <800000000>; opp-microvolt = <1100000>; opp-microwatt = <1>; }; };`));
    assert.deepEqual(run(['model', 'em', '--dts', b, '--table', 'gpu', '--json']).json().domains[0].states.map((s: any) => s.powerUw), [359370, 2555520]);
  });

  test('a performance that computes to 0 is refused naming the state (em_compute_costs would divide by zero)', () => {
    // capacity 1: performance = 1 × 1000 / 2000000 = 0 for the 1 MHz state
    const f = write('perf0.csv', 'frequency,power\n1MHz,10mW\n2000MHz,900mW\n');
    const r = run(['model', 'em', '--opp-file', f, '--capacity', '1']);
    assert.equal(r.code, 6);
    assert.match(r.stderr, /row 2 \(1000 kHz\): performance computes to 0/);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true);
  });
});

describe('raw board files through cpp (item 4)', () => {
  test('#include from -I and #define are expanded by cpp as the kernel build runs it', requireTool(TOOLS.cpp), () => {
    const inc = path.join(tmp, 'inc');
    write('inc/board-coef.h', '#define A53_COEF 100\n');
    const dts = write('raw/board.dts', '#include "board-coef.h"\n' + BOARD.replaceAll('dynamic-power-coefficient = <100>', 'dynamic-power-coefficient = <A53_COEF>'));
    const r = run(['model', 'em', '--dts', dts, '-I', inc, '--table', 'cpu@0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().domains[0].coefficient, 100);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.cost), A53_COST);
  });

  test('without cpp, a bare macro outside the nodes in use is skipped, and the output says so', () => {
    const dts = write('raw/leds.dts', '#define UNUSED 1\n' + BOARD.replace('gpu: gpu@ff9a0000', 'leds { led-0 { function = LED_FUNCTION_POWER; }; };\n  gpu: gpu@ff9a0000'));
    const r = run(['model', 'em', '--dts', dts, '--table', 'cpu@0', '--json'], { env: { POWERCAPCTL_CPP: path.join(tmp, 'no-cpp') } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /uses the C preprocessor and .*could not run/);
    assert.match(r.stderr, /led-0\/function = LED_FUNCTION_POWER: a macro without its definition: property skipped/);
    assert.deepEqual(r.json().domains[0].states.map((s: any) => s.cost), A53_COST);
  });
});

describe('kernel eras (item 5)', () => {
  // The A72 table (C = 436, capacity 1024, fmax 1800 MHz); powers 121075, 178051, 242150 … 1130112 µW.
  const era = (k: string) => {
    const r = run(['model', 'em', '--dts', write('board-era.dts', BOARD), '--table', 'cpu_b0', '--kernel', k, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return r.json().domains[0];
  };
  test('6.9+: cost = power × 10 / performance; 408 and 600 MHz inefficient (em_compute_costs, v6.12)', () => {
    const d = era('6.9');
    assert.equal(d.kernel, '6.9');
    // 121075 × 10 / 232 = 5218; 178051 × 10 / 341 = 5221; 242150 × 10 / 464 = 5218
    assert.deepEqual(d.states.slice(0, 3).map((s: any) => s.cost), [5218, 5221, 5218]);
    assert.deepEqual(d.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000, 600000]);
  });
  test('6.0–6.8 (what uname -r prints): µW, cost = fmax × power / f; only 408 MHz inefficient (em_create_perf_table, v6.1)', () => {
    const d = era('6.1.0-18-arm64');
    assert.equal(d.kernel, '6.1');
    // 1800000 × 121075 / 408000 = 534154; × 178051 / 600000 = 534153; × 242150 / 816000 = 534154
    assert.deepEqual(d.states.slice(0, 3).map((s: any) => s.cost), [534154, 534153, 534154]);
    assert.deepEqual(d.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000]);
    assert.deepEqual(era('6.8').states.slice(0, 3).map((s: any) => s.cost), [534154, 534153, 534154]);
  });
  test('5.15–5.19: mW with em_scale_power (× 1000 on 64-bit); inefficient flags from 5.16; before 5.15 no scaling', () => {
    // 436 × 825² × 408 / 1e9 = 121 mW: 1800000 × 121000 / 408000 = 533823; 178 mW → 534000; 242 mW → 533823
    const d16 = era('5.16');
    assert.deepEqual(d16.states.slice(0, 3).map((s: any) => s.cost), [533823, 534000, 533823]);
    assert.deepEqual(d16.states.filter((s: any) => s.inefficient).map((s: any) => s.frequencyKhz), [408000, 600000]);
    const d15 = era('5.15.0-91-generic');
    assert.deepEqual(d15.states.slice(0, 3).map((s: any) => s.cost), [533823, 534000, 533823]);
    assert.deepEqual(d15.states.filter((s: any) => s.inefficient), []);
    // 5.14: 1800000 × 121 / 408000 = 533
    assert.deepEqual(era('5.14').states.slice(0, 3).map((s: any) => s.cost), [533, 534, 533]);
  });
  test('parseKernelEra: versions as uname -r prints them; nonsense is refused (exit 2)', () => {
    assert.deepEqual(parseKernelEra('6.12.117+deb13-arm64'), { major: 6, minor: 12, name: '6.12' });
    assert.equal(parseKernelEra('banana'), null);
    const r = run(['model', 'em', '--dts', write('board-era.dts', BOARD), '--table', 'cpu_b0', '--kernel', 'banana']);
    assert.equal(r.code, 2);
  });
});

/** An energy-model dump of one domain, cpu0 (CPUs 0-1), as debugfs lays it out: the files each state has, and a flags file when given. */
function writeEmDump(name: string, flags: string | null, states: Array<Record<string, number>>): string {
  const em = path.join(tmp, name);
  fs.mkdirSync(path.join(em, 'cpu0'), { recursive: true });
  fs.writeFileSync(path.join(em, 'cpu0/cpus'), '0-1\n');
  if (flags !== null) fs.writeFileSync(path.join(em, 'cpu0/flags'), `${flags}\n`);
  for (const st of states) {
    const d = path.join(em, `cpu0/ps:${st.frequency}`);
    fs.mkdirSync(d);
    for (const [k, v] of Object.entries(st)) fs.writeFileSync(path.join(d, k), `${v}\n`);
  }
  return em;
}

describe('old debugfs dumps (item 6)', () => {
  test('a dump without flags is mW, as that kernel wrote it; its costs are kept', () => {
    // a 5.14-era dump: power 42 mW at 450 MHz, cost = 42 × 850000 / 450000 = 79 (no em_scale_power)
    const em = writeEmDump('em-old', null, [{ frequency: 450000, power: 42, cost: 79 }, { frequency: 850000, power: 119, cost: 119 }]);
    const r = run(['--em-root', em, 'model', 'em', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.deepEqual(d.states.map((s: any) => [s.powerMw, s.powerUw, s.cost]), [[42, 42000, 79], [119, 119000, 119]]);
    // re-derived as 5.14 gives the same cost; as 5.15 em_scale_power makes it 42000 × 850000 / 450000 = 79333
    assert.equal(run(['--em-root', em, 'model', 'em', '--kernel', '5.14', '--json']).json().domains[0].states[0].cost, 79);
    assert.equal(run(['--em-root', em, 'model', 'em', '--kernel', '5.15', '--json']).json().domains[0].states[0].cost, 79333);
  });
});

describe('a dump without performance files (a kernel before 6.9)', () => {
  // 6.1's energy_model.c em_debug_create_ps() writes frequency, power, cost and inefficient, no performance
  // 6.0–6.8 cost = fmax × power / f: 1000000 × 200000 / 500000 = 400000; the top state's cost is its power
  const em = writeEmDump('em-6.1', '0x1', [
    { frequency: 500000, power: 200000, cost: 400000, inefficient: 0 },
    { frequency: 1000000, power: 600000, cost: 600000, inefficient: 0 },
  ]);

  test('shows no performance: null in JSON, a dash in the table, as the source holds', () => {
    const r = run(['--em-root', em, 'model', 'em', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json().domains[0];
    assert.deepEqual(d.states.map((s: any) => [s.powerUw, s.performance, s.cost]), [[200000, null, 400000], [600000, null, 600000]]);
    assert.equal(d.capacitySource, 'default-no-performance');
    assert.equal(validate(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/model-em.schema.json'), 'utf8')), r.json()), null);
    const text = run(['--em-root', em, 'model', 'em']);
    assert.match(text.stdout, /no performance in the dump \(a kernel before 6\.9\)/);
    const rows = text.stdout.split('\n').filter((l) => /^[01] /.test(l));
    // #, FREQUENCY (2 words), VOLTAGE, POWER µW, PRE-6.0 mW, POWER (2 words), PERF, COST, EFFICIENT
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[8]), ['–', '–']);
  });

  test('the calculators still have capacity × f / fmax (em_init_performance): 512 and 1024 at capacity 1024', () => {
    // utilisation 300 + 25 % = 375 ≤ 512: the 500 MHz state (6.9 rule); it was 0 and chose the top state before
    const j = run(['--em-root', em, 'model', 'energy', '--util', '300', '--json']).json();
    assert.equal(j.current.frequencyKhz, 500000);
    // the 6.9 estimate reads 6.9's costs, built from the dumped powers (em_compute_costs), not the 6.1 costs of the dump:
    // 200000 × 10 / 512 = 3906; energy 3906 × 300 = 1171800 (117.18 mW); it read 400000 × 300 before
    assert.equal(j.current.cost, 3906);
    assert.equal(j.current.energy, 1171800);
    // 6.0–6.8: f ≥ 375 × 1000000 / 1024 = 366210 kHz → 500 MHz; 400000 × 300 / 1024 = 117187
    assert.equal(j.pre69.energy, 117187);
    // the dump says which kernel wrote it: costs as 6.0–6.8 computed them
    assert.equal(run(['--em-root', em, 'model', 'em', '--json']).json().domains[0].kernel, '6.0–6.8');
    // --capacity re-derives the table, which then has a performance to show: 500 × 500000 / 1000000 = 250
    const d = run(['--em-root', em, 'model', 'em', '--capacity', '500', '--json']).json().domains[0];
    assert.deepEqual(d.states.map((s: any) => s.performance), [250, 500]);
  });
});

describe('RAPL time windows (item 8)', () => {
  test('below one unit (0 included) reads back one unit; 2^31 units overflow the read path (rapl_compute_time_window_core)', () => {
    assert.equal(computeTimeWindow(0n), 976n);
    assert.equal(computeTimeWindow(975n), 976n);
    assert.equal(computeTimeWindow(28000000n), 27983872n);
    // 2^31 units = 2095944040448 µs: y = 31, (1 << 31) is INT_MIN → (2^64 − 2^31) × 4 × 976 / 4 mod 2^64
    // = (2^64 − 2^31 × 3904) / 4 = 2^62 − 2095944040448 = 4611683922483347456
    assert.equal(timeWindowOverflows(2095944040448n), true);
    assert.equal(timeWindowOverflows(2095944040447n), false);
    assert.equal(computeTimeWindow(2095944040448n), 4611683922483347456n);
  });
});

describe('RAPL time windows through the emulated kernel (item 8)', () => {
  test('500 µs reads back 976 µs; 2^31 units and more are written with a warning naming the overflow', () => {
    const copy = exampleCopy('intel-laptop');
    try {
      const r = run(['--snapshot', copy.file, 'set-limit', 'intel-rapl:0', '25W', '-w', '500us', '--yes', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const snap = fs.readFileSync(copy.file, 'utf8');
      assert.match(snap, /"constraint_0_time_window_us": "976\\n"/);
      // 600000 h = 2160000000000000 µs ≥ 2^31 × 976: y = 31, f = 3 (saturated): (2^64 − 2^31) × 7 × 976 mod 2^64 / 4
      // = (2^64 − 6832 × 2^31) / 4 = 2^62 − 1708 × 2^31 = 4611686018427387904 − 3667902070784 = 4611682350525317120
      const w = run(['--snapshot', copy.file, 'set-limit', 'intel-rapl:0', '25W', '-w', '600000h', '--yes']);
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stderr, /2\^31 time units or more: the kernel's read path overflows an int .*reads back 4611682350525317120/);
    } finally {
      copy.cleanup();
    }
  });
});

describe('hostile device trees (issue 12 items in the reader)', () => {
  const refuse = (name: string, text: string, re: RegExp) => {
    const r = run(['model', 'em', '--dts', write(name, text), '-C', '100']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, re);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    assert.doesNotMatch(r.stderr, /RangeError|at .*\.js:/);
  };
  test('a label at the end, a huge cell or shift, 20 000-deep nesting: one-line refusals (exit 6)', () => {
    refuse('label-end.dts', '/dts-v1/;\n/ { };\nfoo:', /label foo at the end of the file label nothing/);
    refuse('huge-cell.dts', '/ { a = <0x123456789>; };', /integer value 0x123456789 out of range for 32-bit cells/);
    refuse('huge-shift.dts', '/ { a = <(1 << 100000)>; };', /shift by 100000/);
    refuse('deep.dts', '/ { ' + 'a { '.repeat(20000) + '}; '.repeat(20000) + '};', /nested deeper than 256/);
  });
});
