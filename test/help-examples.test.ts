/**
 * Every `$ powercapctl …` example of every help page runs and exits 0, as a reader on a laptop
 * would follow them: each page's examples in the order printed, in a fresh folder holding a copy
 * of examples/, with POWERCAPCTL_ROOT a writable copy of the laptop fixture tree, an empty
 * energy-model root, HOME a fresh folder, and `sudo` a no-op. Examples that write into the
 * system (a folder this machine lacks or must not be touched by a test: /var/lib, /etc,
 * /sys/kernel/config, systemd units without --root-dir) or that need a person at a terminal
 * (the wizard, tested in tmux by test/wizard.test.ts) or that serve until stopped (the exporter,
 * tested by test/exporter.test.ts; balance, govern and sim --serve, by test/balance-cmd.test.ts and
 * test/sim-serve.test.ts) are listed as exempt, with the reason.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, EXAMPLES, ISOLATED, fixture } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { intelLaptop } from './fixtures/specs.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { TOP_EXAMPLES } from '../src/cli/program.js';
import type { CommandSpec } from '../src/cli/spec.js';
import { buildWatchExample } from '../scripts/build-examples.js';

/** why an example is not run; anything else must exit 0 */
export function exemption(command: string): string | null {
  if (/\/var\/lib\/|\/sys\/kernel\/config|\/etc\//.test(command)) return 'writes into a system folder';
  if (/\bpersist (install|remove)\b/.test(command) && !command.includes('--root-dir')) return 'installs systemd units on this machine';
  if (/\bgrant-read\b/.test(command) && !command.includes('--root-dir')) return 'installs a udev rule on this machine';
  if (/\bwizard\b/.test(command)) return 'interactive: needs a person at a terminal (test/wizard.test.ts runs it in tmux)';
  if (/\bexporter\b/.test(command)) return 'a server that runs until stopped (test/exporter.test.ts starts and stops it)';
  if (/\bpowercapctl(?: --root \S+)? (balance|govern)\b/.test(command) && !/--duration\b/.test(command)) return 'runs until stopped, on DTPM or a thermal zone this fixture lacks (test/balance-cmd.test.ts starts and stops it)';
  if (/\bpowercapctl sim\b.*--serve\b/.test(command)) return 'serves a plant until stopped (test/sim-serve.test.ts starts and stops it)';
  return null;
}

interface Page { page: string; examples: string[] }
function pages(): Page[] {
  const out: Page[] = [{ page: '(top level)', examples: TOP_EXAMPLES.map((e) => e.command) }];
  const walk = (list: readonly CommandSpec[], parents: string[]) => {
    for (const c of list) {
      if (c.hidden) continue;
      const words = [...parents, c.name];
      out.push({ page: words.join(' '), examples: c.examples.map((e) => e.command) });
      walk(c.subcommands ?? [], words);
    }
  };
  walk(COMMANDS, []);
  return out;
}

const cleanups: Array<() => void> = [];
after(() => { for (const c of cleanups) c(); });

/** a PATH folder with `powercapctl` (the built binary) and a `sudo` that runs its arguments */
const binDir = (() => {
  const d = makeTempDir();
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.symlinkSync(BIN, path.join(d, 'powercapctl'));
  fs.writeFileSync(path.join(d, 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
  return d;
})();

describe('every help example runs and exits 0', () => {
  for (const { page, examples } of pages()) {
    if (!examples.length) continue;
    test(`${page}: ${examples.length} example(s), in order`, () => {
      const dir = makeTempDir();
      const home = path.join(dir, 'home');
      fs.mkdirSync(home);
      fs.cpSync(EXAMPLES, path.join(dir, 'examples'), { recursive: true });
      const live = fixture(intelLaptop);
      cleanups.push(() => { live.cleanup(); fs.rmSync(dir, { recursive: true, force: true }); });
      const env = {
        PATH: `${binDir}:${process.env.PATH}`, HOME: home, LANG: 'C.UTF-8',
        POWERCAPCTL_ROOT: live.classRoot, POWERCAPCTL_EM_ROOT: ISOLATED.emRoot,
      };
      for (const command of examples) {
        if (exemption(command)) continue;
        const r = spawnSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8', timeout: 30000, input: '' });
        assert.equal(r.status, 0, `${page}: \`${command}\` exited ${r.status}\n${r.stderr}${r.stdout.slice(0, 400)}`);
      }
    });
  }
  test('the exemptions are few and each names its reason', () => {
    const all = pages().flatMap((p) => p.examples);
    const exempt = all.filter((c) => exemption(c) !== null);
    assert.ok(exempt.length <= all.length / 5, `${exempt.length} of ${all.length} exempt:\n${exempt.join('\n')}`);
  });
});

describe('the bundled recording', () => {
  test('examples/watch-laptop.json is what scripts/build-examples.ts builds (npm run examples)', () => {
    assert.equal(fs.readFileSync(path.join(EXAMPLES, 'watch-laptop.json'), 'utf8'), buildWatchExample());
  });
  test('it replays: one minute of the laptop, idle then a build near the 15 W MMIO limit', () => {
    const r = spawnSync(BIN, ['--snapshot', path.join(EXAMPLES, 'watch-laptop.json'), 'watch', '--speed', '0', '--json', 'intel-rapl-mmio:0'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, POWERCAPCTL_ROOT: ISOLATED.root, POWERCAPCTL_EM_ROOT: ISOLATED.emRoot } });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.zone === 'intel-rapl-mmio:0');
    assert.equal(rows.length, 60);
    assert.equal(rows[0].time, '2026-11-01T12:00:01.000Z');
    const busy = rows[20].powerUw / 1e6;
    assert.ok(busy > 14 && busy < 16, `busy ${busy} W`);
    assert.ok(rows[0].powerUw / 1e6 < 5, 'idle first');
  });
});
