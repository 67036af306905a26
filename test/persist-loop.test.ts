/**
 * Keeping a budget running (issue 20, item 5): a profile's balance: or govern: section, read with
 * the options' own parsers and refused at its line (exit 2 for a value, 6 for the shape) before
 * anything is written; apply leaving it to its service; persist install writing that service beside
 * the apply units (checked by the real `systemd-analyze verify`), status showing it, remove taking
 * it away; `balance --profile FILE` running the section and writing back the limits it found on
 * SIGTERM; doctor naming a running balance as a writer of limits, from a /proc written by the test
 * and from this machine's own while one runs.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, BIN, EXAMPLES, ROOT, scratch, requireTool, toolPath, TOOLS } from './helpers.js';
import { ndjson, start, stop, waitFor, writeThermal, rk3399Board, RK3399_BOOT, RK3399_LEAVES } from './fixtures/running.js';
import { writeProc } from './fixtures/proc.js';
import { inOverlayEtc, systemctlSkip, withoutExecWarning } from './fixtures/etc-overlay.js';
import { validate, type Schema } from '../src/core/snapshot/validate.js';
import type { PeriodRecord } from '../src/core/balance/controller.js';

const s = scratch('powercapctl-loop-');
const schemaOf = (name: string): Schema => JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', `${name}.schema.json`), 'utf8'));
const BALANCE_PROFILE = path.join(EXAMPLES, 'profile-balance-rk3399.yaml');
const LEAVES = RK3399_LEAVES;
const BOOT = RK3399_BOOT;
const board = () => rk3399Board(s.cleanups);

const UNIT_DIR = 'etc/systemd/system';

describe('a profile\'s balance: section, and apply', () => {
  test('apply writes the limits, checks the section and leaves it to its service (text and JSON); --check does not compare it', () => {
    const c = s.copy('rk3399-dtpm');
    const profile = s.file([
      'version: 1',
      'limits:',
      '  - zone: dtpm:0',
      '    power: 5W',
      'balance:',
      '  budget: 2.5W',
      '  under: dtpm:0:0',
      '  interval: 200ms',
      '  weights:',
      '    dtpm:0:0:2: 2',
      '',
    ].join('\n'), 'p.yaml');
    const r = run(['--snapshot', c.file, 'apply', profile]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.at(-2), '1 changed, 0 unchanged');
    assert.equal(lines.at(-1), `balance: (line 5): run by its service, not by apply: powercapctl balance --profile ${profile} (persist install runs it as powercapctl-balance.service)`);
    const j = run(['--snapshot', c.file, '--json', 'apply', '--check', profile]);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(validate(schemaOf('apply'), j.json()), null);
    assert.deepEqual(j.json().loop, { command: 'balance', line: 5, unit: 'powercapctl-balance.service' });
    assert.equal(j.json().settings, 1, 'the limit only: the loop\'s zones are not compared');
    // a profile with only a section needs no limits:
    const only = run(['--snapshot', c.file, '--json', 'apply', '--check', BALANCE_PROFILE]);
    assert.equal(only.code, 0, only.stderr);
    assert.deepEqual([only.json().settings, only.json().loop.line], [0, 7]);
  });

  test('mistakes are said at their line and key before anything is written: exit 2 for a value, 6 for the shape', () => {
    const c = s.copy('rk3399-dtpm');
    const before = fs.readFileSync(c.file, 'utf8');
    const head = 'version: 1\nlimits:\n  - zone: dtpm:0\n    power: 5W\n';
    const cases: Array<[string, number, RegExp]> = [
      ['balance:\n  budget: 2.5\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:6: balance\.budget: invalid power '2\.5': a unit is required\n  use a number with a unit/],
      ['balance:\n  budget: 2W\n  interval: 5ms\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:7: balance\.interval: too short \(allowed: 10ms to 24h\)\n$/],
      ['balance:\n  budget: 2W\n  budget-file: /run/b.yaml\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:6: balance\.budget: not with budget-file \(line 7\): give one\n$/],
      ['balance:\n  budget: 2W\n  fallback-budget: 1W\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:7: balance\.fallback-budget: needs budget-file\n$/],
      ['balance:\n  budget: 2W\n  weights:\n    dtpm:0:0:2: 200\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:8: balance\.weights: dtpm:0:0:2: out of range \(0\.01 to 100\)\n$/],
      ['govern:\n  thermal-zone: skin-therm\n  target: 45C\n  switch-on: 50C\n  under: dtpm:0:0\n', 2, /^powercapctl: p\.yaml:8: govern\.switch-on: not below the target \(line 7\)/],
      ['balance:\n  budgt: 2W\n  under: dtpm:0:0\n', 6, /^powercapctl: p\.yaml:6: balance\.budgt: unknown key \(a balance section has zones, budget, budget-file, fallback-budget, under, interval, weights, mins, constraint, report\)\n/],
      ['balance:\n  budget: 2W\n  dry-run: true\n  under: dtpm:0:0\n', 6, /balance\.dry-run: unknown key .*\n  .*--dry-run, --duration, --keep are given on the command line\n$/],
      ['balance:\n  under: dtpm:0:0\n', 6, /^powercapctl: p\.yaml:5: balance: missing budget or budget-file: the power the zones share/],
      ['balance:\n  budget: 2W\n', 6, /^powercapctl: p\.yaml:5: balance: no zones: give zones .* or under/],
      ['balance:\n  budget: [1W, 2W]\n  under: dtpm:0:0\n', 6, /^powercapctl: p\.yaml:6: balance\.budget: expected one value\n$/],
      ['balance:\n  budget: 2W\n  weights: [dtpm:0:0:2]\n  under: dtpm:0:0\n', 6, /^powercapctl: p\.yaml:7: balance\.weights: expected each zone with its value/],
      ['govern:\n  thermal-zone: skin-therm\n  under: dtpm:0:0\n', 6, /^powercapctl: p\.yaml:5: govern: missing target: the temperature to hold/],
      ['balance:\n  budget: 2W\n  under: dtpm:0:0\ngovern:\n  target: 45C\n', 6, /^powercapctl: p\.yaml:8: govern: a profile has one balance or govern section: balance: is at line 5\n$/],
    ];
    for (const [section, code, re] of cases) {
      const dir = s.tempDir();
      fs.writeFileSync(path.join(dir, 'p.yaml'), head + section);
      const r = run(['--snapshot', c.file, 'apply', 'p.yaml'], { cwd: dir });
      assert.equal(r.code, code, `${section}: ${r.stderr}`);
      assert.match(r.stderr, re, section);
      assert.equal(r.stdout, '');
    }
    assert.equal(fs.readFileSync(c.file, 'utf8'), before, 'nothing written');
  });

  test('profile save --merge keeps the section as written', () => {
    const file = path.join(s.tempDir(), 'm.yaml');
    fs.copyFileSync(BALANCE_PROFILE, file);
    const r = run(['--snapshot', path.join(EXAMPLES, 'rk3399-dtpm.json'), 'profile', 'save', file, '--when', 'ac', '--merge']);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /\nbalance:\n {2}budget: "2\.5W"\n {2}under: dtpm:0:0\n {2}interval: "200ms"\n {2}weights:\n {4}dtpm:0:0:2: "2"\n {2}mins:\n {4}dtpm:0:0:1: "400mW"\n$/);
    const check = run(['--snapshot', path.join(EXAMPLES, 'rk3399-dtpm.json'), '--json', 'apply', '--check', file]);
    assert.equal(check.json().loop.command, 'balance', check.stderr);
  });
});

describe('persist install: the loop\'s service', () => {
  test('the balance unit beside the apply units: ExecStart, After, KillSignal, Restart; systemd-analyze verify; status; govern replaces it; remove takes it away', requireTool(TOOLS.systemdAnalyze), () => {
    const sa = toolPath(TOOLS.systemdAnalyze)!;
    const img = s.tempDir();
    const r = run(['--json', 'persist', 'install', BALANCE_PROFILE, '--root-dir', img]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(validate(schemaOf('persist-install'), r.json()), null);
    assert.deepEqual(r.json().units, ['powercapctl-apply.service', 'powercapctl-resume.service', 'powercapctl-balance.service']);
    const unitPath = (n: string) => path.join(img, UNIT_DIR, n);
    const unit = fs.readFileSync(unitPath('powercapctl-balance.service'), 'utf8');
    const exec = fs.realpathSync(BIN);
    assert.match(unit, new RegExp(`^ExecStart=${exec} balance --profile /etc/powercapctl/profile\\.yaml$`, 'm'));
    assert.match(unit, /^After=powercapctl-apply\.service$/m);
    assert.match(unit, /^Wants=powercapctl-apply\.service$/m);
    assert.match(unit, /^Type=simple$/m);
    assert.match(unit, /^KillSignal=SIGTERM$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, /^RestartPreventExitStatus=2 6$/m);
    assert.match(unit, /^WantedBy=multi-user\.target$/m);
    assert.equal(fs.readlinkSync(path.join(img, UNIT_DIR, 'multi-user.target.wants/powercapctl-balance.service')), '../powercapctl-balance.service');
    for (const u of ['powercapctl-apply.service', 'powercapctl-balance.service']) {
      const v = spawnSync(sa, ['verify', '--man=no', unitPath(u)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(v.status, 0, `${u}: ${v.stderr}`);
      assert.equal(v.stderr.trim(), '', `${u}: systemd-analyze verify says nothing: ${v.stderr}`);
    }
    const st = run(['--json', 'persist', 'status', '--root-dir', img]);
    assert.equal(validate(schemaOf('persist-status'), st.json()), null);
    assert.equal(st.json().installed, true);
    assert.deepEqual(st.json().loop, { command: 'balance', unit: 'powercapctl-balance.service', enabled: true, exec: `${exec} balance --profile /etc/powercapctl/profile.yaml` });
    assert.match(run(['persist', 'status', '--root-dir', img]).stdout, /^balance or govern: powercapctl-balance\.service enabled: .* balance --profile \/etc\/powercapctl\/profile\.yaml$/m);

    // a govern profile: its unit instead (the balance one goes with the install)
    const gov = s.file('version: 1\ngovern:\n  thermal-zone: skin-therm\n  target: 45C\n  ambient: 25C\n  under: dtpm:0:0\n', 'g.yaml');
    assert.equal(run(['persist', 'install', gov, '--root-dir', img]).code, 0);
    assert.equal(fs.existsSync(unitPath('powercapctl-balance.service')), false);
    assert.equal(fs.existsSync(path.join(img, UNIT_DIR, 'multi-user.target.wants/powercapctl-balance.service')), false);
    assert.match(fs.readFileSync(unitPath('powercapctl-govern.service'), 'utf8'), new RegExp(`^ExecStart=${exec} govern --profile /etc/powercapctl/profile\\.yaml$`, 'm'));
    const v = spawnSync(sa, ['verify', '--man=no', unitPath('powercapctl-govern.service')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(`${v.status} ${v.stderr.trim()}`, '0 ', 'the govern unit passes too');

    const rm = run(['--json', 'persist', 'remove', '--root-dir', img]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.ok(rm.json().removed.includes('/etc/systemd/system/powercapctl-govern.service'));
    assert.ok(rm.json().removed.includes('/etc/systemd/system/multi-user.target.wants/powercapctl-govern.service'));
    assert.deepEqual(fs.readdirSync(path.join(img, UNIT_DIR)), [], 'every unit and link gone');

    // a profile without a section, installed over one with: no loop unit left
    assert.equal(run(['persist', 'install', BALANCE_PROFILE, '--root-dir', img]).code, 0);
    assert.equal(run(['persist', 'install', path.join(EXAMPLES, 'profile-laptop.yaml'), '--root-dir', img]).code, 0);
    assert.deepEqual(fs.readdirSync(path.join(img, UNIT_DIR)).filter((f) => /balance|govern/.test(f)), []);
  });
});

/** On / (an overlay of /etc: test/fixtures/etc-overlay.ts), where systemctl fails without systemd as pid 1. */
describe('persist install on / with a balance: section', { skip: systemctlSkip }, () => {
  test('its zones are checked against this machine first (a zone not there: exit 3 at the section, nothing installed); then the service is restarted', () => {
    const b = board();
    const bad = s.file('version: 1\nbalance:\n  budget: 2W\n  zones: [dtpm:0:0:0, dtpm:0:0:9]\n', 'bad.yaml');
    const r = inOverlayEtc(['--root', b.root, 'persist', 'install', bad]);
    s.cleanups.push(r.cleanup);
    assert.equal(r.code, 3, r.stderr);
    assert.match(withoutExecWarning(r.stderr), /^powercapctl: .*bad\.yaml:2: balance: no zone 'dtpm:0:0:9'/);
    assert.deepEqual(r.created, []);

    const ok = inOverlayEtc(['--root', b.root, '--json', 'persist', 'install', BALANCE_PROFILE]);
    s.cleanups.push(ok.cleanup);
    assert.equal(ok.code, 1, 'systemctl fails here');
    assert.deepEqual(JSON.parse(ok.stdout).systemctl.map((c: { command: string }) => c.command).slice(-2),
      ['/bin/systemctl start powercapctl-apply.service', '/bin/systemctl restart powercapctl-balance.service']);
    assert.ok(ok.created.includes('systemd/system/powercapctl-balance.service'), ok.created.join('\n'));
    assert.deepEqual(b.limits(), BOOT, 'install writes no limit: the service does');
  });
});

describe('balance --profile and govern --profile: what the service runs', () => {
  test('the section runs (NDJSON records); SIGTERM writes back the limits found and exits 0', async () => {
    const b = board();
    const p = start(['--root', b.root, '--json', 'balance', '--profile', BALANCE_PROFILE]);
    await waitFor('two periods', () => ndjson(p).length >= 2 || (p.child.exitCode !== null && (() => { throw new Error(p.err()); })()));
    const recs = ndjson<PeriodRecord & { format: string }>(p);
    assert.equal(recs[0]!.format, 'powercapctl-balance');
    assert.deepEqual(recs[0]!.zones.map((z) => z.id), LEAVES, 'the leaves under dtpm:0:0');
    assert.equal(recs[0]!.budget.budgetUw, 2_500_000);
    assert.ok(b.limits().reduce((a, v) => a + Number(v), 0) <= 2_500_000);
    assert.equal(await stop(p, 'SIGTERM'), 0, p.err());
    assert.deepEqual(b.limits(), BOOT);
    assert.equal(ndjson<PeriodRecord>(p).at(-1)!.reason, 'restore');
  });

  test('beside --profile, an option the section holds or a ZONE is refused (exit 2); the run\'s own options go with it; the other section is named', () => {
    const b = board();
    const refused = (args: string[], re: RegExp) => {
      const r = run(['--root', b.root, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    };
    refused(['balance', '--profile', BALANCE_PROFILE, '--budget', '2W'], /^powercapctl: --profile: not with --budget\n {2}the profile's balance: section gives the zones and options/);
    refused(['balance', '--profile', BALANCE_PROFILE, 'dtpm:0:0:1'], /ZONE… with --profile: the zones come from the profile's balance: section/);
    refused(['govern', '--profile', BALANCE_PROFILE], /profile-balance-rk3399\.yaml has no govern: section \(its section is balance:, line 7\)\n {2}run powercapctl balance --profile /);
    refused(['balance', '--profile', path.join(EXAMPLES, 'profile-laptop.yaml')], /profile-laptop\.yaml has no balance: section/);
    // what the section names on the tree is said at the section
    const big = s.file('version: 1\nbalance:\n  budget: 2W\n  under: dtpm:0:0\n  mins:\n    dtpm:0:0:0: 3W\n', 'big.yaml');
    refused(['balance', '--profile', big], /big\.yaml:2: balance: --min dtpm:0:0:0=3 W: above the zone's maximum 716\.848 mW/);
    const d = run(['--root', b.root, '--json', 'balance', '--profile', BALANCE_PROFILE, '--dry-run', '--duration', '200ms']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal((JSON.parse(d.stdout.split('\n')[0]!) as PeriodRecord).dryRun, true);
    assert.deepEqual(b.limits(), BOOT);
  });

  test('govern --profile: the thermal zone, target and gains from the section', () => {
    const b = board();
    const thermal = s.tempDir();
    writeThermal(thermal, [{ type: 'skin-therm', tempMc: 30000 }]);
    const profile = s.file(`version: 1\ngovern:\n  thermal-zone: skin-therm\n  thermal-root: ${thermal}\n  target: 45C\n  switch-on: 35C\n  ambient: 25C\n  zones:\n    - dtpm:0:0:0\n    - dtpm:0:0:1\n    - dtpm:0:0:2\n  interval: 100ms\n`, 'g.yaml');
    const r = run(['--root', b.root, '--json', 'govern', '--profile', profile, '--duration', '100ms']);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as PeriodRecord;
    // 30 °C is below the switch-on temperature: the zones get their maximum
    assert.deepEqual([first.budget.governor!.mode, first.budget.governor!.controlTempMc, first.budget.budgetUw], ['maximum', 45000, 5_532_592]);
    assert.deepEqual(b.limits(), BOOT);
  });
});

describe('doctor: a running balance is a writer of limits', () => {
  test('from /proc: node running the launcher or the bundle with balance or govern; not doctor, not sudo\'s own process', () => {
    const b = board();
    const proc = writeProc(path.join(s.tempDir(), 'proc'), {
      processes: [
        { pid: 4242, comm: 'node', argv: ['/usr/bin/node', '/usr/lib/node_modules/powercapctl/bin/powercapctl', 'balance', '--profile', '/etc/powercapctl/profile.yaml'] },
        { pid: 4300, comm: 'node', argv: ['node', '/opt/powercapctl/dist/powercapctl.cjs', '--root', 'board/powercap', 'govern', '--thermal-zone', 'skin-therm', '--target', '45C', '--under', 'dtpm:0:0'] },
        { pid: 4400, comm: 'sudo', argv: ['sudo', 'powercapctl', 'balance', '--budget', '2W', 'dtpm:0:0:0'] },
        { pid: 4500, comm: 'node', argv: ['/usr/bin/node', '/usr/bin/powercapctl', 'doctor'] },
        { pid: 4600, comm: 'node', argv: ['node', '/srv/app/server.js', 'balance'] },
      ],
    });
    const r = run(['--root', b.root, '--json', 'doctor', '--proc', proc, '--kernel-log', '/dev/null', '--root-dir', s.tempDir()]);
    assert.equal(r.code, 0, r.stderr);
    const f = r.json().findings.find((x: { id: string }) => x.id === 'competing-writer');
    assert.ok(f, JSON.stringify(r.json().findings));
    assert.equal(f.title, 'another program writes power limits: powercapctl balance, powercapctl govern');
    assert.deepEqual(f.evidence, [
      'pid 4242: node (/usr/bin/node /usr/lib/node_modules/powercapctl/bin/powercapctl balance --profile /etc/powercapctl/profile.yaml)',
      'pid 4300: node (node /opt/powercapctl/dist/powercapctl.cjs --root board/powercap govern --thermal-zone skin-therm --target 45C --under dtpm:0:0)',
      'powercapctl balance moves the limits of its zones every period, to keep them under a budget',
      'powercapctl govern moves the limits of its zones every period, to hold a temperature',
    ]);
    assert.match(f.fix, /^powercapctl balance \(pid 4242\) moves the limits of its zones every period: set-limit or apply on one of them makes it let go of that zone .*sudo systemctl stop powercapctl-balance\.service when persist runs it, else kill -TERM 4242: it writes back the limits it found/);
    assert.match(f.fix, /; powercapctl govern \(pid 4300\) .*powercapctl-govern\.service/);
    assert.doesNotMatch(f.fix, /apply --watch/, 'the other writers\' advice is for them');
  });

  test('this machine\'s /proc while balance --profile runs: named by its pid', async () => {
    const b = board();
    const p = start(['--root', b.root, '--json', 'balance', '--profile', BALANCE_PROFILE]);
    await waitFor('a period', () => ndjson(p).length >= 1 || (p.child.exitCode !== null && (() => { throw new Error(p.err()); })()));
    const r = run(['--root', b.root, '--json', 'doctor', '--proc', '/proc', '--kernel-log', '/dev/null', '--root-dir', s.tempDir()]);
    assert.equal(await stop(p), 0, p.err());
    assert.equal(r.code, 0, r.stderr);
    const f = r.json().findings.find((x: { id: string }) => x.id === 'competing-writer');
    assert.ok(f?.evidence.some((e: string) => e.startsWith(`pid ${p.child.pid}: `) && e.includes(' balance --profile ')), JSON.stringify(f));
    assert.match(f.fix, new RegExp(`powercapctl balance \\(pid ${p.child.pid}\\)`));
  });
});
