/**
 * apply and profile save: the files after apply, changed/unchanged per setting,
 * idempotence, --check (exit 7), both copies of a package (MSR and MMIO), bad
 * profiles (one line naming file, line and key; nothing written), rollback on a
 * failed or interrupted apply, and a real ansible-playbook run against a fixture
 * tree on localhost (changed=1, then changed=0) with the task of docs/fleet.md.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, ROOT, BIN, EXAMPLES, NOBODY, scratch, snapAttr, requireTool, TOOLS } from './helpers.js';
import { xeon2s, rk3399 } from './fixtures/specs.js';

import { validate } from '../src/core/snapshot/validate.js';

const { cleanups, copy, liveLaptop, tempDir, file } = scratch('powercapctl-apply-');
/** A profile file in a temp dir. */
const profile = (text: string, name = 'profile.yaml'): string => file(text, name);

const liveAttr = (root: string, zoneId: string, attr: string) => fs.readFileSync(path.join(root, zoneId, attr), 'utf8');
const PL = (n: number) => `constraint_${n}_power_limit_uw`;
const TW = (n: number) => `constraint_${n}_time_window_us`;
const LAPTOP_PROFILE = path.join(EXAMPLES, 'profile-laptop.yaml');

/** every file of a tree, path → content, to show nothing was written */
function treeContents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) walk(p);
      else if (e.isFile()) out.set(p, fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

// ------------------------------------------------------------------ snapshots

describe('apply on a snapshot (the emulated kernel quantises)', () => {
  test('the bundled laptop profile: both copies of package-0, old → desired → applied, then nothing to do', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, '--json', 'apply', LAPTOP_PROFILE]);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json();
    assert.equal(j.format, 'powercapctl-apply');
    assert.equal(j.changed, true);
    // package-0 means intel-rapl:0 and intel-rapl-mmio:0: 20 W on both (MMIO was 15 W, MSR 28 W)
    assert.deepEqual(j.items.map((i: any) => [i.zone, i.constraint, i.attribute, i.beforeUw ?? i.beforeUs, i.appliedUw ?? i.appliedUs, i.changed, i.pair]), [
      ['intel-rapl:0', 'long_term', 'power_limit_uw', 28000000, 20000000, true, true],
      ['intel-rapl:0', 'long_term', 'time_window_us', 27983872, 27983872, false, true],
      ['intel-rapl-mmio:0', 'long_term', 'power_limit_uw', 15000000, 20000000, true, true],
      ['intel-rapl-mmio:0', 'long_term', 'time_window_us', 27983872, 27983872, false, true],
      ['intel-rapl:0', 'short_term', 'power_limit_uw', 64000000, 40000000, true, false],
    ]);
    // 28 s is stored as 27983872 µs (2^14 × 7/4 × 976 µs): in state already, not rewritten
    assert.equal(j.items[1].desiredUs, 28000000);
    assert.equal(j.items[1].expectedUs, 27983872);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '20000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '20000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(1)), '40000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl:0', TW(0)), '27983872\n');

    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/apply.schema.json'), 'utf8'));
    assert.equal(validate(schema, j), null, 'the output follows schema/apply.schema.json');
    const bytes = fs.readFileSync(s.file);
    const again = run(['--snapshot', s.file, '--json', 'apply', LAPTOP_PROFILE]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().changed, false);
    assert.deepEqual(again.json().items.map((i: any) => i.changed), [false, false, false, false, false]);
    assert.deepEqual(fs.readFileSync(s.file), bytes, 'a second run writes nothing');
  });

  test('human output: the diff with the stored window, changed / unchanged, a summary', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'apply', LAPTOP_PROFILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /intel-rapl:0 package-0\s+long_term\s+power limit\s+28 W\s+20 W\s+20 W\s+changed/);
    assert.match(r.stdout, /intel-rapl:0 package-0\s+long_term\s+time window\s+27\.984 s\s+28 s ≈ 27\.984 s\s+27\.984 s\s+unchanged/);
    assert.match(r.stdout, /intel-rapl-mmio:0 package-0\s+long_term\s+power limit\s+15 W\s+20 W\s+20 W\s+changed/);
    assert.match(r.stdout, /^3 changed, 2 unchanged$/m);
    assert.match(r.stderr, /updated /);
  });

  test('--check: exit 7 and nothing written when not in state, exit 0 once applied', () => {
    const s = copy('intel-laptop');
    const bytes = fs.readFileSync(s.file);
    const c = run(['--snapshot', s.file, 'apply', '--check', LAPTOP_PROFILE]);
    assert.equal(c.code, 7, c.stderr);
    assert.match(c.stderr, /^powercapctl: not in the state of .*profile-laptop\.yaml: 3 of 5 settings differ \(nothing was written\)$/m);
    assert.match(c.stdout, /intel-rapl-mmio:0 package-0\s+long_term\s+power limit\s+15 W\s+20 W\s+differs/);
    // the verdict is said once: on stderr, as the error of exit 7
    assert.equal(`${c.stdout}${c.stderr}`.match(/not in (the )?state/g)?.length, 1, c.stdout + c.stderr);
    assert.deepEqual(fs.readFileSync(s.file), bytes);
    const cj = run(['--snapshot', s.file, '--json', 'apply', '--check', LAPTOP_PROFILE]);
    assert.equal(cj.code, 7);
    assert.equal(cj.json().inState, false);
    assert.equal(cj.json().changed, false);
    // a read-only snapshot can be checked
    fs.chmodSync(s.file, 0o444);
    assert.equal(run(['--snapshot', s.file, 'apply', '--check', LAPTOP_PROFILE]).code, 7);
    fs.chmodSync(s.file, 0o644);
    assert.equal(run(['--snapshot', s.file, 'apply', LAPTOP_PROFILE]).code, 0);
    const ok = run(['--snapshot', s.file, '--json', 'apply', '--check', LAPTOP_PROFILE]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.json().inState, true);
    const human = run(['--snapshot', s.file, 'apply', '--check', LAPTOP_PROFILE]);
    assert.equal(human.stdout.match(/in state: 5 settings as the profile says/g)?.length, 1);
    assert.equal(human.stderr, '');
  });

  test('--only intel-rapl: the MSR copy alone, with a warning that the MMIO copy holds its own limit', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, '--json', 'apply', '--only', 'intel-rapl', LAPTOP_PROFILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...new Set(r.json().items.map((i: any) => i.zone))], ['intel-rapl:0']);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '20000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', PL(0)), '15000000\n');
    assert.match(r.stderr, /intel-rapl-mmio:0 is the same package-0 through intel-rapl-mmio and holds its own limit \(long_term 15 W/);
  });

  test('one copy locked by firmware: exit 5 naming it, nothing written; --only sets the other copy', () => {
    const s = copy('intel-laptop');
    const doc = JSON.parse(fs.readFileSync(s.file, 'utf8'));
    doc.powercap.dirs['intel-rapl-mmio'].dirs['intel-rapl-mmio:0'].attrs[PL(0)] = { text: '15000000\n', writeErrno: 'EACCES' };
    fs.writeFileSync(s.file, JSON.stringify(doc, null, 2) + '\n');
    const before = fs.readFileSync(s.file);
    const r = run(['--snapshot', s.file, 'apply', LAPTOP_PROFILE]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /intel-rapl-mmio:0 long_term power limit: this limit is locked by firmware/);
    assert.match(r.stderr, /rolled back: intel-rapl:0 \(package-0\) long_term power limit 20 W → 28 W/);
    assert.deepEqual(fs.readFileSync(s.file), before);
    assert.equal(run(['--snapshot', s.file, 'apply', '--check', LAPTOP_PROFILE]).code, 7, 'the locked copy is not in state');
    const only = run(['--snapshot', s.file, 'apply', '--only', 'intel-rapl', LAPTOP_PROFILE]);
    assert.equal(only.code, 0, only.stderr);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '20000000\n');
  });

  test('RAPL 1/8 W steps: 25.1 W is stored as 25 W, and the next run is in state', () => {
    const s = copy('intel-laptop');
    const p = profile('version: 1\nlimits:\n  - zone: intel-rapl:0\n    power: 25.1W\n');
    const r = run(['--snapshot', s.file, '--json', 'apply', p]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json().items[0].desiredUw, r.json().items[0].expectedUw, r.json().items[0].appliedUw], [25100000, 25000000, 25000000]);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '25000000\n');
    const again = run(['--snapshot', s.file, '--json', 'apply', p]);
    assert.equal(again.json().changed, false);
    assert.equal(run(['--snapshot', s.file, 'apply', '--check', p]).code, 0);
  });

  test('DTPM: the node stores what its children applied; the next run is in state', () => {
    const s = copy('rk3399-dtpm');
    const p = profile('version: 1\nlimits:\n  - zone: package\n    power: 3W\n');
    const r = run(['--snapshot', s.file, '--json', 'apply', p]);
    assert.equal(r.code, 0, r.stderr);
    const it = r.json().items[0];
    // the split worked out in set-limit.test.ts: 344988 + 944376 + 1355310 µW
    assert.deepEqual([it.zone, it.desiredUw, it.expectedUw, it.appliedUw, it.changed], ['dtpm:0:0', 3000000, 2644674, 2644674, true]);
    assert.equal(snapAttr(s.file, 'dtpm:0:0', PL(0)), '2644674\n');
    const again = run(['--snapshot', s.file, '--json', 'apply', p]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().changed, false);
  });

  test('JSON profiles are YAML too', () => {
    const s = copy('xeon-2s');
    const p = profile(JSON.stringify({ version: 1, limits: [{ zone: 'package-1', power: '150W', timeWindow: '1s' }] }), 'p.json');
    const r = run(['--snapshot', s.file, '--json', 'apply', p]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(s.file, 'intel-rapl:1', PL(0)), '150000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl:1', TW(0)), '999424\n');
  });
});

// ------------------------------------------------------------------ live trees

describe('apply on a live tree (fixture copy)', () => {
  test('files hold the values; a second run changes nothing; enabled and the window too', () => {
    const t = liveLaptop();
    const p = profile('version: 1\nlimits:\n  - zone: psys\n    power: 30W\n    timeWindow: 10s\n    enabled: false\n  - zone: package-0\n    power: 18W\n');
    const r = run(['--root', t.classRoot, '--json', 'apply', p]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().changed, true);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '30000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', TW(0)), '10000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', 'enabled'), '0\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '18000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl-mmio:0', PL(0)), '18000000\n');
    const again = run(['--root', t.classRoot, '--json', 'apply', p]);
    assert.equal(again.json().changed, false);
    assert.equal(again.json().changedSettings, 0);
    assert.equal(run(['--root', t.classRoot, 'apply', '--check', p]).code, 0);
    // something else rewrites a limit: check sees it
    fs.writeFileSync(path.join(t.classRoot, 'intel-rapl-mmio:0', PL(0)), '15000000\n');
    assert.equal(run(['--root', t.classRoot, 'apply', '--check', p]).code, 7);
  });

  test('DTPM on a live tree: the value the node stores is predicted from the energy model, so the next run is in state', () => {
    const t = fixture(rk3399);
    cleanups.push(t.cleanup);
    const p = profile('version: 1\nlimits:\n  - zone: package\n    power: 3W\n');
    const args = ['--root', t.classRoot, '--em-root', t.emRoot!];
    const r = run([...args, '--json', 'apply', p]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json().items[0].desiredUw, r.json().items[0].expectedUw], [3000000, 2644674]);
    // a real kernel stores what the leaves applied (344988 + 944376 + 1355310 µW): that is in state
    fs.writeFileSync(path.join(t.classRoot, 'dtpm:0:0', PL(0)), '2644674\n');
    const again = run([...args, '--json', 'apply', p]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().changed, false);
    assert.equal(run([...args, 'apply', '--check', p]).code, 0);
    fs.writeFileSync(path.join(t.classRoot, 'dtpm:0:0', PL(0)), '2000000\n');
    assert.equal(run([...args, 'apply', '--check', p]).code, 7);
  });

  test('a write failing on the second zone rolls the first back (exit of the failure), as set-limit does', () => {
    const t = liveLaptop();
    const before = treeContents(t.dir);
    const r = run(['--root', t.classRoot, '--json', 'apply', LAPTOP_PROFILE],
      { env: { POWERCAPCTL_FAULTS: 'write:*/intel-rapl-mmio:0/constraint_0_power_limit_uw=EIO' } });
    assert.equal(r.code, 1, r.stderr);
    const j = r.json();
    assert.equal(validate(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/apply.schema.json'), 'utf8')), j), null);
    assert.equal(j.ok, false);
    assert.equal(j.changed, false);
    assert.equal(j.error.errno, 'EIO');
    assert.match(r.stderr, /rolled back: intel-rapl:0 \(package-0\) long_term power limit 20 W → 28 W/);
    assert.deepEqual(treeContents(t.dir), before);
  });

  test('not root: exit 4, "run with sudo", nothing written; --check still works', { skip: NOBODY === null ? 'tests do not run as root' : false }, () => {
    const t = liveLaptop();
    const before = treeContents(t.dir);
    const p = profile(fs.readFileSync(LAPTOP_PROFILE, 'utf8'));
    const r = run(['--root', t.classRoot, 'apply', p], { ...NOBODY! });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /permission denied writing intel-rapl:0 long_term power limit .*: run with sudo/);
    assert.deepEqual(treeContents(t.dir), before);
    assert.equal(run(['--root', t.classRoot, 'apply', '--check', p], { ...NOBODY! }).code, 7);
  });

  test('Ctrl-C between two writes: rolled back, exit 130', () => {
    const t = liveLaptop();
    const before = treeContents(t.dir);
    const r = run(['--root', t.classRoot, 'apply', LAPTOP_PROFILE], { env: { POWERCAPCTL_FAULTS: 'after-write:#2=SIGINT' } });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted by SIGINT before all writes were made: 2 earlier writes were rolled back/);
    assert.deepEqual(treeContents(t.dir), before);
  });
});

// ------------------------------------------------------------------ bad profiles

describe('bad profiles: one line naming file, line and key; exit 2, 3 or 6; nothing written', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['unknown zone', 'version: 1\nlimits:\n  - zone: psys\n    power: 30W\n  - zone: package-9\n    power: 20W\n', 3, /:5: limits\[1\]\.zone: no zone 'package-9'$/],
    ['unknown key', 'version: 1\nlimits:\n  - zone: psys\n    pwer: 20W\n', 6, /:4: limits\[0\]\.pwer: unknown key \(an item has zone, constraint, power, timeWindow, enabled, when\)$/],
    ['unknown top-level key', 'version: 1\nlimit:\n  - zone: psys\n', 6, /:2: limit: unknown key/],
    ['power without unit', 'version: 1\nlimits:\n  - zone: psys\n    power: 20\n', 2, /:4: limits\[0\]\.power: invalid power '20': a unit is required$/],
    ['out of bounds', 'version: 1\nlimits:\n  - zone: intel-rapl:0\n    power: 30W\n', 2, /:4: limits\[0\]\.power: 30 W is above the maximum of intel-rapl:0 \(package-0\) long_term \(28 W\)$/],
    ['duplicate zone', 'version: 1\nlimits:\n  - zone: intel-rapl:0\n    power: 20W\n  - zone: package-0\n    power: 21W\n', 2, /:6: limits\[1\]\.power: intel-rapl:0 \(package-0\) long_term power_limit_uw is already set by limits\[0\] \(line 3\)/],
    ['YAML syntax error', 'version: 1\nlimits:\n  - zone: psys\n   power: 20W\n', 6, /:4: YAML syntax error/],
    ['a key twice', 'version: 1\nlimits:\n  - zone: psys\n    power: 20W\n    power: 30W\n', 6, /:5: a key is given twice/],
    ['wrong version', 'version: 2\nlimits: []\n', 6, /:1: version: unsupported version 2/],
    ['unknown constraint', 'version: 1\nlimits:\n  - zone: psys\n    constraint: peak\n    power: 20W\n', 3, /:4: limits\[0\]\.constraint: intel-rapl:1 \(psys\) has no constraint 'peak'$/],
    ['enabled not a boolean', 'version: 1\nlimits:\n  - zone: psys\n    enabled: yes please\n', 6, /:4: limits\[0\]\.enabled: expected true or false$/],
  ];
  for (const [what, text, code, message] of cases) {
    test(what, () => {
      const t = liveLaptop();
      const s = copy('intel-laptop');
      const before = treeContents(t.dir);
      const snapBytes = fs.readFileSync(s.file);
      const p = profile(text);
      const r = run(['--root', t.classRoot, 'apply', p]);
      assert.equal(r.code, code, r.stderr);
      const first = r.stderr.split('\n')[0]!;
      assert.ok(first.startsWith(`powercapctl: ${p}:`), `the first line names the file: ${first}`);
      assert.match(first, message);
      assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.deepEqual(treeContents(t.dir), before);
      // the same on a snapshot: the file is untouched
      assert.equal(run(['--snapshot', s.file, 'apply', p]).code, code);
      assert.deepEqual(fs.readFileSync(s.file), snapBytes);
    });
  }

  test('a misspelt constraint is refused alike whichever name the zone is given by: file:line, the constraint names, nothing written', () => {
    const t = liveLaptop();
    const before = treeContents(t.dir);
    for (const typo of ['longterm', '7']) {
      for (const ref of ['package-0', 'intel-rapl:0', 'intel-rapl/package-0']) {
        const p = profile(`version: 1\nlimits:\n  - zone: ${ref}\n    constraint: ${typo}\n    power: 20W\n`);
        for (const check of [[], ['--check']]) {
          const r = run(['--root', t.classRoot, 'apply', ...check, p]);
          const what = `${ref} ${typo} ${check.join(' ')}`;
          assert.equal(r.code, 3, `${what}: ${r.stderr}`);
          assert.equal(r.stderr, `powercapctl: ${p}:4: limits[0].constraint: intel-rapl:0 (package-0) has no constraint '${typo}'\n` +
            '  its constraints: long_term (0), short_term (1), peak_power (2)\n', what);
          assert.equal(r.stdout, '', what);
        }
      }
    }
    assert.deepEqual(treeContents(t.dir), before);
  });

  test('peak_power on package-0 (MMIO has none): apply and set-limit give the same answer, and set it alike once one copy is named', () => {
    const s = copy('intel-laptop');
    const bytes = fs.readFileSync(s.file);
    const both = profile('version: 1\nlimits:\n  - zone: package-0\n    constraint: peak_power\n    power: 100W\n');
    const a = run(['--snapshot', s.file, 'apply', both]);
    const l = run(['--snapshot', s.file, 'set-limit', 'package-0', '100W', '-c', 'peak_power']);
    for (const r of [a, l]) {
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /intel-rapl-mmio:0 \(package-0\) has no constraint 'peak_power'\n  its constraints: long_term \(0\), short_term \(1\); intel-rapl:0 \(package-0\), the same package through intel-rapl, has peak_power: /);
      assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr);
    }
    assert.match(a.stderr, /^powercapctl: .*:4: limits\[0\]\.constraint: /);
    assert.match(a.stderr, /name that copy alone in the profile \(its id, or type\/name\)$/m);
    assert.match(l.stderr, /set that copy alone \(its id, or --only and its control type\)$/m);
    assert.deepEqual(fs.readFileSync(s.file), bytes, 'nothing written by either');
    // one copy named: both set the MSR copy's peak_power to 100 W, and nothing else
    const one = profile('version: 1\nlimits:\n  - zone: intel-rapl/package-0\n    constraint: peak_power\n    power: 100W\n');
    assert.equal(run(['--snapshot', s.file, 'apply', one]).code, 0);
    const viaApply = fs.readFileSync(s.file, 'utf8');
    const s2 = copy('intel-laptop');
    assert.equal(run(['--snapshot', s2.file, 'set-limit', 'package-0', '100W', '-c', 'peak_power', '--only', 'intel-rapl']).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(2)), '100000000\n');
    assert.equal(snapAttr(s2.file, 'intel-rapl:0', PL(2)), '100000000\n');
    assert.equal(JSON.stringify(JSON.parse(viaApply).powercap), JSON.stringify(JSON.parse(fs.readFileSync(s2.file, 'utf8')).powercap));
  });

  test('a value above the maximum: the way out is the profile (apply --force does not write past a bound)', () => {
    const s = copy('intel-laptop');
    const p = profile('version: 1\nlimits:\n  - zone: intel-rapl:0\n    power: 30W\n');
    for (const force of [[], ['--force']]) {
      const r = run(['--snapshot', s.file, 'apply', ...force, p]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^  change the value in the profile \(the hardware may clamp or ignore it\)$/m);
      assert.doesNotMatch(r.stderr, /--force/);
    }
    // a limit that would starve the zone is what --force is for
    const low = profile('version: 1\nlimits:\n  - zone: intel-rapl:0\n    power: 1W\n');
    const r = run(['--snapshot', s.file, 'apply', low]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^  change the value in the profile, or apply it with --force$/m);
    assert.equal(run(['--snapshot', s.file, 'apply', '--force', low]).code, 0);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', PL(0)), '1000000\n');
  });

  test('a .json profile\'s syntax error is called JSON, a .yaml one\'s YAML', () => {
    const s = copy('intel-laptop');
    const j = run(['--snapshot', s.file, 'apply', profile('{"version": 1,\n "limits": [}\n', 'p.json')]);
    assert.equal(j.code, 6, j.stderr);
    assert.match(j.stderr, /p\.json:2: JSON syntax error: Unexpected token '\}'$/m);
    assert.doesNotMatch(j.stderr, /YAML/);
    const y = run(['--snapshot', s.file, 'apply', profile('version: 1\nlimits: [\n', 'p.yaml')]);
    assert.equal(y.code, 6, y.stderr);
    assert.match(y.stderr, /p\.yaml:\d+: YAML syntax error/);
  });

  test('a profile that does not exist: exit 3', () => {
    const r = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'apply', '/nonexistent/p.yaml']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /profile not found: \/nonexistent\/p\.yaml/);
  });
});

// ------------------------------------------------------------------ profile save, schema

describe('profile save', () => {
  for (const name of ['intel-laptop', 'xeon-2s', 'rk3399-dtpm']) {
    test(`${name}: the saved profile applies back with nothing to change`, () => {
      const s = copy(name);
      const out = path.join(tempDir(), `${name}.yaml`);
      const r = run(['--snapshot', s.file, 'profile', 'save', out]);
      assert.equal(r.code, 0, r.stderr);
      const again = run(['--snapshot', s.file, '--json', 'apply', out]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.json().changed, false);
      assert.ok(again.json().settings > 0);
    });
  }

  test('laptop: each copy of package-0 by type/name, exact values, zero limits left out; JSON by extension', () => {
    const dir = tempDir();
    const y = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'profile', 'save', path.join(dir, 'l.yaml')]);
    assert.equal(y.code, 0, y.stderr);
    const text = fs.readFileSync(path.join(dir, 'l.yaml'), 'utf8');
    assert.match(text, /^  - zone: intel-rapl\/package-0\n    constraint: long_term\n    power: 28W\n    timeWindow: 27983872us\n    enabled: true$/m);
    assert.match(text, /^  - zone: intel-rapl-mmio\/package-0\n    constraint: long_term\n    power: 15W\n/m);
    assert.doesNotMatch(text, /zone: core/);
    assert.equal(run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'profile', 'save', path.join(dir, 'l.yaml')]).code, 2, 'exists: refused without --force');
    const j = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'profile', 'save', path.join(dir, 'l.json')]);
    assert.equal(j.code, 0);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'l.json'), 'utf8'));
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.limits[0], { zone: 'intel-rapl/package-0', constraint: 'long_term', power: '28W', timeWindow: '27983872us', enabled: true });
  });

  test('schema/profile.schema.json accepts saved and bundled profiles and rejects an unknown key', async () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/profile.schema.json'), 'utf8'));
    const { parse } = await import('yaml');
    const saved = run(['--snapshot', path.join(EXAMPLES, 'xeon-2s.json'), '--json', 'profile', 'save', '-']);
    assert.equal(validate(schema, saved.json()), null);
    assert.equal(validate(schema, parse(fs.readFileSync(LAPTOP_PROFILE, 'utf8'))), null);
    assert.match(validate(schema, { version: 1, limits: [{ zone: 'psys', pwer: '1W' }] }) ?? '', /unexpected property "pwer"/);
    assert.match(validate(schema, { version: 1, limits: [{ zone: 'psys', power: '20' }] }) ?? '', /does not match/);
  });
});

// ------------------------------------------------------------------ Ansible

/** The yaml blocks of docs/fleet.md's Ansible section, as a reader copies them: the playbook, then the audit task. */
function fleetYaml(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/fleet.md'), 'utf8');
  const from = doc.indexOf('## Ansible');
  const next = doc.indexOf('\n## ', from + 1);
  const section = doc.slice(from, next === -1 ? undefined : next);
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 2, 'docs/fleet.md has the playbook and the audit task under "## Ansible"');
  return blocks;
}

describe('Ansible: the docs/fleet.md playbook against a fixture tree on localhost', () => {
  test('the playbook: changed=1, then changed=0; the audit task: changed=1 only after a limit drifted, nothing written', requireTool(TOOLS.ansiblePlaybook), () => {
    const t = fixture(xeon2s);
    cleanups.push(t.cleanup);
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'files'));
    const profileText = 'version: 1\nlimits:\n  - zone: package-0\n    power: 180W\n  - zone: package-1\n    power: 180W\n';
    fs.writeFileSync(path.join(dir, 'files/profile.yaml'), profileText);
    // the profile is already in place (as a previous run left it): the copy task is ok, only apply changes
    const dest = path.join(dir, 'etc-powercapctl-profile.yaml');
    fs.writeFileSync(dest, profileText);
    const [playbook, audit] = fleetYaml() as [string, string];
    fs.writeFileSync(path.join(dir, 'site.yml'), playbook);
    // the audit task in the same play, in place of the playbook's tasks
    fs.writeFileSync(path.join(dir, 'audit.yml'), playbook.slice(0, playbook.indexOf('  tasks:\n') + '  tasks:\n'.length) + audit);
    fs.writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const play = (book = 'site.yml') => spawnSync('ansible-playbook', ['-i', 'hosts', book,
      '-e', `powercapctl=${BIN}`, '-e', `powercapctl_args="--root ${t.classRoot}"`, '-e', `profile=${dest}`, '-e', 'ansible_become=false'], {
      cwd: dir, encoding: 'utf8', timeout: 120_000,
      env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'), ANSIBLE_PYTHON_INTERPRETER: 'auto_silent' },
    });
    const recap = (out: string) => /localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0/.exec(out);
    const first = play();
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.equal(recap(first.stdout)?.[2], '1', first.stdout);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '180000000\n');
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '180000000\n');
    const second = play();
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.equal(recap(second.stdout)?.[2], '0', second.stdout);
    // the audit: in state → changed=0; a limit rewritten behind Ansible's back → changed=1, nothing written
    const inState = play('audit.yml');
    assert.equal(inState.status, 0, inState.stdout + inState.stderr);
    assert.equal(recap(inState.stdout)?.[2], '0', inState.stdout);
    fs.writeFileSync(path.join(t.classRoot, 'intel-rapl:1', PL(0)), '205000000\n');
    const drifted = play('audit.yml');
    assert.equal(drifted.status, 0, drifted.stdout + drifted.stderr);
    assert.equal(recap(drifted.stdout)?.[2], '1', drifted.stdout);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:1', PL(0)), '205000000\n');
    // a bad profile: the task fails with powercapctl's own message, nothing is written
    const badText = 'version: 1\nlimits:\n  - zone: package-0\n    power: 180\n';
    fs.writeFileSync(path.join(dir, 'files/profile.yaml'), badText);
    fs.writeFileSync(dest, badText);
    const bad = play();
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /localhost\s*:\s*ok=1\s+changed=0\s+unreachable=0\s+failed=1/);
    assert.match(bad.stdout, /limits\[0\]\.power: invalid power '180': a unit is required/);
    assert.equal(liveAttr(t.classRoot, 'intel-rapl:0', PL(0)), '180000000\n');
  });
});
