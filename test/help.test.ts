/**
 * Help as people meet it: every command and subcommand is described (summary,
 * arguments, options, 2+ examples), `--help` groups the commands, typos get a
 * suggestion, and README's command reference is generated from the same specs.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, ROOT } from './helpers.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { GLOBAL_OPTIONS, GROUP_TITLES, type CommandSpec } from '../src/cli/spec.js';
import { renderCommandReference, README_START, README_END } from '../scripts/gen-docs.js';

/** every spec with its command words, depth first */
function allSpecs(list: readonly CommandSpec[] = COMMANDS, parents: string[] = []): Array<{ words: string[]; spec: CommandSpec }> {
  return list.flatMap((spec) => [{ words: [...parents, spec.name], spec }, ...allSpecs(spec.subcommands ?? [], [...parents, spec.name])]);
}
const visibleSpecs = allSpecs().filter(({ spec }) => !spec.hidden);

describe('every command and subcommand is described', () => {
  for (const { words, spec } of visibleSpecs) {
    const name = words.join(' ');
    test(`${name}: summary, described arguments and options, at least 2 examples`, () => {
      assert.ok(spec.summary.trim().length > 10, `${name}: a one-line summary`);
      assert.ok(!spec.summary.includes('\n'), `${name}: the summary is one line`);
      for (const a of spec.args ?? []) assert.ok(a.description.trim().length > 3, `${name} <${a.name}>: described`);
      for (const o of spec.options ?? []) assert.ok(o.description.trim().length > 3, `${name} ${o.flags}: described`);
      assert.ok(spec.examples.length >= 2, `${name}: ${spec.examples.length} example(s), 2 or 3 wanted`);
      for (const e of spec.examples) {
        assert.match(e.command, /powercapctl|npm /, `${name}: an example is a real command line: ${e.command}`);
        assert.ok(e.description.trim().length > 3, `${name}: example described: ${e.command}`);
      }
    });
  }
  for (const o of GLOBAL_OPTIONS) {
    test(`global ${o.flags} is described`, () => assert.ok(o.description.trim().length > 3));
  }
});

describe('--help output', () => {
  test('powercapctl --help groups the commands: read, write, model, setup', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0, r.stderr);
    const headings = (Object.keys(GROUP_TITLES) as Array<keyof typeof GROUP_TITLES>)
      .filter((g) => COMMANDS.some((c) => c.group === g && !c.hidden))
      .map((g) => ({ g, at: r.stdout.indexOf(`${GROUP_TITLES[g]} commands:`) }));
    for (const h of headings) assert.ok(h.at >= 0, `a "${GROUP_TITLES[h.g]} commands:" heading`);
    assert.deepEqual([...headings].sort((a, b) => a.at - b.at).map((h) => h.g), headings.map((h) => h.g), 'groups in read, write, model, setup order');
    // each command sits under its own group's heading
    for (const c of COMMANDS.filter((x) => !x.hidden)) {
      const at = r.stdout.search(new RegExp(`^  ${c.name}\\b`, 'm'));
      assert.ok(at >= 0, `${c.name} listed`);
      const under = headings.filter((h) => h.at < at).at(-1);
      assert.equal(under?.g, c.group, `${c.name} under ${GROUP_TITLES[c.group]}`);
    }
    for (const c of COMMANDS.filter((x) => x.hidden)) assert.doesNotMatch(r.stdout, new RegExp(`^  ${c.name}\\b`, 'm'), `${c.name} hidden`);
  });

  for (const { words, spec } of visibleSpecs) {
    test(`powercapctl ${words.join(' ')} --help: summary or description, arguments, options with defaults, examples`, () => {
      const r = run([...words, '--help']);
      assert.equal(r.code, 0, r.stderr);
      const flat = r.stdout.replace(/\s+/g, ' ');
      assert.ok(flat.includes(`Usage: powercapctl ${words.join(' ')}`));
      for (const a of spec.args ?? []) assert.ok(flat.includes(a.description.replace(/\s+/g, ' ')), `argument ${a.name} described`);
      for (const o of (spec.options ?? []).filter((x) => !x.hidden)) {
        assert.ok(flat.includes(o.flags), `option ${o.flags}`);
        const def = o.defaultDescription ?? (typeof o.defaultValue === 'string' ? o.defaultValue : undefined);
        if (def !== undefined) assert.ok(flat.includes(`default: ${def}`) || flat.includes(`default: "${def}"`), `${o.flags} shows its default ${def}`);
      }
      if (spec.examples.length) {
        assert.ok(r.stdout.includes('Examples:'));
        for (const e of spec.examples) assert.ok(r.stdout.includes(`$ ${e.command}`), `example ${e.command}`);
      }
    });
  }
});

describe('typos suggest the closest command', () => {
  const suggests = (args: string[], wanted: string) => {
    const r = run(args);
    assert.equal(r.code, 2, `exit 2 for ${args.join(' ')}`);
    assert.match(r.stderr, new RegExp(`Did you mean ${wanted}\\?`), r.stderr);
    assert.equal(r.stdout, '');
  };
  test('top level: lst → list, tre → tree', () => {
    suggests(['lst'], 'list');
    suggests(['tre'], 'tree');
  });
  test('nested: snapshot sav → save, and one typo per command group', () => {
    suggests(['snapshot', 'sav'], 'save');
    for (const { words, spec } of visibleSpecs) {
      const subs = (spec.subcommands ?? []).filter((s) => !s.hidden && s.name.length >= 2);
      if (!subs.length) continue;
      const target = subs[0]!;
      const others = subs.slice(1).map((s) => s.name);
      const typo = target.name + target.name.at(-1); // `model emm` for `model em`
      if (others.includes(typo)) continue;
      suggests([...words, typo], target.name);
    }
  });
  test('options: --jsn → --json', () => suggests(['list', '--jsn'], '--json'));
});

describe('README command reference', () => {
  test('the region between the markers is what the specs generate (npm run gen)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    assert.ok(start >= 0 && end > start, 'markers present');
    assert.equal(readme.slice(start + README_START.length + 1, end), renderCommandReference(), 'stale: run `npm run gen`');
  });
  test('it names every visible command and subcommand with its usage line', () => {
    const region = renderCommandReference();
    for (const { words } of visibleSpecs) assert.ok(region.includes(`\`${words.join(' ')}\``), words.join(' '));
    assert.ok(!region.includes('`start`'), 'hidden commands stay out');
  });
});

describe('no command', () => {
  test('`powercapctl` and a group without its subcommand: the help on stderr, exit 2 (a usage error); asked for, help is on stdout, exit 0', () => {
    for (const args of [[], ['model'], ['persist']]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Usage: powercapctl/);
    }
    for (const args of [['--help'], ['help'], ['model', '--help'], ['help', 'model']]) {
      const r = run(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: powercapctl/);
    }
  });
});
