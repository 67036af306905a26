/**
 * A test that runs a real program (tmux, zsh, chromium, …) is skipped where the program is
 * missing, with one line naming its Debian package; the run ends with the list and the command
 * installing it all; under POWERCAPCTL_TEST_REQUIRE_TOOLS=1 (.ci/run) the same test fails instead.
 * Checked on a small test file run by `node --test` with the suite's reporter, as `npm test` runs it.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, TOOLS, toolPath } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { REQUIRE_TOOLS, packagesOf, missingReason } from './tools.js';
import { skippedSummary } from './reporter.js';

const dir = makeTempDir('powercapctl-tools-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const helpers = pathToFileURL(path.join(ROOT, 'dist/test/helpers.js')).href;
const file = path.join(dir, 'needs.test.mjs');
fs.writeFileSync(file, `import { test, describe } from 'node:test';
import { requireTool } from ${JSON.stringify(helpers)};
const ghost = { command: 'powercapctl-no-such-tool', package: 'powercapctl-no-such-package' };
const sh = { command: 'sh', package: 'dash' };
test('with sh', requireTool(sh), () => {});
test('with the missing one', requireTool(ghost), () => { throw new Error('ran without its tool'); });
describe('a group needing sh and the missing one', requireTool(sh, ghost), () => {
  test('inside', () => { throw new Error('ran without its tool'); });
});
`);

const PACKAGE_SCRIPT = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.test as string;
/** the reporter option of `npm test`, run on the file above */
function runSuite(env: Record<string, string> = {}) {
  const reporter = /--test-reporter=(\S+)/.exec(PACKAGE_SCRIPT)![1]!;
  const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...env };
  const r = spawnSync(process.execPath, ['--test', `--test-reporter=${path.resolve(ROOT, reporter)}`, file], { cwd: ROOT, env: e, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout.replace(/\x1b\[[0-9;]*m/g, '') };
}

describe('a missing program', () => {
  test('skips the test with one line naming its package; the run passes and ends with the install command', () => {
    const r = runSuite();
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /✔ with sh/);
    assert.match(r.out, /^﹣ with the missing one \([\d.]+ms\) # powercapctl-no-such-tool is not installed \(Debian package powercapctl-no-such-package\)$/m);
    assert.match(r.out, /^﹣ a group needing sh and the missing one \([\d.]+ms\) # powercapctl-no-such-tool is not installed \(Debian package powercapctl-no-such-package\)$/m);
    assert.doesNotMatch(r.out, /ran without its tool/);
    // the run ends with the list (pinned line by line below): the two skips, one package
    const ghost = 'powercapctl-no-such-tool is not installed (Debian package powercapctl-no-such-package)';
    assert.ok(r.out.endsWith(skippedSummary([ghost, ghost], false)), r.out);
    assert.match(r.out, /install them \(as root\): apt-get install -y powercapctl-no-such-package\n.*fails the run instead\)\n$/);
  });

  test(`under ${REQUIRE_TOOLS}=1 fails the run, naming the package and the command installing it`, () => {
    const r = runSuite({ [REQUIRE_TOOLS]: '1' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /✔ with sh/);
    assert.match(r.out, /✖ powercapctl-no-such-tool is not installed \(Debian package powercapctl-no-such-package\)/);
    assert.match(r.out, new RegExp(`${REQUIRE_TOOLS}=1 requires it: apt-get install -y powercapctl-no-such-package`));
    assert.doesNotMatch(r.out, /ran without its tool/);
    assert.match(r.out, /install them \(as root\): apt-get install -y powercapctl-no-such-package\n$/);
  });
});

describe('the list at the end', () => {
  test('groups skips by reason, names each package once, and says nothing when nothing was skipped', () => {
    const zsh = missingReason([TOOLS.zsh]);
    const both = missingReason([TOOLS.prometheus, TOOLS.promtool]);
    assert.equal(both, 'prometheus is not installed (Debian package prometheus); promtool is not installed (Debian package prometheus)');
    assert.deepEqual(packagesOf(both), ['prometheus', 'prometheus']);
    assert.deepEqual(packagesOf('needs root to run as nobody'), []);
    assert.equal(skippedSummary([zsh, 'needs root to run as nobody', zsh, both], false), [
      '',
      'skipped, by reason (a skipped group of tests counts once):',
      '    2 × zsh is not installed (Debian package zsh)',
      '    1 × needs root to run as nobody',
      '    1 × prometheus is not installed (Debian package prometheus); promtool is not installed (Debian package prometheus)',
      'to run the tests skipped for a missing program, install them (as root): apt-get install -y prometheus zsh',
      `(with ${REQUIRE_TOOLS}=1, as .ci/run sets it, a missing program fails the run instead)`,
      '',
    ].join('\n'));
    assert.equal(skippedSummary([], false), '');
    assert.doesNotMatch(skippedSummary([zsh], true), /fails the run instead/);
  });

  test('a program is looked up on PATH as the shell would, under each of its names', () => {
    assert.equal(toolPath({ command: 'powercapctl-no-such-tool', package: 'x' }), undefined);
    assert.equal(toolPath({ command: 'powercapctl-no-such-tool-2', or: ['sh'], package: 'x' }), spawnSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).stdout.trim());
  });
});

describe('.ci/run', () => {
  const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  test('installs the package of every program the suite runs, and makes a missing one fail the run', () => {
    for (const t of Object.values(TOOLS)) assert.match(ci, new RegExp(`[ (]${t.package.replace(/[.+]/g, '\\$&')}[ )\\n]`), `.ci/run installs ${t.package} (for ${t.command})`);
    assert.match(ci, new RegExp(`^export ${REQUIRE_TOOLS}=1$`, 'm'));
    assert.match(ci, /^npm ci && npm test$/m);
  });
});
