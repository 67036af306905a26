/**
 * Keeping limits set: persist install/status/remove into a folder (--root-dir),
 * every unit checked by the real `systemd-analyze verify`, all-or-nothing
 * installs, grant-read, and the drift watchdog (apply --watch) running against a
 * fixture tree on tmpfs while another process rewrites a limit: the limit comes
 * back within two intervals, the drift is logged, and a write that keeps failing
 * is retried with a doubling delay.
 */
import { setWriterProcess } from '../src/core/atomic.js';
import { writerProcess } from '../src/cli/main.js';
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, BIN, ROOT, EXAMPLES, cleanEnv, scratch, requireTool, toolPath, TOOLS } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { inOverlayEtc, systemctlSkip, withoutExecWarning } from './fixtures/etc-overlay.js';
import { remove, writeAll } from '../src/core/persist/install.js';
import { absolutePath, groupName } from '../src/cli/option-values.js';
import { PowercapError } from '../src/core/errors.js';

import { CounterWriter, watchFixture, watchMachine } from './fixtures/watch.js';

const { cleanups, liveLaptop, tempDir } = scratch('powercapctl-persist-');
const LAPTOP_PROFILE = path.join(EXAMPLES, 'profile-laptop.yaml');
const UNITS = ['powercapctl-apply.service', 'powercapctl-resume.service', 'powercapctl-watch.service'];


/** Every file under dir (links as "-> target"), relative, sorted. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

describe('persist install into a folder (--root-dir)', () => {
  test('units, udev rule, enablement links and the profile; every unit passes systemd-analyze verify', requireTool(TOOLS.systemdAnalyze), () => {
    const sa = toolPath(TOOLS.systemdAnalyze)!;
    const img = tempDir();
    const r = run(['--json', 'persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--watch', '30s']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().systemctl, [], 'no systemctl call for a folder');
    assert.deepEqual(listing(img), [
      'etc/powercapctl/profile.yaml',
      'etc/systemd/system/hibernate.target.wants/powercapctl-resume.service -> ../powercapctl-resume.service',
      'etc/systemd/system/hybrid-sleep.target.wants/powercapctl-resume.service -> ../powercapctl-resume.service',
      'etc/systemd/system/multi-user.target.wants/powercapctl-apply.service -> ../powercapctl-apply.service',
      'etc/systemd/system/multi-user.target.wants/powercapctl-watch.service -> ../powercapctl-watch.service',
      'etc/systemd/system/powercapctl-apply.service',
      'etc/systemd/system/powercapctl-resume.service',
      'etc/systemd/system/powercapctl-watch.service',
      'etc/systemd/system/suspend-then-hibernate.target.wants/powercapctl-resume.service -> ../powercapctl-resume.service',
      'etc/systemd/system/suspend.target.wants/powercapctl-resume.service -> ../powercapctl-resume.service',
      'etc/udev/rules.d/70-powercapctl.rules',
    ]);
    assert.equal(fs.readFileSync(path.join(img, 'etc/powercapctl/profile.yaml'), 'utf8'), fs.readFileSync(LAPTOP_PROFILE, 'utf8'));
    const unit = (n: string) => fs.readFileSync(path.join(img, 'etc/systemd/system', n), 'utf8');
    const exec = fs.realpathSync(BIN);
    assert.match(unit('powercapctl-apply.service'), new RegExp(`^ExecStart=${exec} apply /etc/powercapctl/profile.yaml --state /var/lib/powercapctl/state.json$`, 'm'));
    assert.match(unit('powercapctl-apply.service'), /^Type=oneshot$/m);
    assert.match(unit('powercapctl-apply.service'), /^WantedBy=multi-user.target$/m);
    assert.match(unit('powercapctl-resume.service'), /^After=suspend.target hibernate.target hybrid-sleep.target suspend-then-hibernate.target$/m);
    assert.match(unit('powercapctl-resume.service'), /^WantedBy=suspend.target hibernate.target hybrid-sleep.target suspend-then-hibernate.target$/m);
    assert.match(unit('powercapctl-watch.service'), new RegExp(`^ExecStart=${exec} apply /etc/powercapctl/profile.yaml --state /var/lib/powercapctl/state.json --watch 30s$`, 'm'));
    assert.match(unit('powercapctl-watch.service'), /^Restart=on-failure$/m);
    const rule = fs.readFileSync(path.join(img, 'etc/udev/rules.d/70-powercapctl.rules'), 'utf8');
    assert.match(rule, /^ACTION=="add", SUBSYSTEM=="powercap", RUN\+="\/bin\/systemctl --no-block start powercapctl-apply.service"$/m);
    assert.match(rule, /^ACTION=="change", SUBSYSTEM=="power_supply", ATTR\{type\}=="Mains\|USB\*", RUN\+="\/bin\/systemctl --no-block start powercapctl-apply.service"$/m);

    for (const u of UNITS) {
      const v = spawnSync(sa, ['verify', '--man=no', path.join(img, 'etc/systemd/system', u)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(v.status, 0, `${u}: ${v.stderr}`);
      assert.equal(v.stderr.trim(), '', `${u}: systemd-analyze verify says nothing: ${v.stderr}`);
    }
    // the command the units run works: the installed profile parses and checks
    const check = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'apply', '--check', path.join(img, 'etc/powercapctl/profile.yaml')]);
    assert.equal(check.code, 7, check.stderr);
  });

  test('systemd-analyze verify catches a broken unit (the check is real)', requireTool(TOOLS.systemdAnalyze), () => {
    const sa = toolPath(TOOLS.systemdAnalyze)!;
    const d = tempDir();
    fs.writeFileSync(path.join(d, 'broken.service'), '[Service]\nType=oneshot\nExecStart=/nonexistent/powercapctl apply\n');
    const v = spawnSync(sa, ['verify', '--man=no', path.join(d, 'broken.service')], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(v.status, 0);
    assert.match(v.stderr, /is not executable/);
  });

  test('status: installed, watchdog, last apply and drifts from the state file; remove keeps the profile, --purge does not', () => {
    const img = tempDir();
    const t = liveLaptop();
    assert.equal(run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img]).code, 0);
    let s = run(['--json', 'persist', 'status', '--root-dir', img]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.json().installed, true);
    assert.equal(s.json().watch.installed, false);
    assert.equal(s.json().state, null);
    // what the apply unit runs, with the image's state file
    const state = path.join(img, 'var/lib/powercapctl/state.json');
    const a = run(['--root', t.classRoot, 'apply', path.join(img, 'etc/powercapctl/profile.yaml'), '--state', state]);
    assert.equal(a.code, 0, a.stderr);
    s = run(['--json', 'persist', 'status', '--root-dir', img]);
    assert.equal(s.json().state.lastApply.ok, true);
    assert.equal(s.json().state.lastApply.changedSettings, 3);
    const human = run(['persist', 'status', '--root-dir', img]);
    assert.match(human.stdout, /^installed: yes/m);
    assert.match(human.stdout, /^last apply: .*: 3 of 5 settings changed$/m);
    assert.match(human.stdout, /^drifts restored: 0$/m);

    const rm = run(['--json', 'persist', 'remove', '--root-dir', img]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(rm.json().kept, ['/etc/powercapctl/profile.yaml']);
    assert.deepEqual(listing(path.join(img, 'etc')), ['powercapctl/profile.yaml']);
    assert.equal(run(['--json', 'persist', 'status', '--root-dir', img]).json().installed, false);
    assert.equal(run(['persist', 'remove', '--root-dir', img, '--purge']).code, 0);
    assert.deepEqual(listing(path.join(img, 'etc')), []);
    assert.equal(fs.existsSync(state), false);
  });

  test('without FILE: the limits set now become the profile, and the machine is in its state', () => {
    const img = tempDir();
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'persist', 'install', '--root-dir', img]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /profile from the limits set now \(5\)/);
    const p = path.join(img, 'etc/powercapctl/profile.yaml');
    assert.match(fs.readFileSync(p, 'utf8'), /zone: intel-rapl-mmio\/package-0\n    constraint: long_term\n    power: 15W/);
    assert.equal(run(['--root', t.classRoot, 'apply', '--check', p]).code, 0);
    // installing again keeps that profile
    const again = run(['--root', t.classRoot, 'persist', 'install', '--root-dir', img]);
    assert.match(again.stdout, /profile from \/etc\/powercapctl\/profile.yaml \(kept\)/);
  });

  test('a bad profile installs nothing; a failing write puts back what was written (all or nothing)', () => {
    const img = tempDir();
    const bad = path.join(tempDir(), 'bad.yaml');
    fs.writeFileSync(bad, 'version: 1\nlimits:\n  - zone: psys\n    power: 20\n');
    const r = run(['persist', 'install', bad, '--root-dir', img]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.yaml:4: limits\[0\]\.power: invalid power '20': a unit is required/);
    assert.deepEqual(listing(img), []);
    // etc/udev is a file: the rule cannot be written after the units were
    fs.mkdirSync(path.join(img, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(img, 'etc/udev'), 'not a directory\n');
    const f = run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img]);
    assert.equal(f.code, 3, f.stderr); // ENOTDIR: a folder on the path is missing (core/errors.ts exitForErrno)
    assert.match(f.stderr, /cannot write .*70-powercapctl\.rules: ENOTDIR; nothing was installed/);
    assert.deepEqual(listing(img), ['etc/udev'], 'the profile and units written before were removed');
  });
});

describe('persist install: the program the units run', () => {
  const warning = /^warning: the units run (\S+) as root, (.*); name an installed powercapctl with --exec \(e\.g\. \/usr\/bin\/powercapctl\)$/m;

  test('a powercapctl run from a temporary folder (a clone in /tmp): a warning naming the path and --exec; the units still written', () => {
    // a clone of the package in a temporary folder: the launcher and package.json copied, the build and packages linked
    const clone = fs.mkdtempSync('/tmp/powercapctl-clone-');
    cleanups.push(() => fs.rmSync(clone, { recursive: true, force: true }));
    fs.mkdirSync(path.join(clone, 'bin'));
    for (const f of ['bin/powercapctl', 'bin/package.json', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(clone, f));
    fs.chmodSync(path.join(clone, 'bin/powercapctl'), 0o755);
    for (const d of ['dist', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(clone, d));
    const img = tempDir();
    const r = spawnSync(path.join(clone, 'bin/powercapctl'), ['persist', 'install', LAPTOP_PROFILE, '--root-dir', img], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = warning.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(m[1], path.join(clone, 'bin/powercapctl'));
    assert.match(m[2]!, /^in a temporary folder \(\/tmp\): it may be gone after a reboot/);
    assert.match(fs.readFileSync(path.join(img, 'etc/systemd/system/powercapctl-apply.service'), 'utf8'), new RegExp(`^ExecStart=${path.join(clone, 'bin/powercapctl')} apply `, 'm'));
  });

  test('--exec in a home folder or a world-writable one: a warning; an installed path: none', () => {
    const img = tempDir();
    const home = run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--exec', '/home/alice/src/powercapctl/bin/powercapctl']);
    assert.equal(home.code, 0, home.stderr);
    assert.match(home.stderr, /the units run \/home\/alice\/src\/powercapctl\/bin\/powercapctl as root, in a home folder \(\/home\): its owner can change what root runs; name an installed powercapctl with --exec/);
    const open = path.join(tempDir(), 'open');
    fs.mkdirSync(open, { mode: 0o777 });
    fs.chmodSync(open, 0o777);
    const ww = run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--exec', path.join(open, 'powercapctl')]);
    assert.match(ww.stderr, /as root, in a temporary folder/, 'under /tmp: temporary first');
    const usr = run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--exec', '/usr/bin/powercapctl']);
    assert.equal(usr.code, 0, usr.stderr);
    assert.equal(usr.stderr, '');
    assert.match(fs.readFileSync(path.join(img, 'etc/systemd/system/powercapctl-apply.service'), 'utf8'), /^ExecStart=\/usr\/bin\/powercapctl apply \/etc\/powercapctl\/profile.yaml --state \/var\/lib\/powercapctl\/state.json$/m);
    const rel = run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--exec', 'bin/powercapctl']);
    assert.equal(rel.code, 2);
    assert.match(rel.stderr, /^powercapctl: --exec bin\/powercapctl: not an absolute path$/m);
  });

  test('persist works on the live tree its units act on: a snapshot is refused (exit 2)', () => {
    const img = tempDir();
    for (const sub of [['install', '--root-dir', img], ['status', '--root-dir', img], ['remove', '--root-dir', img]]) {
      const r = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'persist', ...sub]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`persist ${sub[0]} works on a live tree, not on a snapshot`));
    }
    assert.deepEqual(listing(img), []);
  });
});

/**
 * On the running system (the default root, /): run over an overlay of /etc in a private mount
 * namespace (test/fixtures/etc-overlay.ts), so the real /etc is never written. There is no
 * systemd as pid 1 and no udev daemon here, so systemctl and udevadm fail as they do in a
 * container or a chroot; on a machine booted with systemd the calls would reach the host's
 * systemd, so the test is skipped there.
 */
describe('on / with systemctl and udevadm failing', { skip: systemctlSkip }, () => {
  test('persist install: the files are installed, the JSON printed with "ok": false, then exit 1 naming what failed', () => {
    const t = liveLaptop();
    const r = inOverlayEtc(['--root', t.classRoot, '--json', 'persist', 'install', LAPTOP_PROFILE]);
    cleanups.push(r.cleanup);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.format, 'powercapctl-persist-install');
    assert.deepEqual(j.systemctl.map((c: { command: string; ok: boolean }) => [c.command, c.ok]), [
      ['/bin/systemctl daemon-reload', false], ['/usr/bin/udevadm control --reload', false],
      ['/bin/systemctl start powercapctl-apply.service', false],
    ], 'no watchdog was installed: none is stopped (systemctl stop fails on a unit it does not know)');
    assert.match(withoutExecWarning(r.stderr), /^powercapctl: 3 of 3 calls failed \(\/bin\/systemctl daemon-reload, .*\); first: .*; the profile, units and udev rule are installed\n  run them by hand once systemd and udev are up\n$/);
    assert.ok(r.created.includes('powercapctl/profile.yaml') && r.created.includes('systemd/system/powercapctl-apply.service'), r.created.join('\n'));
  });

  test('a watchdog installed before and not asked for now is stopped; remove stops it too', () => {
    const t = liveLaptop();
    const before = 'mkdir -p /etc/systemd/system && printf "[Service]\\nExecStart=/bin/true\\n" > /etc/systemd/system/powercapctl-watch.service';
    const r = inOverlayEtc(['--root', t.classRoot, '--json', 'persist', 'install', LAPTOP_PROFILE], { before });
    cleanups.push(r.cleanup);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).systemctl.map((c: { command: string }) => c.command).slice(-1), ['/bin/systemctl stop powercapctl-watch.service']);
    const rm = inOverlayEtc(['--json', 'persist', 'remove'], { before });
    cleanups.push(rm.cleanup);
    assert.deepEqual(JSON.parse(rm.stdout).systemctl.map((c: { command: string }) => c.command)[0], '/bin/systemctl stop powercapctl-watch.service');
  });

  test('persist install of a profile with a misspelt constraint on a package name: refused (exit 3) against this machine, nothing installed', () => {
    const t = liveLaptop();
    const bad = path.join(tempDir(), 'typo.yaml');
    fs.writeFileSync(bad, 'version: 1\nlimits:\n  - zone: package-0\n    constraint: longterm\n    power: 20W\n');
    const r = inOverlayEtc(['--root', t.classRoot, 'persist', 'install', bad]);
    cleanups.push(r.cleanup);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /typo\.yaml:4: limits\[0\]\.constraint: intel-rapl:0 \(package-0\) has no constraint 'longterm'\n  its constraints: long_term \(0\), short_term \(1\), peak_power \(2\)\n$/);
    assert.deepEqual(r.created, []);
  });

  test('persist remove and grant-read: exit 1 naming the failed call, the JSON still printed', () => {
    const rm = inOverlayEtc(['--json', 'persist', 'remove']);
    cleanups.push(rm.cleanup);
    assert.equal(rm.code, 1, rm.stderr);
    assert.equal(JSON.parse(rm.stdout).format, 'powercapctl-persist-remove');
    assert.match(rm.stderr, /^powercapctl: 2 of 2 calls failed \(\/bin\/systemctl daemon-reload, \/usr\/bin\/udevadm control --reload\); first: .*; nothing was installed$/m);
    const g = inOverlayEtc(['--json', 'grant-read', 'root']);
    cleanups.push(g.cleanup);
    assert.equal(g.code, 1, g.stderr);
    const j = JSON.parse(g.stdout);
    // without a udev daemon the reload fails; the trigger may succeed (it writes uevent files itself)
    assert.deepEqual(j.commands.map((c: { command: string }) => c.command), ['/usr/bin/udevadm control --reload', '/usr/bin/udevadm trigger --subsystem-match=powercap --action=add']);
    assert.equal(j.commands[0].ok, false);
    assert.match(g.stderr, /^powercapctl: (\/usr\/bin\/udevadm control --reload failed|2 of 2 calls failed \(.*\); first): .*; \/etc\/udev\/rules\.d\/71-powercapctl-energy\.rules is written$/m);
    assert.deepEqual(g.created.filter((c) => c.includes('powercapctl')), ['udev/rules.d/71-powercapctl-energy.rules']);
  });
});

describe('a signal between two files: everything put back (core/persist/install.ts)', () => {
  // core's writer knows this process as the program tells it (cli/main.ts)
  setWriterProcess(writerProcess());
  const interruptAfter = (n: number) => {
    let seen = 0;
    return { isInterrupted: () => seen++ >= n, interruptedBy: () => ({ signal: 'SIGTERM', exitCode: 143 }) };
  };
  test('writeAll: the files written before are removed, one that was there gets its content and mode back; exit 143', async () => {
    const img = tempDir();
    fs.mkdirSync(path.join(img, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(img, 'etc/b.conf'), 'mine\n', { mode: 0o600 });
    const files = ['a', 'b', 'c'].map((n) => ({ path: `/etc/${n}.conf`, content: `${n} new\n`, role: n }));
    await assert.rejects(writeAll(img, files, interruptAfter(2)), (e: any) => e.exitCode === 143 && e.message === 'interrupted by SIGTERM: nothing was installed');
    assert.deepEqual(listing(img), ['etc/b.conf']);
    assert.equal(fs.readFileSync(path.join(img, 'etc/b.conf'), 'utf8'), 'mine\n');
    assert.equal(fs.statSync(path.join(img, 'etc/b.conf')).mode & 0o777, 0o600);
  });
  test('remove: what was removed before the signal is put back', async () => {
    const img = tempDir();
    assert.equal(run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img]).code, 0);
    const before = listing(img);
    await assert.rejects(remove(img, true, interruptAfter(3)), (e: any) => e.exitCode === 143 && /nothing was removed/.test(e.message));
    assert.deepEqual(listing(img), before);
  });
});

describe('the parsers of grant-read\'s GROUP and persist install --exec', () => {
  const refused = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof PowercapError && e.exitCode === 2);
  test('groupName: useradd\'s names, at most 32 characters, nothing a udev rule could misread', () => {
    for (const g of ['power', '_svc', 'prometheus-2', 'a'.repeat(32)]) assert.equal(groupName.parse(g), g);
    for (const g of ['', '0day', '-x', 'a b', 'x:y', 'a"b', 'bad group!', 'a'.repeat(33), 'é']) refused(() => groupName.parse(g));
  });
  test('absolutePath: a path from /', () => {
    const p = absolutePath('/usr/bin/powercapctl');
    assert.equal(p.parse('/opt/p c/powercapctl'), '/opt/p c/powercapctl');
    for (const x of ['powercapctl', './bin/powercapctl', '~/bin/powercapctl', '']) refused(() => p.parse(x));
  });
});

describe('grant-read', () => {
  test('prints the PLATYPUS trade-off, then writes the udev rule; --tmpfiles writes a tmpfiles.d line', () => {
    const img = tempDir();
    fs.mkdirSync(path.join(img, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(img, 'etc/group'), 'root:x:0:\npower:x:998:alice\n');
    const r = run(['grant-read', 'power', '--root-dir', img]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: energy_uj is readable by root only since November 2020 \(CVE-2020-8694, "PLATYPUS"\)/);
    assert.doesNotMatch(r.stderr, /warning: no group/);
    const rule = fs.readFileSync(path.join(img, 'etc/udev/rules.d/71-powercapctl-energy.rules'), 'utf8');
    assert.match(rule, /^ACTION=="add", SUBSYSTEM=="powercap", TEST=="energy_uj", RUN\+="\/bin\/chgrp power %S%p\/energy_uj", RUN\+="\/bin\/chmod 0440 %S%p\/energy_uj"$/m);
    assert.match(rule, /^# .*CVE-2020-8694/m);
    const t = run(['--json', 'grant-read', 'prometheus', '--root-dir', img, '--tmpfiles']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.json().file, '/etc/tmpfiles.d/powercapctl-energy.conf');
    assert.match(t.stderr, /warning: no group 'prometheus' in .*etc\/group/);
    assert.match(fs.readFileSync(path.join(img, 'etc/tmpfiles.d/powercapctl-energy.conf'), 'utf8'), /^z \/sys\/class\/powercap\/\*\/energy_uj 0440 root prometheus -$/m);
  });

  test('a group name a rule could misread is refused (exit 2) by the argument\'s parser: nothing printed before, nothing written', () => {
    const img = tempDir();
    for (const g of ['power", RUN+="/bin/sh', 'x:y', 'a b', '0day', 'bad group!']) {
      const r = run(['grant-read', g, '--root-dir', img]);
      assert.equal(r.code, 2, `${g}: ${r.stderr}`);
      assert.equal(r.stderr, `powercapctl: GROUP ${g}: invalid group name\n  a group name is letters, digits, _ and -, at most 32, not starting with a digit or -\n`);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(listing(img), []);
  });
});

// ------------------------------------------------------------------ the drift watchdog

/** Spawn apply --watch; collects stderr; resolves lines as they come. */
function startWatch(args: string[], env: Record<string, string> = {}) {
  const child = spawn(BIN, args, { env: cleanEnv(env), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...waiters]) {
      const m = w.re.exec(stderr);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  cleanups.push(() => { clearTimeout(timer); child.kill('SIGKILL'); });
  return {
    child,
    get stderr() { return stderr; },
    waitFor(re: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
      const m = re.exec(stderr);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; stderr:\n${stderr}`)), ms);
        waiters.push({ re, resolve: (x) => { clearTimeout(t); resolve(x); } });
      });
    },
    async stop(): Promise<number | null> { child.kill('SIGTERM'); const c = await exited; clearTimeout(timer); return c; },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('apply --watch: the drift watchdog', () => {
  test('another process rewrites a limit: it comes back within two intervals, the drift is logged and recorded', async () => {
    const t = watchFixture(watchMachine);
    cleanups.push(t.cleanup);
    // the counters keep moving meanwhile, as on a running machine
    const writer = new CounterWriter(t, { 'intel-rapl:0': 20 });
    cleanups.push(() => void writer.stop());
    await writer.ready();
    const dir = tempDir();
    const p = path.join(dir, 'profile.yaml');
    fs.writeFileSync(p, 'version: 1\nlimits:\n  - zone: package-0\n    power: 20W\n');
    // the state file where the installed units keep it, so that persist status reads it
    const state = path.join(dir, 'var/lib/powercapctl/state.json');
    const INTERVAL_MS = 500;
    const w = startWatch(['--root', t.classRoot, 'apply', p, '--watch', `${INTERVAL_MS}ms`, '--state', state]);
    await w.waitFor(/^applied: intel-rapl-mmio:0 \(package-0\) long_term power limit was 15 W, now 20 W$/m);
    const limit = path.join(t.classRoot, 'intel-rapl:0', 'constraint_0_power_limit_uw');
    assert.equal(fs.readFileSync(limit, 'utf8'), '20000000\n');

    // the competing writer: another process puts 35 W back, as firmware or thermald would
    const rewrote = Date.now();
    const other = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(limit)}, '35000000\\n')`]);
    assert.equal(other.status, 0);
    let restoredAfter = -1;
    while (Date.now() - rewrote < 4 * INTERVAL_MS) {
      if (fs.readFileSync(limit, 'utf8') === '20000000\n') { restoredAfter = Date.now() - rewrote; break; }
      await sleep(10);
    }
    assert.ok(restoredAfter >= 0, `the limit came back (stderr: ${w.stderr})`);
    assert.ok(restoredAfter <= 2 * INTERVAL_MS, `within two intervals: ${restoredAfter} ms`);
    await w.waitFor(/^drift: intel-rapl:0 \(package-0\) long_term power limit was 35 W, restored 20 W$/m);
    const st = JSON.parse(fs.readFileSync(state, 'utf8'));
    assert.equal(st.drifts, 1);
    assert.deepEqual([st.recentDrifts[0].zone, st.recentDrifts[0].found, st.recentDrifts[0].restored], ['intel-rapl:0', 35000000, 20000000]);
    assert.equal(st.watch.pid, w.child.pid);
    const status = run(['persist', 'status', '--root-dir', dir]);
    assert.match(status.stdout, new RegExp(`^drifts restored: 1 \\(watchdog running, pid ${w.child.pid}\\)$`, 'm'));
    assert.match(status.stdout, /^  \S+  intel-rapl:0 \(package-0\) long_term power_limit_uw: found 35000000, restored 20000000$/m);

    // the profile is edited: the next pass reads it and applies the new limit
    fs.writeFileSync(p, 'version: 1\nlimits:\n  - zone: package-0\n    power: 22W\n');
    await w.waitFor(/^profile .*profile\.yaml changed: 1 items$/m);
    await w.waitFor(/^applied: intel-rapl-mmio:0 \(package-0\) long_term power limit was 20 W, now 22 W$/m);
    assert.equal(fs.readFileSync(limit, 'utf8'), '22000000\n');
    assert.equal(JSON.parse(fs.readFileSync(state, 'utf8')).drifts, 1, 'a profile change is not drift');
    assert.equal(await w.stop(), 0, w.stderr);
    assert.match(w.stderr, /^stopped$/m);
    assert.equal(JSON.parse(fs.readFileSync(state, 'utf8')).watch, null);
    await writer.stop();
    process.stdout.write(`# watchdog restored the limit ${restoredAfter} ms after the rewrite (interval ${INTERVAL_MS} ms)\n`);
  });

  test('a write that keeps failing is retried with a doubling delay, and nothing is left half-applied', async () => {
    const t = fixture(intelLaptop);
    cleanups.push(t.cleanup);
    const dir = tempDir();
    const p = path.join(dir, 'profile.yaml');
    fs.writeFileSync(p, 'version: 1\nlimits:\n  - zone: package-0\n    power: 20W\n');
    const w = startWatch(['--root', t.classRoot, 'apply', p, '--watch', '200ms'],
      { POWERCAPCTL_FAULTS: 'write:*/intel-rapl-mmio:0/constraint_0_power_limit_uw=EIO' });
    await w.waitFor(/retrying in 1\.6 s/, 8000);
    const delays = [...w.stderr.matchAll(/^apply failed: .*EIO.*; retrying in (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(delays.slice(0, 3), ['400 ms', '800 ms', '1.6 s']);
    assert.match(w.stderr, /rolled back: intel-rapl:0 \(package-0\) long_term power limit 20 W → 28 W/);
    assert.equal(fs.readFileSync(path.join(t.classRoot, 'intel-rapl:0', 'constraint_0_power_limit_uw'), 'utf8'), '28000000\n');
    assert.equal(await w.stop(), 0);
  });

  test('--watch refuses a snapshot, --check and an interval outside 100 ms to 24 h (exit 2, naming it); --state and --force refuse --check', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'apply', LAPTOP_PROFILE, '--watch', '1s'], /^powercapctl: --watch applies to a live tree \(--root\), not to a snapshot \(--snapshot\)$/m],
      [['apply', LAPTOP_PROFILE, '--watch', '1s', '--check'], /^powercapctl: --watch and --check contradict each other: give one$/m],
      [['apply', LAPTOP_PROFILE, '--watch', '99ms'], /^powercapctl: --watch 99ms: too short \(allowed: 100ms to 24h\)$/m],
      [['apply', LAPTOP_PROFILE, '--watch', '25h'], /^powercapctl: --watch 25h: too long \(allowed: 100ms to 24h\)$/m],
      [['apply', LAPTOP_PROFILE, '--check', '--state', path.join(tempDir(), 's.json')], /^powercapctl: --state records what apply wrote/m],
      [['apply', LAPTOP_PROFILE, '--check', '--force'], /^powercapctl: --force and --check/m],
      [['persist', 'install', LAPTOP_PROFILE, '--root-dir', tempDir(), '--watch', '50ms'], /^powercapctl: --watch 50ms: too short \(allowed: 100ms to 24h\)$/m],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    // the bounds themselves are accepted (a bare number is seconds)
    const img = tempDir();
    assert.equal(run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--watch', '100ms']).code, 0);
    assert.equal(run(['persist', 'install', LAPTOP_PROFILE, '--root-dir', img, '--watch', '86400']).code, 0);
    assert.match(fs.readFileSync(path.join(img, 'etc/systemd/system/powercapctl-watch.service'), 'utf8'), /--watch 1440min$/m);
  });
});
