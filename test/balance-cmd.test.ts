/**
 * balance and govern as a user runs them (issue 20): bad input refused in one or two lines with
 * its documented exit code and nothing written; not root on a live tree, exit 4 before anything
 * is measured; runs on a fixture rk3399 tree that stop on --duration, SIGTERM (exit 0) or Ctrl-C
 * (130) and put back the limits they found; one NDJSON record a period that follows
 * schema/balance.schema.json; the report file; another program's write noticed and its zone left
 * alone; the budget file followed, kept when it goes stale; govern's thermal checks; the live view
 * in a terminal. The runs against a plant that moves are in test/sim-serve.test.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, NOBODY, ROOT, cleanEnv, fixture, run, scratch, example } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { ndjson, start, stop, waitFor, writeThermal, rk3399Board, RK3399_BOOT, RK3399_LEAVES } from './fixtures/running.js';
import { validate, type Schema } from '../src/core/snapshot/validate.js';
import type { PeriodRecord } from '../src/core/balance/controller.js';

const s = scratch('powercapctl-balance-');
const schemaOf = (name: string): Schema => JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', `${name}.schema.json`), 'utf8'));
const LEAVES = RK3399_LEAVES;
const BOOT = RK3399_BOOT;
const board = () => rk3399Board(s.cleanups);

/** One or two lines on stderr, nothing on stdout, the exit code, and no limit written. */
function refused(args: string[], code: number, re: RegExp, b = board(), env: Record<string, string> = {}) {
  const r = run(['--root', b.root, ...args], { env });
  assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, re);
  assert.ok(r.stderr.trim().split('\n').length <= 2, `one or two lines: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.deepEqual(b.limits(), BOOT, 'nothing written');
  return r;
}

describe('balance: bad input, refused before anything is written', () => {
  test('a budget below the zones\' total minimum (712.596 mW on rk3399): exit 2', () => {
    refused(['balance', '--budget', '700mW', ...LEAVES], 2, /budget 700 mW is below the zones' total minimum 712\.596 mW/);
  });
  test('a zone named twice, by id and by name: exit 2', () => {
    refused(['balance', '--budget', '2W', 'dtpm:0:0:1', 'cpu4-cpufreq'], 2, /dtpm:0:0:1 \(cpu4-cpufreq\) is named twice/);
  });
  test('a DTPM parent: exit 2, naming its leaves and --under', () => {
    const r = refused(['balance', '--budget', '2W', 'dtpm:0:0'], 2, /dtpm:0:0 \(package\) is a DTPM node with children/);
    assert.match(r.stderr, /name its leaves, or give the node with --under \(the leaves under dtpm:0:0: dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2\)/);
    const g = refused(['govern', '--thermal-zone', 'x', '--target', '45C', 'dtpm:0:0'], 2, /DTPM node with children/);
    assert.match(g.stderr, /--under/);
  });
  test('a zone with no power reading, or no writable limit: exit 2', () => {
    const b = board();
    fs.rmSync(path.join(b.root, 'dtpm:0:0:2', 'power_uw'));
    refused(['balance', '--budget', '2W', ...LEAVES], 2, /dtpm:0:0:2 \(ff9a0000\.gpu\) reports no power/, b);
    const c = board();
    fs.chmodSync(c.limitFile('dtpm:0:0:1'), 0o444);
    refused(['balance', '--budget', '2W', ...LEAVES], 2, /dtpm:0:0:1: .*constraint_0_power_limit_uw is read-only \(mode 0444\)/, c);
  });
  test('zones that overlap (a RAPL package and its core): exit 2', () => {
    const t = s.liveLaptop();
    const r = run(['--root', t.classRoot, 'balance', '--budget', '20W', 'intel-rapl:0', 'intel-rapl:0:0']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /intel-rapl:0:0 \(core\) is inside intel-rapl:0 \(package-0\): its power would be counted in both/);
  });
  test('options that do not go together, or a budget missing: exit 2', () => {
    refused(['balance', ...LEAVES], 2, /no budget: give --budget POWER, or --budget-file FILE/);
    refused(['balance', '--budget', '2W', '--budget-file', '/tmp/b.yaml', ...LEAVES], 2, /--budget and --budget-file both give the budget/);
    refused(['balance', '--budget', '2W', '--fallback-budget', '1W', ...LEAVES], 2, /--fallback-budget stands in for --budget-file/);
    refused(['balance', '--budget', '2W', '--keep', '--dry-run', ...LEAVES], 2, /--keep leaves written limits in place, and --dry-run writes none/);
    refused(['balance', '--budget', '2W', '--min', 'dtpm:0:0:0=3W', ...LEAVES], 2, /--min dtpm:0:0:0=3 W: above the zone's maximum 716\.848 mW/);
    refused(['balance', '--budget', '2W', '--weight', 'dtpm:0:0:2=2', 'dtpm:0:0:0', 'dtpm:0:0:1'], 2, /--weight dtpm:0:0:2: dtpm:0:0:2 \(ff9a0000\.gpu\) is not one of the zones managed/);
    refused(['balance', '--budget', '2W'], 2, /no zones to balance/);
    refused(['balance', '--budget', '2W', 'dtpm:9'], 3, /no zone 'dtpm:9'/);
  });
  test('on a snapshot: exit 2, it balances a live tree', () => {
    const r = run(['--snapshot', example('rk3399-dtpm'), 'balance', '--budget', '2W', ...LEAVES]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /balance works on a live tree/);
  });
  test('a budget file that is not there, or not valid, with no fallback: exit 3 or 6', () => {
    const dir = s.tempDir();
    refused(['balance', '--budget-file', path.join(dir, 'none.yaml'), ...LEAVES], 3, /budget file not found: .*none\.yaml/);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'budget: 2\n');
    refused(['balance', '--budget-file', path.join(dir, 'bad.yaml'), ...LEAVES], 6, /bad\.yaml: budget: .*unit/);
    fs.writeFileSync(path.join(dir, 'old.yaml'), 'budget: 2W\nuntil: 2001-01-01T00:00:00Z\n');
    refused(['balance', '--budget-file', path.join(dir, 'old.yaml'), ...LEAVES], 6, /lapsed at 2001-01-01T00:00:00Z/);
  });
  test('not root on a live tree: exit 4 before anything is measured', { skip: NOBODY ? false : 'needs root to run as another user' }, () => {
    const b = board();
    const r = run(['--root', b.root, 'balance', '--budget', '2.5W', ...LEAVES], { uid: NOBODY!.uid, gid: NOBODY!.gid });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /powercap limits are writable by root only .*nothing was measured or written/);
    assert.match(r.stderr, /run with sudo/);
    assert.equal(r.stdout, '');
    assert.deepEqual(b.limits(), BOOT);
    // a dry run writes nothing: it needs no more than reading
    const d = run(['--root', b.root, 'balance', '--budget', '2.5W', '--dry-run', '--duration', '10ms', '--json', ...LEAVES], { uid: NOBODY!.uid, gid: NOBODY!.gid });
    assert.equal(d.code, 0, d.stderr);
  });
});

describe('balance: a run', () => {
  test('--duration: NDJSON per period (schema/balance.schema.json), lowered first, the limits found back at the end', () => {
    const b = board();
    const r = run(['--root', b.root, '--json', 'balance', '--budget', '2.5W', '--interval', '100ms', '--duration', '500ms', ...LEAVES]);
    assert.equal(r.code, 0, r.stderr);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PeriodRecord & { format: string });
    for (const rec of recs) assert.equal(validate(schemaOf('balance'), rec), null, JSON.stringify(rec).slice(0, 200));
    assert.ok(recs.length >= 5, `${recs.length} records`);
    assert.equal(recs[0]!.reason, 'initial');
    assert.equal(recs[0]!.format, 'powercapctl-balance');
    // after boot every leaf sits at its maximum (5.53 W): all three are lowered, within 2.5 W
    assert.deepEqual(recs[0]!.writes.map((w) => w.lower), [true, true, true]);
    assert.ok(recs[0]!.sumLimitsUw <= 2_500_000);
    // a steady load writes nothing more
    assert.ok(recs.slice(1, -1).every((x) => x.writes.length === 0 && x.reason === 'steady'));
    const last = recs.at(-1)!;
    assert.equal(last.reason, 'restore');
    assert.deepEqual(last.writes.map((w) => String(w.toUw)).sort(), [...BOOT].sort());
    assert.deepEqual(b.limits(), BOOT);
  });

  test('without --json, not on a terminal: a line at the start, one per period that wrote, the restore', () => {
    const b = board();
    const r = run(['--root', b.root, 'balance', '--budget', '2.5W', '--interval', '100ms', '--duration', '300ms', ...LEAVES]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^balance: 3 zones every 100 ms: dtpm:0:0:0 \(cpu0-cpufreq\), dtpm:0:0:1 \(cpu4-cpufreq\), dtpm:0:0:2 \(ff9a0000\.gpu\)$/);
    assert.match(lines[1]!, /budget 2\.5 W {2}power 864\.7 mW {2}wrote dtpm:0:0:\d [0-9.]+ m?W → [0-9.]+ m?W, /);
    assert.match(lines.at(-1)!, /^restored the limits found at the start: .*→ 2\.556 W/);
  });

  test('--keep leaves the limits balance set; --dry-run writes none', () => {
    const b = board();
    const k = run(['--root', b.root, '--json', 'balance', '--budget', '2.5W', '--interval', '100ms', '--duration', '200ms', '--keep', ...LEAVES]);
    assert.equal(k.code, 0, k.stderr);
    const recs = k.stdout.trim().split('\n').map((l) => JSON.parse(l) as PeriodRecord);
    assert.notEqual(recs.at(-1)!.reason, 'restore');
    assert.deepEqual(b.limits(), recs.at(-1)!.zones.map((z) => String(z.newLimitUw)));
    assert.ok(b.limits().reduce((a, v) => a + Number(v), 0) <= 2_500_000);

    const c = board();
    const d = run(['--root', c.root, '--json', 'balance', '--budget', '2.5W', '--interval', '100ms', '--duration', '200ms', '--dry-run', ...LEAVES]);
    assert.equal(d.code, 0, d.stderr);
    const first = JSON.parse(d.stdout.split('\n')[0]!) as PeriodRecord;
    assert.equal(first.dryRun, true);
    assert.equal(first.writes.length, 3);
    assert.ok(first.writes.every((w) => w.readBackUw === null));
    assert.deepEqual(c.limits(), BOOT);
  });

  test('SIGTERM: exit 0 once the limits found are back; Ctrl-C (SIGINT): the same, exit 130', async () => {
    for (const [sig, code] of [['SIGTERM', 0], ['SIGINT', 130]] as const) {
      const b = board();
      const p = start(['--root', b.root, '--json', 'balance', '--budget', '2W', '--interval', '50ms', ...LEAVES]);
      await waitFor('two periods', () => ndjson(p).length >= 2 || (p.child.exitCode !== null && (() => { throw new Error(p.err()); })()));
      assert.ok(b.limits().reduce((a, v) => a + Number(v), 0) <= 2_000_000);
      assert.equal(await stop(p, sig), code, p.err());
      assert.deepEqual(b.limits(), BOOT, `after ${sig}`);
      assert.equal(ndjson<PeriodRecord>(p).at(-1)!.reason, 'restore');
    }
  });

  test('another program changes a limit: a warning, the zone released (in the record), left as it was set at the end', async () => {
    const b = board();
    const p = start(['--root', b.root, '--json', 'balance', '--budget', '2.5W', '--interval', '50ms', ...LEAVES]);
    await waitFor('two periods', () => ndjson(p).length >= 2);
    fs.writeFileSync(b.limitFile('dtpm:0:0:2'), '400000\n');
    await waitFor('the change to be noticed', () => ndjson<PeriodRecord>(p).some((r) => r.events.some((e) => e.kind === 'external-change')));
    await waitFor('a period after it', () => ndjson<PeriodRecord>(p).at(-1)!.zones[2]!.state === 'released');
    assert.equal(await stop(p), 0, p.err());
    assert.match(p.err(), /warning: dtpm:0:0:2: its limit was changed by another program \([0-9.]+ m?W expected, 400 mW found\): no longer managed/);
    const recs = ndjson<PeriodRecord>(p);
    const after = recs.filter((r) => r.reason !== 'restore' && r.zones[2]!.state === 'released');
    // released: never written again, and its limit counts against the budget of the others
    assert.ok(after.every((r) => r.writes.every((w) => w.id !== 'dtpm:0:0:2') && r.budget.availableUw === 2_100_000));
    assert.deepEqual(b.limits(), [BOOT[0], BOOT[1], '400000']);
  });

  test('--report FILE: rewritten atomically each period (schema/balance-report.schema.json)', () => {
    const b = board();
    const report = path.join(s.tempDir(), 'node-power.json');
    const r = run(['--root', b.root, 'balance', '--budget', '2.5W', '--interval', '100ms', '--duration', '200ms', '--report', report, ...LEAVES]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    assert.equal(validate(schemaOf('balance-report'), doc), null);
    assert.equal(doc.budgetUw, 2_500_000);
    assert.deepEqual(doc.zones.map((z: { limitUw: number }) => String(z.limitUw)), BOOT, 'the last report: the limits restored');
    assert.deepEqual(fs.readdirSync(path.dirname(report)), ['node-power.json'], 'no temporary file left');
  });

  test('--budget-file: followed each period, lowered first; missing or lapsed, the last good budget (never raised by a stale file)', async () => {
    const b = board();
    const dir = s.tempDir();
    const file = path.join(dir, 'budget.yaml');
    const put = (text: string) => { fs.writeFileSync(`${file}.tmp`, text); fs.renameSync(`${file}.tmp`, file); };
    put('budget: 2.5W\n');
    const p = start(['--root', b.root, '--json', 'balance', '--budget-file', file, '--fallback-budget', '2W', '--interval', '50ms', ...LEAVES]);
    const recs = () => ndjson<PeriodRecord>(p);
    await waitFor('the first period', () => recs().length >= 1);
    assert.equal(recs()[0]!.budget.origin, 'file');
    put('budget: 1.5W\n');
    await waitFor('1.5 W followed', () => recs().some((r) => r.budget.budgetUw === 1_500_000));
    const at = recs().find((r) => r.budget.budgetUw === 1_500_000)!;
    assert.equal(at.reason, 'budget');
    assert.ok(at.sumLimitsUw <= 1_500_000);
    fs.rmSync(file);
    await waitFor('the missing file', () => recs().some((r) => r.budget.problem?.kind === 'missing'));
    const missing = recs().find((r) => r.budget.problem?.kind === 'missing')!;
    // the fallback (2 W) is higher than the last good 1.5 W: the last good one stays
    assert.equal(missing.budget.budgetUw, 1_500_000);
    assert.equal(missing.budget.origin, 'last-good');
    put('budget: 3W\nuntil: 2001-01-01T00:00:00Z\n');
    await waitFor('the lapsed file', () => recs().some((r) => r.budget.problem?.kind === 'lapsed'));
    assert.ok(recs().filter((r) => r.reason !== 'restore').every((r) => r.budget.budgetUw <= 2_500_000));
    put('budget: 1W\n');
    await waitFor('1 W followed', () => recs().some((r) => r.budget.budgetUw === 1_000_000 && r.budget.origin === 'file'));
    assert.equal(await stop(p), 0, p.err());
    assert.match(p.err(), /warning: the budget file .*budget\.yaml is missing .*following the last good budget, 1\.5 W/);
    assert.match(p.err(), /warning: the budget file .*budget\.yaml has lapsed \(its until: 2001-01-01T00:00:00Z has passed\)/);
    assert.match(p.err(), /warning: the budget file .*budget\.yaml is followed again: 1 W/);
    assert.deepEqual(b.limits(), BOOT);
  });

  test('--min: a floor above the zone\'s own minimum, counted in the total minimum', () => {
    const b = board();
    const r = run(['--root', b.root, '--json', 'balance', '--budget', '2W', '--interval', '100ms', '--duration', '100ms', '--min', 'cpu0-cpufreq=500mW', '--weight', 'ff9a0000.gpu=3', ...LEAVES]);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as PeriodRecord;
    assert.ok(first.budget.minimumUw > 712_596 && first.zones[0]!.newLimitUw! >= 500_000, JSON.stringify(first.budget));
  });
});

describe('govern: the thermal zone and the target', () => {
  const thermal = (tempMc: number) => {
    const dir = s.tempDir();
    writeThermal(dir, [{ type: 'soc-therm', tempMc: 40000 }, { type: 'skin-therm', tempMc }]);
    return dir;
  };
  test('a thermal zone that does not exist: exit 3, naming those there are', () => {
    refused(['govern', '--thermal-root', thermal(30000), '--thermal-zone', 'case-therm', '--target', '45C', ...LEAVES], 3, /no thermal zone 'case-therm'/);
    const r = run(['--root', board().root, 'govern', '--thermal-root', thermal(30000), '--thermal-zone', 'case-therm', '--target', '45C', ...LEAVES]);
    assert.match(r.stderr, /thermal zones here: soc-therm \(0\), skin-therm \(1\)/);
    refused(['govern', '--thermal-root', path.join(s.tempDir(), 'none'), '--thermal-zone', 'skin-therm', '--target', '45C', ...LEAVES], 3, /no thermal zones/);
  });
  test('a target at or below ambient (the zone\'s temperature at the start stands in for it): exit 2', () => {
    refused(['govern', '--thermal-root', thermal(47500), '--thermal-zone', 'skin-therm', '--target', '45C', ...LEAVES], 2,
      /the target 45\.0 °C is not above skin-therm's temperature now, which stands in for the ambient one \(47\.5 °C\)/);
    const r = run(['--root', board().root, 'govern', '--thermal-root', thermal(47500), '--thermal-zone', 'skin-therm', '--target', '45C', ...LEAVES]);
    assert.match(r.stderr, /--ambient TEMP when the device is warm from its own load/);
    refused(['govern', '--thermal-root', thermal(30000), '--thermal-zone', '1', '--target', '45C', '--ambient', '46C', ...LEAVES], 2, /not above the ambient temperature given \(46\.0 °C\)/);
    refused(['govern', '--thermal-root', thermal(30000), '--thermal-zone', 'skin-therm', '--target', '45C', '--switch-on', '50C', ...LEAVES], 2, /--switch-on 50\.0 °C is not below the target 45\.0 °C/);
    refused(['govern', '--thermal-zone', 'skin-therm', ...LEAVES], 2, /--target is required/);
  });
  test('a run: the budget from the temperature, records with the controller\'s step (schema/govern.schema.json); POWERCAPCTL_THERMAL_ROOT', () => {
    const b = board();
    const dir = thermal(30000);
    const r = run(['--root', b.root, '--json', 'govern', '--thermal-zone', 'skin-therm', '--target', '45C', '--sustainable-power', '2W',
      '--switch-on', '35C', '--interval', '100ms', '--duration', '300ms', ...LEAVES], { env: { POWERCAPCTL_THERMAL_ROOT: dir } });
    assert.equal(r.code, 0, r.stderr);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    for (const rec of recs) assert.equal(validate(schemaOf('govern'), rec), null);
    // 30 °C is below the switch-on temperature: the zones get their maximum, 5.532592 W
    const first = recs[0] as PeriodRecord;
    assert.equal(first.budget.origin, 'govern');
    assert.equal(first.budget.governor!.mode, 'maximum');
    assert.equal(first.budget.budgetUw, 5_532_592);
    fs.writeFileSync(path.join(dir, 'thermal_zone1', 'temp'), '44000\n');
    const hot = run(['--root', b.root, '--json', 'govern', '--thermal-root', dir, '--thermal-zone', 'skin-therm', '--target', '45C', '--sustainable-power', '2W',
      '--interval', '100ms', '--duration', '100ms', '--k-po', '100', '--k-pu', '200', '--k-i', '0', ...LEAVES]);
    assert.equal(hot.code, 0, hot.stderr);
    const g = (JSON.parse(hot.stdout.split('\n')[0]!) as PeriodRecord).budget.governor!;
    // 1 °C under the target: 2 W + k_pu × 1000 m°C / 1024 = 2 W + 195 mW
    assert.equal(g.mode, 'pid');
    assert.deepEqual({ err: g.pid!.err, p: g.pid!.p, budgetUw: g.budgetUw }, { err: 1000, p: 195, budgetUw: 2_195_000 });
    assert.deepEqual(b.limits(), BOOT);
  });
});

describe('the live view on a terminal', { skip: spawnSync('sh', ['-c', 'command -v tmux']).status === 0 ? false : 'needs tmux' }, () => {
  test('the budget and each zone\'s state, power and limit; Ctrl-C gives the screen back, says what was restored, exits 130', async () => {
    const b = board();
    const socket = `powercapctl-balance-${process.pid}`;
    const dir = s.tempDir();
    const exitFile = path.join(dir, 'exit');
    const tmux = (...a: string[]) => spawnSync('tmux', ['-L', socket, ...a], { env: cleanEnv({ TERM: 'xterm-256color' }), encoding: 'utf8' });
    const cmd = `trap : INT; ${[BIN, '--root', b.root, 'balance', '--budget', '2.5W', '--interval', '200ms', ...LEAVES].join(' ')}; echo $? > ${exitFile}; sleep 60`;
    tmux('new-session', '-d', '-s', 'w', '-x', '70', '-y', '16', cmd);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', 'w').stdout;
      await waitFor('the view', () => /cpu4-cpufreq/.test(screen()) && /last writes/.test(screen()));
      const shown = screen();
      assert.match(shown, /^balance · .* · period \d+ every 200 ms · Ctrl-C to stop/m);
      assert.match(shown, /^budget 2\.5 W$/m);
      assert.match(shown, /^ZONE +NAME +STATE +POWER +LIMIT/m);
      assert.match(shown, /^dtpm:0:0:1 +cpu4-cpufreq +slack +566\.6 mW/m);
      assert.match(shown, /^total +864\.7 mW +2\.5 W/m);
      assert.ok(shown.split('\n').every((l) => l.length < 70), 'every line fits');
      tmux('send-keys', '-t', 'w', 'C-c');
      await waitFor('the exit', () => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '');
      assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), '130');
      const after = tmux('capture-pane', '-p', '-t', 'w').stdout;
      assert.match(after, /^balance: [0-9.]+ m?s, 3 writes; restored /m);
      assert.doesNotMatch(after, /ZONE +NAME/, 'the view is gone: the main screen is back');
      assert.deepEqual(b.limits(), BOOT);
    } finally {
      tmux('kill-server');
    }
  });
});

// the laptop fixture: a RAPL package read from energy_uj
test('balance on RAPL energy counters: the first period has no power yet (unknown), the next ones do', () => {
  const t = fixture(intelLaptop);
  s.cleanups.push(t.cleanup);
  const r = run(['--root', t.classRoot, '--json', 'balance', '--budget', '20W', '--interval', '100ms', '--duration', '300ms', '--dry-run', 'intel-rapl:0']);
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PeriodRecord);
  assert.equal(recs[0]!.zones[0]!.state, 'unknown');
  assert.equal(recs[1]!.zones[0]!.powerUw, 0, 'a counter that does not move: 0 W');
  assert.equal(recs[0]!.writes[0]!.toUw, 20_000_000);
});
