/**
 * Man pages: powercapctl.1 and one page per command, generated from the same specs as the help
 * and README (scripts/gen-docs.ts, `npm run gen`; test/completion.test.ts fails when stale),
 * listed in package.json "man", each rendered by groff without a warning.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, requireTool, TOOLS } from './helpers.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { manPages } from '../scripts/gen-docs.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('man pages', () => {
  test('one page per visible command plus powercapctl.1, all in package.json "man" and "files"', () => {
    const want = ['man/powercapctl.1', ...COMMANDS.filter((c) => !c.hidden).map((c) => `man/powercapctl-${c.name}.1`)];
    assert.deepEqual([...manPages().keys()].sort(), [...want].sort());
    assert.deepEqual([...pkg.man].sort(), [...want].sort());
    assert.ok(pkg.files.includes('man'));
    for (const rel of want) assert.equal(fs.readFileSync(path.join(ROOT, rel), 'utf8'), manPages().get(rel), `${rel} is stale: npm run gen`);
  });

  test('each renders with groff (-ww: every warning) and says nothing on stderr', requireTool(TOOLS.groff), () => {
    for (const rel of pkg.man as string[]) {
      const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', path.join(ROOT, rel)], { encoding: 'utf8' });
      assert.equal(r.status, 0, rel);
      assert.equal(r.stderr, '', `${rel}: ${r.stderr}`);
      assert.match(r.stdout.replace(/.\x08/g, ''), /NAME/);
    }
  });

  test('man -l shows set-limit\'s page with its options and examples, as the help does', requireTool(TOOLS.man, TOOLS.groff), () => {
    const man = spawnSync('man', ['-l', path.join(ROOT, 'man/powercapctl-set-limit.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' } });
    assert.ok(!man.error, man.error?.message);
    assert.equal(man.status, 0, man.stderr);
    const text = man.stdout.replace(/.\x08/g, '');
    assert.match(text, /powercapctl-set-limit - set a power limit/);
    assert.match(text, /--only <type>/);
    assert.match(text, /\$ sudo powercapctl set-limit package-0 25W/);
  });

  test('sections as man-pages(7) has them: SYNOPSIS holds the usage lines only, then DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS with 128+N', requireTool(TOOLS.man, TOOLS.groff), () => {
    const man = spawnSync('man', ['-l', path.join(ROOT, 'man/powercapctl-set-limit.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MANPAGER: 'cat', PAGER: 'cat' } });
    assert.ok(!man.error, man.error?.message);
    const text = man.stdout.replace(/.\x08/g, '');
    const sections = [...text.matchAll(/^([A-Z][A-Z ]+)$/gm)].map((m) => m[1]!.trim());
    assert.deepEqual(sections.filter((x) => !/^POWERCAPCTL/.test(x)), ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXAMPLES', 'GLOBAL OPTIONS', 'EXIT STATUS', 'SEE ALSO']);
    const synopsis = text.slice(text.indexOf('SYNOPSIS'), text.indexOf('DESCRIPTION')).trim().split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
    assert.deepEqual(synopsis, ['powercapctl set-limit [options] <zone> [power...]']);
    const flat = text.replace(/\s+/g, ' ');
    assert.match(flat, /EXIT STATUS 0 done, 1 failed, 2 usage[^]*128\+N interrupted by signal N \(130 Ctrl-C, 143 SIGTERM\)/);
    assert.doesNotMatch(text, /130 interrupted\./);
    // a group: every subcommand's usage in the synopsis, each subcommand's options in its own section
    const model = spawnSync('man', ['-l', path.join(ROOT, 'man/powercapctl-model.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MANPAGER: 'cat', PAGER: 'cat' } }).stdout.replace(/.\x08/g, '');
    const msyn = model.slice(model.indexOf('SYNOPSIS'), model.indexOf('DESCRIPTION'));
    for (const sub of ['em', 'power', 'energy', 'cap', 'budget', 'idle']) assert.match(msyn, new RegExp(`powercapctl model ${sub} \\[options\\]`));
    assert.match(model, /COMMANDS[^]*model cap[^]*Options:[^]*--limit <power>[^]*EXAMPLES/);
  });
});
