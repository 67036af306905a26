/**
 * What a new user trips over in the help and the numbers: `help model em`, `help nonexist`,
 * conflicting output options, a help that fits 80 columns, bare seconds for intervals, one
 * word for a DTPM node never limited, and values printed with the precision that tells them
 * apart (through core/units.ts).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, example, fixture } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';

const laptop = fixture(intelLaptop);
after(() => laptop.cleanup());
const RK = example('rk3399-dtpm');

describe('help', () => {
  test('help model em shows model em\'s help, not model\'s', () => {
    const r = run(['help', 'model', 'em']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: powercapctl model em /);
    assert.equal(r.stdout, run(['model', 'em', '--help']).stdout);
  });
  test('help of an unknown command exits 2 naming the commands; a typo below a group gets a suggestion', () => {
    const r = run(['help', 'nonexist']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no command 'nonexist'\n  commands: list, tree, set-limit/);
    const sub = run(['help', 'model', 'emm']);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /no command 'model emm'.*did you mean em\?/s);
  });
  test('the top-level help fits 80 columns (not a terminal) and lists help [command...]', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    const long = r.stdout.split('\n').filter((l) => l.length > 80);
    assert.deepEqual(long, []);
    assert.match(r.stdout, /help \[command\.\.\.\]/);
    assert.match(r.stdout, /\$ sudo powercapctl set-limit package-0 25W/);
  });
  test('--format with --json is a usage error, not a silent choice', () => {
    const r = run(['--snapshot', example('intel-laptop'), 'list', '--format', 'csv', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--format and --json both choose the output: give one/);
    // the default format is not a conflict
    assert.equal(run(['--snapshot', example('intel-laptop'), 'list', '--json']).code, 0);
  });
});

describe('units', () => {
  test('an interval takes bare seconds (watch -i 1); a power does not (set-limit 15)', () => {
    const r = run(['--root', laptop.classRoot, 'watch', '-i', '0.2', '-n', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout.split('\n')[0]!);
    assert.ok(Math.abs(row.intervalUs - 200000) < 50000, `interval ${row.intervalUs} µs`);
    assert.match(row.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const p = run(['--snapshot', example('intel-laptop'), 'set-limit', 'intel-rapl:0', '15', '-n']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /a unit is required/);
  });
  test('a DTPM node not limited since boot reads "not limited" in list and tree alike', () => {
    const list = run(['--snapshot', RK, 'list']);
    const tree = run(['--snapshot', RK, 'tree']);
    assert.match(list.stdout, /dtpm:0 +rk3399 .*Instantaneous not limited \(max 5\.533 W\)/);
    assert.match(tree.stdout, /rk3399  dtpm:0 .* not limited /);
    assert.doesNotMatch(tree.stdout + list.stdout, /limit none|Instantaneous 0 W/);
  });
  test('model em: every column has a header; model budget: 3 W, not 3.000 W', () => {
    const em = run(['--snapshot', RK, 'model', 'em', '-d', 'cpu4']).stdout.split('\n');
    const head = em[1]!.trim().split(/\s{2,}/);
    const row = em[2]!.trim().split(/\s{2,}/);
    assert.equal(head.length, row.length, `${em[1]}\n${em[2]}`);
    assert.ok(head.includes('POWER'));
    const budget = run(['--snapshot', RK, 'model', 'budget', '-b', '3W']);
    assert.equal(budget.code, 0, budget.stderr);
    assert.match(budget.stdout, /^budget 3 W over dtpm:0 rk3399: requests 864\.719 mW; IPA grants 3 W, DTPM applies 2\.645 W/);
  });
  test('notes print watts, not raw µW', () => {
    const r = run(['--snapshot', RK, 'model', 'cap', '--zone', 'package', '--limit', '100mW']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /package: 100 mW is outside 712\.596 mW–5\.533 W: the kernel clamps it to 712\.596 mW/);
    assert.doesNotMatch(r.stderr, /712596 µW/);
  });
});
