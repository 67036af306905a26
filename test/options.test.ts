/**
 * Options declared as data (spec.ts: value, required, conflicts, requires) are checked and parsed
 * in one place (cli/options.ts) before a runner runs: the runner receives typed values, and every
 * refusal is a usage error (exit 2) naming the option.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyOptionSpecs, optionNames } from '../src/cli/options.js';
import type { OptionSpec } from '../src/cli/spec.js';
import { count, duration, power, temperature } from '../src/cli/option-values.js';
import { PowercapError } from '../src/core/errors.js';
import { run, example } from './helpers.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import type { CommandSpec } from '../src/cli/spec.js';

const usage = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof PowercapError && e.exitCode === 2 && re.test(e.message));

const SPECS: OptionSpec[] = [
  { flags: '-b, --budget <power>', description: '', value: power, required: { hint: 'e.g. --budget 3W' } },
  { flags: '-n, --count <n>', description: '', value: count, conflicts: { options: ['duration'] } },
  { flags: '-d, --duration <duration>', description: '', value: duration() },
  { flags: '--static-table <file>', description: '', requires: { options: ['temp'] } },
  { flags: '-t, --temp <temperature>', description: '', value: temperature },
  { flags: '--off <name=power>', description: '', repeatable: true },
];

describe('option specs', () => {
  test('names: commander\'s keys from the long flag', () => {
    assert.deepEqual(optionNames('-w, --time-window <duration>'), { long: 'time-window', key: 'timeWindow' });
    assert.deepEqual(optionNames('--no-color'), { long: 'no-color', key: 'color' });
  });
  test('values arrive parsed: power and duration as bigints, counts and temperatures as numbers', () => {
    const o = applyOptionSpecs(SPECS, { budget: '1.5W', duration: '2.5s', temp: '55C', off: ['a=1W'] });
    assert.deepEqual(o, { budget: 1_500_000n, duration: 2_500_000n, temp: 55_000, off: ['a=1W'] });
    assert.equal(applyOptionSpecs(SPECS, { budget: '1W', count: '10' }).count, 10);
  });
  test('a bad value, a missing required option, a conflict and a missing companion are usage errors', () => {
    usage(() => applyOptionSpecs(SPECS, { budget: '3' }), /^--budget 3: invalid power '3': a unit is required/);
    usage(() => applyOptionSpecs(SPECS, {}), /^--budget is required$/);
    usage(() => applyOptionSpecs(SPECS, { budget: '1W', count: '0' }), /^--count 0: not a positive whole number/);
    usage(() => applyOptionSpecs(SPECS, { budget: '1W', count: '3', duration: '1s' }), /^--count: not with --duration$/);
    usage(() => applyOptionSpecs(SPECS, { budget: '1W', staticTable: 'x.csv' }), /^--static-table needs --temp$/);
  });
  test('the commands declare theirs: exit 2 with the declared message, before anything is read', () => {
    const cases: Array<[string[], RegExp]> = [
      [['model', 'budget', '-b', '1W', '-a', 'a:1W:2W', '--zone', 'package'], /--actor gives the actors: not with --zone/],
      [['model', 'budget', '-a', 'a:1W:2W'], /--budget is required\n  e\.g\. --budget 3W/],
      [['model', 'power', '-C', '100', '--freq', '1GHz', '--voltage', '900mV', '--static-table', 'leak.csv'], /--static-table needs --temp/],
      [['model', 'em', '--dts', 'a.dts', '--opp-file', 'b.csv'], /--dts and --opp-file are two tables: give one/],
      [['model', 'em', '--table', 'cpu_b0', '--opp-file', 'b.csv'], /--table chooses a table of a --dts file\n  add --dts FILE/],
      [['--snapshot', example('rk3399-dtpm'), 'create-node', 'x', '--device', '--virtual'], /--device and --virtual exclude each other/],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    }
  });
});

/**
 * Every option that takes a typed value (a power, a duration, a number, a choice…: a parser that
 * is not free text) refuses `zzz` with exit 2, naming the option and the value, on every command
 * that declares one: the value never reaches a runner to be ignored.
 */
describe('every typed option refuses a bad value', () => {
  const paths: Array<{ path: string[]; spec: CommandSpec }> = [];
  const walk = (list: readonly CommandSpec[], prefix: string[]) => {
    for (const c of list) {
      if (c.load) paths.push({ path: [...prefix, c.name], spec: c });
      walk(c.subcommands ?? [], [...prefix, c.name]);
    }
  };
  walk(COMMANDS, []);
  for (const { path: words, spec } of paths) {
    const typed = (spec.options ?? []).filter((o) => o.value !== undefined && !o.value.free);
    if (typed.length === 0) continue;
    test(`${words.join(' ')}: ${typed.map((o) => optionNames(o.flags).long).join(', ')}`, () => {
      for (const o of typed) {
        const { long } = optionNames(o.flags);
        const source = o.source === 'snapshot' || spec.source === 'snapshot' ? ['--snapshot', example('intel-laptop')] : [];
        const args = (spec.args ?? []).filter((a) => a.required).map((a) => a.value?.example ?? 'x');
        const required = (spec.options ?? []).filter((r) => r.required && r !== o).flatMap((r) => [`--${optionNames(r.flags).long}`, r.value?.example ?? 'x']);
        const r = run([...source, ...words, ...args, ...required, `--${long}`, 'zzz']);
        assert.equal(r.code, 2, `${words.join(' ')} --${long} zzz: exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`--${long}`), `${words.join(' ')} --${long} zzz: ${r.stderr}`);
        assert.match(r.stderr, /zzz/);
        assert.ok(r.stderr.trim().split('\n').length <= 2, `one or two lines: ${r.stderr}`);
      }
    });
  }
});
