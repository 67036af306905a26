/**
 * Limits for AC and for battery (docs/profiles.md "Limits for AC and for battery"): which power
 * source a power supply class folder says, profile items with `when` applied on each (AC online,
 * AC offline with a battery, USB-C PD online, a desktop's mouse battery, no supply at all),
 * --check by the current source, --power-source, the duplicate-setting rule across `when`s, bad
 * input (a `when` that is neither, a missing or unreadable folder, a FIFO attribute), the watchdog
 * following a change of source, profile save --when and --merge, and persist's udev rule.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { run, ROOT, EXAMPLES, NOBODY, scratch, snapAttr, binFor, cleanEnv } from './helpers.js';
import { SUPPLIES, writePowerSupplyTree, type SupplySpec } from './fixtures/power-supply.js';
import { isAcSupplyType, readPowerSource } from '../src/core/power-source.js';
import { LiveSource } from '../src/core/source/live.js';
import type { Source } from '../src/core/source/types.js';
import { AC_SUPPLY_TYPES_UDEV } from '../src/core/persist/systemd-units.js';
import { globToRegExp } from '../src/core/glob.js';
import { validate } from '../src/core/snapshot/validate.js';

const { copy, liveLaptop, tempDir, file } = scratch('powercapctl-power-source-');

/** A power supply class folder with these supplies. */
const supplies = (list: readonly SupplySpec[]) => writePowerSupplyTree(tempDir(), [...list]);
const machine = (name: keyof typeof SUPPLIES) => supplies(SUPPLIES[name].supplies).classRoot;

const profile = (text: string, name = 'profile.yaml'): string => file(text, name);

/** package-0's long_term: 25 W on AC, 12 W on battery; short_term 40 W always. */
const AC_BATTERY = profile(`version: 1
limits:
  - zone: intel-rapl:0
    constraint: long_term
    power: 25W
    when: ac
  - zone: intel-rapl:0
    constraint: long_term
    power: 12W
    when: battery
  - zone: intel-rapl:0
    constraint: short_term
    power: 40W
`);

const limitOf = (root: string, zone: string, n: number) => fs.readFileSync(path.join(root, zone, `constraint_${n}_power_limit_uw`), 'utf8');

// ------------------------------------------------------------------ the rule

describe('the power source a power supply folder says', () => {
  for (const [name, m] of Object.entries(SUPPLIES)) {
    test(`${name}: ${m.source}`, () => {
      const r = readPowerSource(new LiveSource(machine(name as keyof typeof SUPPLIES)));
      assert.equal(r.kind, m.source);
      assert.deepEqual(r.unreadable, []);
      assert.equal(r.folderErrno, null);
    });
  }

  test('the supply that decided, and why', () => {
    const of = (n: keyof typeof SUPPLIES) => { const r = readPowerSource(new LiveSource(machine(n))); return [r.kind, r.by, r.supply]; };
    assert.deepEqual(of('acOnline'), ['ac', 'ac-online', 'AC']);
    assert.deepEqual(of('onBattery'), ['battery', 'battery', 'BAT0']);
    assert.deepEqual(of('usbPd'), ['ac', 'ac-online', 'CROS_USBPD_CHARGER0']);
    assert.deepEqual(of('desktopMouse'), ['ac', 'no-supply', null]);
    assert.deepEqual(of('none'), ['ac', 'no-supply', null]);
  });

  test('the AC types are the kernel\'s Mains, USB and USB_* (power_supply_sysfs.c POWER_SUPPLY_TYPE_TEXT)', () => {
    const text = ['Unknown', 'Battery', 'UPS', 'Mains', 'USB', 'USB_DCP', 'USB_CDP', 'USB_ACA', 'USB_C', 'USB_PD', 'USB_PD_DRP', 'BrickID', 'Wireless'];
    assert.deepEqual(text.filter(isAcSupplyType), ['Mains', 'USB', 'USB_DCP', 'USB_CDP', 'USB_ACA', 'USB_C', 'USB_PD', 'USB_PD_DRP']);
    // persist's udev rule matches the same types: udev's `|` separates alternatives, `*` is fnmatch's
    const udev = AC_SUPPLY_TYPES_UDEV.split('|').map(globToRegExp);
    for (const t of text) assert.equal(udev.some((re) => re.test(t)), isAcSupplyType(t), t);
  });

  test('online 2 (a programmable supply, ABI sysfs-class-power) is online; an empty battery bay and a supply without type do not count', () => {
    const dir = supplies([
      { name: 'ADP1', device: 'ACPI0003:00', type: 'Mains', online: 0 },
      { name: 'BAT1', device: 'PNP0C0A:01', type: 'Battery', present: 0 },
    ]);
    assert.deepEqual([readPowerSource(new LiveSource(dir.classRoot)).kind, readPowerSource(new LiveSource(dir.classRoot)).by], ['ac', 'no-supply']);
    fs.mkdirSync(path.join(dir.classRoot, 'not-a-supply'));
    fs.writeFileSync(path.join(dir.supplyDir('ADP1'), 'online'), '2\n');
    const r = readPowerSource(new LiveSource(dir.classRoot));
    assert.deepEqual([r.kind, r.supply, r.unreadable], ['ac', 'ADP1', []]);
  });

  test('a driver with no data (ENODATA, ENODEV, EAGAIN) is not online and not reported; EIO is reported', () => {
    const files: Record<string, string | { errno: string }> = { 'AC/type': 'Mains\n', 'AC/online': { errno: 'ENODATA' }, 'BAT0/type': 'Battery\n' };
    const fake = (over: Record<string, string | { errno: string }>): Source => ({
      info: { kind: 'live', root: '/fake' },
      list: (rel) => (rel === '' ? [{ name: 'AC', kind: 'link' }, { name: 'BAT0', kind: 'link' }] : null),
      isDir: () => true,
      read: (rel) => {
        const v = { ...files, ...over }[rel];
        return v === undefined ? { ok: false, errno: 'ENOENT' } : typeof v === 'string' ? { ok: true, text: v } : { ok: false, errno: v.errno };
      },
      write: () => { throw new Error('read only'); },
    });
    for (const errno of ['ENODATA', 'ENODEV', 'EAGAIN']) {
      const r = readPowerSource(fake({ 'AC/online': { errno } }));
      assert.deepEqual([r.kind, r.unreadable], ['battery', []], errno);
    }
    const eio = readPowerSource(fake({ 'AC/online': { errno: 'EIO' } }));
    assert.deepEqual([eio.kind, eio.unreadable], ['battery', [{ path: 'AC/online', errno: 'EIO' }]]);
    const text = readPowerSource(fake({ 'AC/online': 'yes\n' }));
    assert.deepEqual(text.unreadable, [{ path: 'AC/online', errno: 'invalid' }]);
  });
});

// ------------------------------------------------------------------ apply

describe('apply: the items for the power source the machine runs on', () => {
  for (const [name, m] of Object.entries(SUPPLIES)) {
    const watts = m.source === 'ac' ? '25000000\n' : '12000000\n';
    test(`${name}: the items for ${m.source} and those without when are written`, () => {
      const t = liveLaptop();
      const r = run(['--root', t.classRoot, '--power-supply-root', machine(name as keyof typeof SUPPLIES), 'apply', AC_BATTERY]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), watts);
      assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 1), '40000000\n');
      const other = m.source === 'ac' ? 'battery' : 'AC';
      assert.match(r.stdout, new RegExp(`^on ${m.source === 'ac' ? 'AC' : 'battery'} \\(.+\\): 2 changed, 0 unchanged; 1 item for ${other} not in force$`, 'm'));
      assert.doesNotMatch(r.stderr, /power_supply/, 'nothing to say about the supplies');
    });
  }

  test('--check reports in or out of state by the current source; --power-source overrides; JSON as the schema says', () => {
    const t = liveLaptop();
    const ac = machine('acOnline');
    const battery = machine('onBattery');
    assert.equal(run(['--root', t.classRoot, '--power-supply-root', ac, 'apply', AC_BATTERY]).code, 0);
    const inAc = run(['--root', t.classRoot, '--power-supply-root', ac, 'apply', '--check', AC_BATTERY]);
    assert.equal(inAc.code, 0, inAc.stderr);
    assert.match(inAc.stdout, /^in state on AC \(AC online\): 2 settings as the profile says; 1 item for battery not compared$/m);
    const onBattery = run(['--root', t.classRoot, '--power-supply-root', battery, 'apply', '--check', AC_BATTERY]);
    assert.equal(onBattery.code, 7);
    assert.match(onBattery.stderr, /^powercapctl: not in the state of .*profile\.yaml on battery \(BAT0, no AC online\): 1 of 2 settings differ \(nothing was written\)$/m);
    // plugged in, the battery's items checked by name
    const forced = run(['--root', t.classRoot, '--power-supply-root', ac, 'apply', '--check', AC_BATTERY, '--power-source', 'battery']);
    assert.equal(forced.code, 7);
    assert.match(forced.stderr, /on battery \(--power-source\): 1 of 2 settings differ/);

    const j = run(['--root', t.classRoot, '--power-supply-root', battery, '--json', 'apply', '--check', AC_BATTERY]);
    assert.equal(j.code, 7);
    const doc = j.json();
    assert.deepEqual(doc.powerSource, { kind: 'battery', from: 'power-supply', root: battery, by: 'battery', supply: 'BAT0' });
    assert.deepEqual(doc.aside, [{ item: 0, line: 3, zone: 'intel-rapl:0', when: 'ac' }]);
    assert.deepEqual(doc.items.map((i: any) => [i.item, i.constraint, i.desiredUw, i.inState]), [[1, 'long_term', 12000000, false], [2, 'short_term', 40000000, true]]);
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/apply.schema.json'), 'utf8'));
    assert.equal(validate(schema, doc), null);

    // written on battery by the override, while plugged in
    const w = run(['--root', t.classRoot, '--power-supply-root', ac, '--json', 'apply', AC_BATTERY, '--power-source', 'battery']);
    assert.equal(w.code, 0, w.stderr);
    assert.deepEqual(w.json().powerSource, { kind: 'battery', from: 'option', root: null, by: null, supply: null });
    assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), '12000000\n');
    // a profile without when: powerSource null, nothing read
    const plain = run(['--root', t.classRoot, '--power-supply-root', path.join(tempDir(), 'missing'), '--json', 'apply', '--check', path.join(EXAMPLES, 'profile-laptop.yaml')]);
    assert.equal(plain.json().powerSource, null);
    assert.deepEqual(plain.json().aside, []);
    assert.doesNotMatch(plain.stderr, /missing/);
  });

  test('the environment names the folder (POWERCAPCTL_POWER_SUPPLY_ROOT)', () => {
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'apply', AC_BATTERY], { env: { POWERCAPCTL_POWER_SUPPLY_ROOT: machine('onBattery') } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), '12000000\n');
  });

  test('the bundled laptop profile for AC and battery, on a snapshot: AC with a warning, battery by --power-source', () => {
    const file = path.join(EXAMPLES, 'profile-laptop-ac-battery.yaml');
    const s = copy('intel-laptop');
    const ac = run(['--snapshot', s.file, 'apply', file]);
    assert.equal(ac.code, 0, ac.stderr);
    assert.match(ac.stderr, /^warning: a snapshot records no power supply: the items for AC are applied \(--power-source battery applies those for battery\)$/m);
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', 'constraint_0_power_limit_uw'), '28000000\n');
    const battery = run(['--snapshot', s.file, 'apply', file, '--power-source', 'battery']);
    assert.equal(battery.code, 0, battery.stderr);
    assert.doesNotMatch(battery.stderr, /records no power supply/);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', 'constraint_0_power_limit_uw'), '12000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl-mmio:0', 'constraint_0_power_limit_uw'), '12000000\n');
    assert.equal(snapAttr(s.file, 'intel-rapl:0', 'constraint_1_power_limit_uw'), '25000000\n');
    // a folder of this machine says nothing about a snapshot's
    const mixed = run(['--snapshot', s.file, '--power-supply-root', machine('acOnline'), 'apply', file]);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--power-supply-root applies to a live tree/);
  });
});

describe('one setting in two items: allowed for different whens, refused for the same', () => {
  const item = (power: string, when?: string) => `  - zone: package-0\n    constraint: long_term\n    power: ${power}\n${when ? `    when: ${when}\n` : ''}`;
  test('ac and battery: both planned, one in force', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'apply', profile(`version: 1\nlimits:\n${item('20W', 'ac')}${item('10W', 'battery')}`), '--power-source', 'ac']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(snapAttr(s.file, 'intel-rapl:0', 'constraint_0_power_limit_uw'), '20000000\n');
  });
  for (const [a, b, on] of [['ac', 'ac', ' on ac'], [undefined, 'battery', ''], ['battery', undefined, '']] as const) {
    test(`${a ?? 'no when'} and ${b ?? 'no when'}: refused at the second item's line, whichever source applies`, () => {
      const s = copy('intel-laptop');
      const before = fs.readFileSync(s.file);
      const f = profile(`version: 1\nlimits:\n${item('20W', a)}${item('10W', b)}`);
      for (const source of ['ac', 'battery']) {
        const r = run(['--snapshot', s.file, 'apply', f, '--power-source', source]);
        assert.equal(r.code, 2, r.stderr);
        const line = a === undefined ? 8 : 9; // the second item's power
        assert.match(r.stderr, new RegExp(`^powercapctl: .*profile\\.yaml:${line}: limits\\[1\\]\\.power: intel-rapl:0 \\(package-0\\) long_term power_limit_uw is already set${on} by limits\\[0\\] \\(line 3\\)`, 'm'));
      }
      assert.deepEqual(fs.readFileSync(s.file), before, 'nothing written');
    });
  }
  test('an item for the other power source is checked all the same: a bad zone there fails on AC', () => {
    const s = copy('intel-laptop');
    const r = run(['--snapshot', s.file, 'apply', profile(`version: 1\nlimits:\n${item('20W', 'ac')}  - zone: package-7\n    power: 10W\n    when: battery\n`), '--power-source', 'ac']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /profile\.yaml:7: limits\[1\]\.zone: /);
  });
});

describe('bad input', () => {
  for (const [value, shown] of [['mains', ', not "mains"'], ['AC', ', not "AC"'], ['1', ''], ['[ac, battery]', ''], ['', '']] as const) {
    test(`when: ${value || '(empty)'} is exit 2 at its line`, () => {
      const t = liveLaptop();
      const f = profile(`version: 1\nlimits:\n  - zone: package-0\n    power: 20W\n    when: ${value}\n`);
      const r = run(['--root', t.classRoot, 'apply', f]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split('\n')[0], `powercapctl: ${f}:5: limits[0].when: expected ac or battery (the power source the item holds on)${shown}`);
      assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), '28000000\n', 'nothing written');
    });
  }

  test('a missing power supply folder: AC, said once on stderr', () => {
    const t = liveLaptop();
    const missing = path.join(tempDir(), 'no-power-supply');
    const r = run(['--root', t.classRoot, '--power-supply-root', missing, 'apply', AC_BATTERY]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), '25000000\n');
    const said = r.stderr.split('\n').filter((l) => l.includes(missing));
    assert.deepEqual(said, [`warning: ${missing}: not found: AC assumed for the items with when: (--power-source battery says otherwise)`]);
    assert.match(r.stdout, /^on AC \(assumed\): /m);
  });

  test('an unreadable power supply folder: AC, said once (EACCES)', { skip: NOBODY ? false : 'needs root, to run as another user' }, () => {
    const t = liveLaptop();
    const dir = machine('onBattery');
    fs.chmodSync(path.dirname(dir), 0o755);
    fs.chmodSync(dir, 0o700);
    const r = run(['--root', t.classRoot, '--power-supply-root', dir, '--json', 'apply', '--check', AC_BATTERY], NOBODY!);
    const said = r.stderr.split('\n').filter((l) => l.includes(dir));
    assert.deepEqual(said, [`warning: ${dir}: cannot be read (EACCES): AC assumed for the items with when: (--power-source battery says otherwise)`]);
    assert.deepEqual(r.json().powerSource, { kind: 'ac', from: 'power-supply', root: dir, by: 'no-folder', supply: null });
  });

  test('a FIFO in place of online is refused, never waited on: left out, said once, the battery decides', () => {
    const t = liveLaptop();
    const dir = supplies([{ name: 'AC', device: 'ACPI0003:00', type: 'Mains', online: { fifo: true } }, ...SUPPLIES.onBattery.supplies.slice(1)]);
    const r = run(['--root', t.classRoot, '--power-supply-root', dir.classRoot, 'apply', AC_BATTERY], { timeoutMs: 10000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter((l) => l.includes('online')), [`warning: ${dir.classRoot}/AC/online cannot be read (EFTYPE): left out when telling AC from battery`]);
    assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 0), '12000000\n');
  });

  test('--power-source takes ac or battery only', () => {
    const r = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'apply', '--check', AC_BATTERY, '--power-source', 'mains']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--power-source/);
  });
});

// ------------------------------------------------------------------ apply --watch

describe('apply --watch follows the power source', () => {
  test('unplugged mid-run: the battery\'s items are applied, logged as applied, not as drift', async () => {
    const t = liveLaptop();
    const ps = supplies(SUPPLIES.acOnline.supplies);
    const state = path.join(tempDir(), 'state.json');
    const { bin, cwd } = binFor();
    const child = spawn(bin, ['--root', t.classRoot, '--power-supply-root', ps.classRoot, 'apply', '--watch', '100ms', '--state', state, AC_BATTERY],
      { env: cleanEnv(), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const until = async (cond: () => boolean, what: string) => {
      const end = Date.now() + 15000;
      while (!cond()) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`waiting for ${what}:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await until(() => /^applied: intel-rapl:0 \(package-0\) long_term power limit was 28 W, now 25 W$/m.test(stderr), 'the items for AC');
      assert.match(stderr, /^watching 3 items of .*profile\.yaml every 100 ms on AC \(AC online\)$/m);
      const online = path.join(ps.supplyDir('AC'), 'online');
      fs.chmodSync(online, 0o644);
      fs.writeFileSync(online, '0\n');
      await until(() => limitOf(t.classRoot, 'intel-rapl:0', 0) === '12000000\n', '12 W on battery');
      await until(() => /^applied: intel-rapl:0 \(package-0\) long_term power limit was 25 W, now 12 W$/m.test(stderr), 'the log line');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /^power source: battery \(BAT0, no AC online\): applying the items for battery$/m);
    assert.doesNotMatch(stderr, /drift/);
    assert.equal(JSON.parse(fs.readFileSync(state, 'utf8')).drifts, 0);
    assert.equal(limitOf(t.classRoot, 'intel-rapl:0', 1), '40000000\n');
  });
});

// ------------------------------------------------------------------ profile save, persist

describe('profile save --when, --merge', () => {
  const laptop = path.join(EXAMPLES, 'intel-laptop.json');
  test('--when tags every item; the file applies back with nothing to change on that source', () => {
    const out = path.join(tempDir(), 'battery.yaml');
    const r = run(['--snapshot', laptop, 'profile', 'save', out, '--when', 'battery']);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, /^# powercapctl profile: the limits of snapshot .* \(when: battery\) at /m);
    assert.match(text, /^  - zone: intel-rapl\/package-0\n    constraint: long_term\n    power: 28W\n    timeWindow: 27983872us\n    enabled: true\n    when: battery$/m);
    const items = text.match(/^  - zone:/gm)!.length;
    assert.equal(text.match(/^    when: battery$/gm)!.length, items);
    const again = run(['--snapshot', laptop, '--json', 'apply', '--check', out, '--power-source', 'battery']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().settings > 0, true);
    const onAc = run(['--snapshot', laptop, '--json', 'apply', '--check', out, '--power-source', 'ac']);
    assert.equal(onAc.json().settings, 0);
    assert.equal(onAc.json().aside.length, items);
    const json = run(['--snapshot', laptop, '--json', 'profile', 'save', '-', '--when', 'ac']);
    assert.ok(json.json().limits.every((l: any) => l.when === 'ac'));
  });

  test('--merge: the items for battery replaced by the limits set now, those for AC kept, one without when kept for AC', () => {
    const s = copy('intel-laptop');
    // the AC and battery profile, with 9 W on battery and a description
    const f = profile(fs.readFileSync(AC_BATTERY, 'utf8').replace('12W', '9W').replace('version: 1\n', 'version: 1\ndescription: kept\n'), 'merge.yaml');
    // on battery, the limits are changed by hand, then saved into the file
    assert.equal(run(['--snapshot', s.file, 'set-limit', 'intel-rapl:0', '11W', '--yes']).code, 0);
    const r = run(['--snapshot', s.file, 'profile', 'save', f, '--when', 'battery', '--merge']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /saved .*merge\.yaml: \d+ limits \(merged: 1 item for battery replaced, 2 kept for the other power source\)/);
    const text = fs.readFileSync(f, 'utf8');
    assert.match(text, /^description: "kept"$/m);
    assert.match(text, /^  - zone: intel-rapl:0\n    constraint: long_term\n    power: 25W\n    when: ac\n  - zone: intel-rapl:0\n    constraint: short_term\n    power: 40W\n    when: ac\n/m);
    assert.doesNotMatch(text, /9W/);
    assert.match(text, /^  - zone: intel-rapl\/package-0\n    constraint: long_term\n    power: 11W\n    timeWindow: 27983872us\n    enabled: true\n    when: battery$/m);
    // the merged file holds on both: in state on battery, planned on AC
    assert.equal(run(['--snapshot', s.file, 'apply', '--check', f, '--power-source', 'battery']).code, 0);
    assert.equal(run(['--snapshot', s.file, 'apply', '--check', f, '--power-source', 'ac']).code, 7);
  });

  test('--merge needs --when, excludes --force, and a file to merge into; a file that does not read is not rewritten', () => {
    const f = profile('version: 1\nlimits:\n  - zone: package-0\n    power: 20W\n    when: sometimes\n', 'bad.yaml');
    const before = fs.readFileSync(f, 'utf8');
    const noWhen = run(['--snapshot', laptop, 'profile', 'save', f, '--merge']);
    assert.equal(noWhen.code, 2);
    assert.match(noWhen.stderr, /--merge replaces the items of one power source/);
    assert.equal(run(['--snapshot', laptop, 'profile', 'save', f, '--merge', '--when', 'ac', '--force']).code, 2);
    assert.equal(run(['--snapshot', laptop, 'profile', 'save', '-', '--merge', '--when', 'ac']).code, 2);
    const bad = run(['--snapshot', laptop, 'profile', 'save', f, '--merge', '--when', 'ac']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:5: limits\[0\]\.when: expected ac or battery/);
    assert.equal(fs.readFileSync(f, 'utf8'), before);
    // into a file that is not there yet: as without --merge
    const fresh = path.join(tempDir(), 'fresh.yaml');
    assert.equal(run(['--snapshot', laptop, 'profile', 'save', fresh, '--merge', '--when', 'ac']).code, 0);
    assert.match(fs.readFileSync(fresh, 'utf8'), /when: ac/);
  });

  test('schema/profile.schema.json takes when: ac|battery and nothing else', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/profile.schema.json'), 'utf8'));
    assert.equal(validate(schema, { version: 1, limits: [{ zone: 'psys', power: '1W', when: 'ac' }, { zone: 'psys', power: '1W', when: 'battery' }] }), null);
    assert.notEqual(validate(schema, { version: 1, limits: [{ zone: 'psys', power: '1W', when: 'mains' }] }), null);
  });
});

describe('persist install with a profile for AC and battery', () => {
  test('into an image: the profile installed as is, the udev rule re-applies on a Mains or USB* change', () => {
    const img = tempDir();
    const file = path.join(EXAMPLES, 'profile-laptop-ac-battery.yaml');
    const r = run(['persist', 'install', file, '--root-dir', img]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(img, 'etc/powercapctl/profile.yaml'), 'utf8'), fs.readFileSync(file, 'utf8'));
    const rule = fs.readFileSync(path.join(img, 'etc/udev/rules.d/70-powercapctl.rules'), 'utf8');
    assert.match(rule, /^ACTION=="change", SUBSYSTEM=="power_supply", ATTR\{type\}=="Mains\|USB\*", RUN\+=/m);
  });
});
