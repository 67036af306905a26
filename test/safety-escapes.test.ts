/**
 * Terminal escapes from a source never reach the terminal raw: an ESC, BEL or bidi override in a
 * zone name, a constraint name or an invalid value (in a snapshot or a sysfs tree) is shown as
 * `\x1b`, `\x07`, `\u202e` by list, tree, tsv, csv, errors and warnings.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, example, fixture } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';

const dir = makeTempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const NAME = 'pkg\x1b]0;retitled\x07\x1b[2J\x1b[30;40mhidden\u202eevil';
const SHOWN = 'pkg\\x1b]0;retitled\\x07\\x1b[2J\\x1b[30;40mhidden\\u202eevil';

function escSnapshot(): string {
  const doc = JSON.parse(fs.readFileSync(example('intel-laptop'), 'utf8'));
  const z = doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'];
  z.attrs.name = NAME + '\n';
  z.attrs.constraint_0_name = 'long\x1b[8m_term\n';
  z.attrs.constraint_1_power_limit_uw = '12\x1bc\n';
  const f = path.join(dir, 'esc.json');
  fs.writeFileSync(f, JSON.stringify(doc));
  return f;
}
const SNAP = escSnapshot();

/** what remains once the palette's own colour codes are set aside: no ESC, BEL, CR or bidi override */
function assertClean(s: string, what: string): void {
  const bare = s.replace(/\x1b\[(0|1|2|4|22|24|31|32|33|35|36|39)m/g, '');
  assert.doesNotMatch(bare, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, `${what}: a raw control character:\n${JSON.stringify(bare)}`);
}

describe('a snapshot with escapes in names and values', () => {
  const cases: Array<[string, string[]]> = [
    ['list', ['list']],
    ['list --format tsv', ['list', '--format', 'tsv']],
    ['list --format csv', ['list', '--format', 'csv']],
    ['tree', ['tree']],
    ['set-limit error', ['set-limit', 'intel-rapl:0', '5W']],
    ['set-limit unknown zone', ['set-limit', `intel-rapl:\x1b[2J`, '5W']],
  ];
  for (const [name, args] of cases) {
    test(name, () => {
      const r = run(['--snapshot', SNAP, ...args]);
      assert.ok(r.code === 0 || (r.code! >= 2 && r.code! <= 6), `exit ${r.code}: ${r.stderr}`);
      assertClean(r.stdout, 'stdout');
      assertClean(r.stderr, 'stderr');
      if (name !== 'set-limit unknown zone') assert.ok((r.stdout + r.stderr).includes(SHOWN), `the name shown escaped:\n${r.stdout}${r.stderr}`);
    });
  }
  test('the warning about an invalid value shows it escaped', () => {
    const r = run(['--snapshot', SNAP, 'list']);
    assert.match(r.stderr, /holds '12\\x1bc', not a value the kernel writes/);
    assert.match(r.stdout, /long\\x1b\[8m_term/);
  });
  test('--json keeps the text exact (JSON escapes it)', () => {
    const r = run(['--snapshot', SNAP, 'list', '--json']);
    assert.equal(r.json().zones[0].name, NAME);
  });
});

test('a sysfs tree with an escape in a zone name', () => {
  const t = fixture(intelLaptop);
  after(t.cleanup);
  fs.writeFileSync(path.join(t.classRoot, 'intel-rapl:0', 'name'), 'pkg\x1b]2;x\x07\n');
  for (const args of [['list'], ['tree'], ['list', '--format', 'csv']]) {
    const r = run(['--root', t.classRoot, ...args]);
    assert.equal(r.code, 0, r.stderr);
    assertClean(r.stdout + r.stderr, args.join(' '));
    assert.ok(r.stdout.includes('pkg\\x1b]2;x\\x07'));
  }
});
