/**
 * Terminal escapes from a source never reach the terminal raw: a CSI or OSC sequence, a CR, DEL,
 * C1 control or bidi override in a zone name, a constraint name or an invalid value (in a snapshot,
 * a recording or a sysfs tree) is shown as `\x1b`, `\x0d`, `\u202e` by list (table, csv, tsv),
 * tree, set-limit (plan, result, rollback), watch (table, NDJSON, CSV, Prometheus text), errors and
 * warnings, with colour forced too: the only escape sequences printed are the palette's colours.
 * `--json` keeps the exact text (JSON escapes it; DEL, C1 and bidi controls as \u escapes).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chalk } from 'chalk';
import { run, example, fixture } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { csvField, jsonVisible, terminalSafe, tsvField, visible } from '../src/cli/visible.js';
import { palette } from '../src/cli/color.js';

const dir = makeTempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** red (a code the palette uses too), clear screen, hidden text, a retitle, CR, DEL, C1 CSI, bidi */
const NAME = 'pkg\x1b[31mred\x1b[2Jclr\x1b[8mhid\x1b]0;title\x07osc\rcr\x7fdel\x9bcsi\u202eevil\u2066iso';
const SHOWN = 'pkg\\x1b[31mred\\x1b[2Jclr\\x1b[8mhid\\x1b]0;title\\x07osc\\x0dcr\\x7fdel\\x9bcsi\\u202eevil\\u2066iso';
const CNAME = 'long\x1b[31m_\x1b[8mterm\r\x7f';
const CSHOWN = 'long\\x1b[31m_\\x1b[8mterm\\x0d\\x7f';

function writeJson(name: string, doc: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(doc));
  return f;
}

/** intel-laptop: package-0 and its first subzone named NAME, its long_term named CNAME, an invalid value */
function escSnapshot(): string {
  const doc = JSON.parse(fs.readFileSync(example('intel-laptop'), 'utf8'));
  const z = doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'];
  z.attrs.name = NAME + '\n';
  z.attrs.constraint_0_name = CNAME + '\n';
  z.attrs.constraint_1_power_limit_uw = '12\x1bc\n';
  z.dirs['intel-rapl:0:0'].attrs.name = NAME + '\n';
  return writeJson('esc.json', doc);
}
const SNAP = escSnapshot();

/** watch-laptop, its recorded zones named NAME */
function escRecording(): string {
  const doc = JSON.parse(fs.readFileSync(example('watch-laptop'), 'utf8'));
  doc.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'].attrs.name = NAME + '\n';
  for (const z of doc.recording.zones) z.name = NAME;
  return writeJson('esc-watch.json', doc);
}
const REC = escRecording();

const PALETTE_SGR = /\x1b\[(1|2|4|22|24|31|32|33|35|36|39)m/g;
/** a raw control byte (tab and newline allowed), DEL, a C1 control or a bidi control */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** no raw control in `s` once the palette's colour codes are set aside (only when colour is forced) */
function assertClean(s: string, colour: boolean, what: string): void {
  const bare = colour ? s.replace(PALETTE_SGR, '') : s;
  const m = RAW.exec(bare);
  assert.equal(m, null, `${what}: a raw control character at ${m?.index}:\n${JSON.stringify(bare.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
  // the source's own red is shown, never passed for one of ours
  assert.ok(!s.includes('\x1b[31mred'), `${what}: the source's \\x1b[31m reached the terminal`);
}

const COLOURS: Array<[string, Record<string, string>]> = [['plain', {}], ['FORCE_COLOR=1', { FORCE_COLOR: '1' }]];

describe('a snapshot with escapes in names and values', () => {
  const cases: Array<[string, () => string[], RegExp[], number]> = [
    ['list', () => ['--snapshot', SNAP, 'list'], [/SHOWN/, /CSHOWN 28 W/], 0],
    ['list --format tsv', () => ['--snapshot', SNAP, 'list', '--format', 'tsv'], [/\tSHOWN\t/, /\tCSHOWN\t/], 0],
    ['list --format csv', () => ['--snapshot', SNAP, 'list', '--format', 'csv'], [/,SHOWN,/, /,CSHOWN,/], 0],
    ['tree', () => ['--snapshot', SNAP, 'tree'], [/SHOWN {2}intel-rapl:0 /, /CSHOWN 28 W/], 0],
    ['set-limit, no constraint chosen (an error naming them)', () => ['--snapshot', SNAP, 'set-limit', 'intel-rapl:0', '5W'], [/\(SHOWN\) has 3 constraints/, /its constraints: CSHOWN \(0\)/], 2],
    ['set-limit an unknown zone', () => ['--snapshot', SNAP, 'set-limit', 'intel-rapl:\x1b[2J', '5W'], [/intel-rapl:\\x1b\[2J/], 3],
    ['an unknown option, quoted as typed', () => ['--snapshot', SNAP, 'list', '--x\x1b[2Jy'], [/unknown option '--x\\x1b\[2Jy'/], 2],
    ['set-limit --dry-run', () => ['--snapshot', SNAP, 'set-limit', '--constraint', '0', '--dry-run', 'intel-rapl:0', '10W'], [/intel-rapl:0 SHOWN/, /CSHOWN/], 0],
    ['set-limit, applied', () => {
      const f = path.join(dir, `applied-${Math.random().toString(36).slice(2)}.json`);
      fs.copyFileSync(SNAP, f);
      return ['--snapshot', f, 'set-limit', '--constraint', '0', 'intel-rapl:0', '10W'];
    }, [/intel-rapl:0 SHOWN/, /CSHOWN/], 0],
    ['watch (NDJSON)', () => ['--snapshot', REC, 'watch', '--speed', '0', '-n', '3'], [], 0],
    ['watch --format csv', () => ['--snapshot', REC, 'watch', '--speed', '0', '-n', '3', '--format', 'csv'], [/,intel-rapl:0,SHOWN,/], 0],
    ['watch --format table (not a terminal)', () => ['--snapshot', REC, 'watch', '--speed', '0', '-n', '3', '--format', 'table'], [/intel-rapl:0 +SHOWN/], 0],
    ['watch --format prometheus', () => ['--snapshot', REC, 'watch', '--speed', '0', '-n', '2', '--format', 'prometheus'], [/name="SHOWN"/], 0],
  ];
  const literal = (re: RegExp) => new RegExp(re.source.replace('CSHOWN', esc(CSHOWN)).replace('SHOWN', esc(SHOWN)));
  for (const [name, args, expect, code] of cases) {
    for (const [cname, env] of COLOURS) {
      test(`${name}, ${cname}`, () => {
        const r = run(args(), { env, timeoutMs: 20000 });
        assert.equal(r.code, code, r.stderr);
        assertClean(r.stdout, cname !== 'plain', 'stdout');
        assertClean(r.stderr, false, 'stderr');
        // the names are there, shown escaped (Prometheus doubles each backslash, as its format wants)
        const text = stripPalette(r.stdout + r.stderr);
        for (const re of expect) assert.match(name.includes('prometheus') ? text.replace(/\\\\/g, '\\') : text, literal(re));
      });
    }
  }
  test('the warning about an invalid value shows it escaped', () => {
    const r = run(['--snapshot', SNAP, 'list']);
    assert.match(r.stderr, /holds '12\\x1bc', not a value the kernel writes/);
  });
  test('--json keeps the text exact, with no raw DEL, C1 or bidi control in it', () => {
    const r = run(['--snapshot', SNAP, 'list', '--json']);
    assert.equal(r.json().zones[0].name, NAME);
    assert.equal(r.json().zones[0].constraints[0].name, CNAME);
    assert.doesNotMatch(r.stdout, RAW);
  });
  test('watch NDJSON keeps the text exact, with no raw control in it', () => {
    const r = run(['--snapshot', REC, 'watch', '--speed', '0', '-n', '2']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].name, NAME);
    assert.doesNotMatch(r.stdout, RAW);
  });
});

describe('a set-limit that fails and is rolled back', () => {
  test('the rollback lines on stderr show the names escaped', () => {
    const f = path.join(dir, 'rollback.json');
    fs.copyFileSync(SNAP, f);
    const r = run(['--snapshot', f, 'set-limit', '--constraint', '0', 'intel-rapl:0=20W', 'intel-rapl:1=10W'],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl:1/constraint_0_power_limit_uw=EIO', FORCE_COLOR: '1' } });
    assert.equal(r.code, 1, r.stderr);
    assertClean(r.stdout + r.stderr, false, 'output');
    assert.ok(r.stderr.includes(`rolled back: intel-rapl:0 (${SHOWN}) ${CSHOWN} power limit 20 W → 28 W`), r.stderr);
  });
});

test('a sysfs tree with escapes in a zone name', () => {
  const t = fixture(intelLaptop);
  after(t.cleanup);
  fs.writeFileSync(path.join(t.classRoot, 'intel-rapl:0', 'name'), 'pkg\x1b]2;x\x07\x1b[31m\n');
  for (const args of [['list'], ['tree'], ['list', '--format', 'csv']]) {
    for (const [cname, env] of COLOURS) {
      const r = run(['--root', t.classRoot, ...args], { env });
      assert.equal(r.code, 0, r.stderr);
      assertClean(r.stdout, cname !== 'plain', args.join(' '));
      assert.ok(stripPalette(r.stdout).includes('pkg\\x1b]2;x\\x07\\x1b[31m'), r.stdout);
    }
  }
});

describe('the rules (cli/visible.ts)', () => {
  test('visible: one line of data, every control shown', () => {
    assert.equal(visible('a\x1b[31mb\tc\nd\re\x7f\x9b\u202e'), 'a\\x1b[31mb\\x09c\\x0ad\\x0de\\x7f\\x9b\\u202e');
    assert.equal(visible('a\tb\nc', { tabs: true, newlines: true }), 'a\tb\nc');
    assert.equal(visible('plain µW – text'), 'plain µW – text');
    assert.equal(visible(visible(NAME)), visible(NAME), 'made visible twice, shown the same');
  });
  test('terminalSafe: newlines kept, colour only for a coloured stream and only the palette\'s', () => {
    assert.equal(terminalSafe('\x1b[36mid\x1b[39m\n\x1b[2J'), '\\x1b[36mid\\x1b[39m\n\\x1b[2J');
    assert.equal(terminalSafe('\x1b[36mid\x1b[39m\x1b[8mx\x1b[0m\x1b[30;40m', { colour: true }), '\x1b[36mid\x1b[39m\\x1b[8mx\\x1b[0m\\x1b[30;40m');
    assert.equal(terminalSafe('a\tb'), 'a\\x09b');
    assert.equal(terminalSafe('a\tb', { tabs: true }), 'a\tb');
  });
  test('every code the palette emits, at every colour level, passes terminalSafe on a coloured stream', () => {
    for (const level of [1, 2, 3] as const) {
      const p = palette(new Chalk({ level }));
      for (const [key, paint] of Object.entries(p)) {
        const s = paint('text');
        assert.notEqual(s, 'text', `${key} at level ${level} paints`);
        assert.equal(terminalSafe(s, { colour: true }), s, `${key} at level ${level}: ${JSON.stringify(s)}`);
      }
    }
  });
  test('CSV: a field holding a comma, quote, CR or LF is quoted; CR and other controls are shown', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('a\nb'), '"a\nb"');
    assert.equal(csvField('a\rb'), 'a\\x0db', 'a bare CR never reaches the file: the row cannot split');
    assert.equal(csvField('a\x1b[2J'), 'a\\x1b[2J');
  });
  test('TSV: tab, CR and LF shown, so a field never splits a row or a column', () => {
    assert.equal(tsvField('a\tb\rc\nd'), 'a\\x09b\\x0dc\\x0ad');
  });
  test('JSON text: DEL, C1 and bidi controls as \\u escapes, the same document', () => {
    const j = JSON.stringify({ name: NAME });
    const v = jsonVisible(j);
    assert.doesNotMatch(v, RAW);
    assert.deepEqual(JSON.parse(v), { name: NAME });
  });
});

const esc = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
const stripPalette = (s: string) => s.replace(PALETTE_SGR, '');
