/**
 * doctor: each finding id on a tree built to have it (and not on one that does
 * not), with the evidence a user would check: the effective limit of two
 * package copies, the processes found in /proc, the kernel's "locked by BIOS"
 * line, wrap times worked out by hand, and not-persisted going away once
 * persist install ran.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, fixture, exampleCopy, EXAMPLES, NOBODY, ROOT } from './helpers.js';
import { validate } from '../src/core/snapshot/validate.js';
import { intelLaptop, xeon2s } from './fixtures/specs.js';
import { watchMachine } from './fixtures/watch.js';
import { makeTempDir, type FixtureSpec } from './fixtures/sysfs.js';
import { writeProc, cpuinfo } from './fixtures/proc.js';

const cleanups: Array<() => void> = [];
after(() => { for (const c of cleanups) c(); });
function tempDir() {
  const d = makeTempDir('powercapctl-doctor-');
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}
function live(spec: FixtureSpec) {
  const t = fixture(spec);
  cleanups.push(t.cleanup);
  return t;
}

const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/doctor.schema.json'), 'utf8'));

interface Finding { id: string; severity: string; title: string; evidence: string[]; fix: string; zones?: string[] }

/**
 * doctor --json with an empty kernel log and an empty root dir unless given, and on a live tree a
 * quiet /proc (a snapshot takes none: this machine's processes say nothing of the snapshot's).
 */
function doctor(args: string[], o: { proc?: string; rootDir?: string; kernelLog?: string | null; uid?: number; gid?: number } = {}): { code: number | null; findings: Finding[]; byId: (id: string) => Finding | undefined; stderr: string } {
  const live = !args.includes('--snapshot');
  const proc = live ? ['--proc', o.proc ?? writeProc(path.join(tempDir(), 'proc'), {})] : [];
  let log: string[] = [];
  if (o.kernelLog !== null) {
    const file = o.kernelLog ?? path.join(tempDir(), 'kern.log');
    if (!fs.existsSync(file)) fs.writeFileSync(file, '');
    log = ['--kernel-log', file];
  }
  const r = run([...args, '--json', 'doctor', ...proc, '--root-dir', o.rootDir ?? tempDir(), ...log],
    o.uid !== undefined ? { uid: o.uid, gid: o.gid! } : {});
  const findings: Finding[] = r.code === 0 ? r.json().findings : [];
  if (r.code === 0) assert.equal(validate(SCHEMA, r.json()), null, 'the output follows schema/doctor.schema.json');
  return { code: r.code, findings, byId: (id) => findings.find((f) => f.id === id), stderr: r.stderr };
}

describe('doctor findings', () => {
  test('msr-mmio-differ: the laptop\'s package-0 at 28 W through MSR and 15 W through MMIO; effective 15 W', () => {
    const d = doctor(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json')]);
    assert.equal(d.code, 0, d.stderr);
    const f = d.byId('msr-mmio-differ')!;
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.zones, ['intel-rapl:0', 'intel-rapl-mmio:0']);
    assert.deepEqual(f.evidence, ['long_term: intel-rapl:0 28 W, intel-rapl-mmio:0 15 W: effective 15 W (the lower, held by intel-rapl-mmio:0)']);
    assert.match(f.fix, /set-limit intel-rapl:0=POWER intel-rapl-mmio:0=POWER/);
    // once both copies hold one limit, the finding is gone
    const t = live(intelLaptop);
    fs.writeFileSync(path.join(t.classRoot, 'intel-rapl-mmio:0/constraint_0_power_limit_uw'), '28000000\n');
    assert.equal(doctor(['--root', t.classRoot]).byId('msr-mmio-differ'), undefined);
  });

  test('not-persisted: a limit away from its default and no units; gone after persist install', () => {
    const rootDir = tempDir();
    const d = doctor(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json')], { rootDir });
    const f = d.byId('not-persisted')!;
    assert.ok(f, JSON.stringify(d.findings));
    assert.equal(f.evidence[0], 'intel-rapl-mmio:0 (package-0) long_term: 15 W, default 28 W');
    assert.match(f.fix, /persist install/);
    // persist installs what applies to a live tree: the laptop fixture's limits (those of the example)
    const t = live(intelLaptop);
    assert.equal(doctor(['--root', t.classRoot], { rootDir }).byId('not-persisted')?.evidence[0], f.evidence[0]);
    const p = run(['--root', t.classRoot, 'persist', 'install', '--root-dir', rootDir]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(doctor(['--root', t.classRoot], { rootDir }).byId('not-persisted'), undefined);
    assert.equal(doctor(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json')], { rootDir }).byId('not-persisted'), undefined);
    // every limit at its default: nothing to persist
    assert.equal(doctor(['--snapshot', path.join(EXAMPLES, 'xeon-2s.json')]).byId('not-persisted'), undefined);
  });

  test('competing-writer: thermald, throttled (a Python script) and power-profiles-daemon (comm cut at 15) found in /proc', () => {
    const t = live(xeon2s);
    const proc = writeProc(path.join(tempDir(), 'proc'), {
      processes: [
        { pid: 812, comm: 'thermald', argv: ['/usr/sbin/thermald', '--systemd', '--dbus-enable'] },
        { pid: 901, comm: 'python3', argv: ['/usr/bin/python3', '/usr/lib/throttled/throttled.py', '--config', '/etc/throttled.conf'] },
        { pid: 955, comm: 'power-profiles-', argv: ['/usr/libexec/power-profiles-daemon'] },
        { pid: 1200, comm: 'bash', argv: ['-bash'] },
      ],
    });
    const f = doctor(['--root', t.classRoot], { proc }).byId('competing-writer')!;
    assert.ok(f);
    assert.equal(f.title, 'another program writes power limits: thermald, throttled, power-profiles-daemon');
    assert.deepEqual(f.evidence.slice(0, 3), [
      'pid 812: thermald (/usr/sbin/thermald --systemd --dbus-enable)',
      'pid 901: python3 (/usr/bin/python3 /usr/lib/throttled/throttled.py --config /etc/throttled.conf)',
      'pid 955: power-profiles- (/usr/libexec/power-profiles-daemon)',
    ]);
    assert.match(f.fix, /systemctl disable --now thermald/);
    assert.equal(doctor(['--root', t.classRoot]).byId('competing-writer'), undefined, 'a quiet /proc: nothing found');
  });

  test('limit-locked: enabled reads 0 with constraints, and the kernel\'s "locked by BIOS" line', () => {
    const locked: FixtureSpec = JSON.parse(JSON.stringify(xeon2s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    locked.controlTypes[0]!.zones[1]!.enabled = 0;
    const t = live(locked);
    const log = path.join(tempDir(), 'kern.log');
    fs.writeFileSync(log, '[    2.100000] intel_rapl_common: Found RAPL domain package\n[    2.100100] intel_rapl_common: package-1:package:long_term locked by BIOS\n');
    const f = doctor(['--root', t.classRoot], { kernelLog: log }).byId('limit-locked')!;
    assert.ok(f);
    assert.deepEqual(f.evidence, [
      'intel-rapl:1 (package-1): enabled reads 0 with constraints present (the long_term limit is locked)',
      'kernel: [    2.100100] intel_rapl_common: package-1:package:long_term locked by BIOS',
    ]);
    assert.deepEqual(f.zones, ['intel-rapl:1']);
    assert.equal(doctor(['--root', live(xeon2s).classRoot]).byId('limit-locked'), undefined);
    // AMD: enabled reads 0 but there are no constraints to lock
    assert.equal(doctor(['--snapshot', path.join(EXAMPLES, 'amd-epyc.json')]).byId('limit-locked'), undefined);
  });

  test('wrap-horizon: a 60 J counter at 35 W (the largest limit) wraps every 1.71 s: a warning at 1 s, fine at 100 ms', () => {
    const t = live(watchMachine);
    const slow = doctor(['--root', t.classRoot]).byId('wrap-horizon')!;
    assert.equal(slow.severity, 'warning');
    // 60 000 000 µJ / 35 000 000 µW = 1.714 s < 2 × 1 s
    assert.deepEqual(slow.evidence, ['intel-rapl:0 (package-0): 60.0 J range at 35 W wraps every 1.714 s']);
    assert.match(slow.fix, /sample more often than every 857\.143 ms/);
    assert.deepEqual(slow.zones, ['intel-rapl:0']);
    const fast = run(['--root', t.classRoot, '--json', 'doctor', '--interval', '100ms', '--proc', writeProc(path.join(tempDir(), 'p'), {}), '--kernel-log', '/dev/null']);
    assert.equal(fast.json().findings.find((f: Finding) => f.id === 'wrap-horizon').severity, 'info');
    // the laptop: 262 143 328 850 µJ at 121 W (peak_power) = 2166 s = 36.1 min
    const laptop = doctor(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json')]).byId('wrap-horizon')!;
    assert.equal(laptop.severity, 'info');
    assert.ok(laptop.evidence.includes('intel-rapl:0 (package-0): 262.1 kJ range at 121 W wraps every 36.1 min'));
  });

  test('dtpm-unlimited: rk3399\'s virtual nodes read 0 after boot', () => {
    const f = doctor(['--snapshot', path.join(EXAMPLES, 'rk3399-dtpm.json')]).byId('dtpm-unlimited')!;
    assert.deepEqual(f.zones, ['dtpm:0', 'dtpm:0:0']);
    assert.equal(f.severity, 'info');
  });

  test('not-root: energy_uj is 0400; an ordinary user gets EACCES', { skip: NOBODY === null ? 'tests do not run as root' : false }, () => {
    const t = live(xeon2s);
    const d = doctor(['--root', t.classRoot], { uid: NOBODY!.uid, gid: NOBODY!.gid });
    const f = d.byId('not-root')!;
    assert.ok(f, d.stderr + JSON.stringify(d.findings));
    assert.equal(f.evidence[0], `intel-rapl:0 (package-0): reading energy_uj gives EACCES (uid ${NOBODY!.uid})`);
    assert.match(f.fix, /grant-read GROUP/);
    assert.equal(doctor(['--root', t.classRoot]).byId('not-root'), undefined, 'root reads it');
  });

  test('no-powercap: VM, WSL, container, kernel config and unloaded modules each named as the evidence', () => {
    const missing = path.join(tempDir(), 'no-such-tree');
    const vm = doctor(['--root', missing], { proc: writeProc(path.join(tempDir(), 'p'), { cpuinfo: cpuinfo(true) }) });
    assert.equal(vm.code, 0, vm.stderr);
    assert.equal(vm.findings.length, 1);
    const f = vm.byId('no-powercap')!;
    assert.equal(f.severity, 'error');
    assert.match(f.evidence.join('\n'), /does not exist\n.*has the 'hypervisor' flag: a virtual machine/);
    const wsl = doctor(['--root', missing], { proc: writeProc(path.join(tempDir(), 'p'), { version: 'Linux version 5.15.153.1-microsoft-standard-WSL2 (root@1c602f52c2e4)\n' }) }).byId('no-powercap')!;
    assert.match(wsl.evidence.join('\n'), /names Microsoft: this is WSL/);
    const ct = doctor(['--root', missing], { proc: writeProc(path.join(tempDir(), 'p'), { init: { environ: ['container=podman'] } }) }).byId('no-powercap')!;
    assert.match(ct.evidence.join('\n'), /pid 1 runs with container=podman: a container/);
    const noConfig = writeProc(path.join(tempDir(), 'p'), {});
    fs.writeFileSync(path.join(noConfig, 'config.gz'), gzipSync('CONFIG_PM=y\n# CONFIG_POWERCAP is not set\n'));
    const cfg = doctor(['--root', missing], { proc: noConfig }).byId('no-powercap')!;
    assert.match(cfg.evidence.join('\n'), /config\.gz: CONFIG_POWERCAP is not set/);
    assert.match(cfg.fix, /CONFIG_POWERCAP=y/);
    const mod = doctor(['--root', missing], { proc: writeProc(path.join(tempDir(), 'p'), { modules: ['snd 1 0 - Live 0x0'] }) }).byId('no-powercap')!;
    assert.match(mod.evidence.join('\n'), /intel_rapl_msr and intel_rapl_common are not loaded/);
    assert.match(mod.fix, /modprobe intel_rapl_msr/);
  });

  test('limit-locked on a snapshot: no kernel log is read unless given (this machine\'s says nothing of it), and the fix names the unlocked interface', () => {
    const s = exampleCopy('intel-laptop');
    cleanups.push(s.cleanup);
    const doc = JSON.parse(fs.readFileSync(s.file, 'utf8'));
    doc.powercap.dirs['intel-rapl-mmio'].dirs['intel-rapl-mmio:0'].attrs.enabled = { text: '0\n' };
    fs.writeFileSync(s.file, JSON.stringify(doc, null, 2) + '\n');
    const f = doctor(['--snapshot', s.file], { kernelLog: null }).byId('limit-locked')!;
    assert.ok(f);
    assert.deepEqual(f.evidence, [
      'intel-rapl-mmio:0 (package-0): enabled reads 0 with constraints present (the long_term limit is locked)',
      'no kernel log to search for the lock line (--kernel-log FILE: the log of the machine the snapshot came from)',
    ]);
    // the MMIO copy is the locked one: the other interface is MSR
    assert.match(f.fix, /else set the other interface \(intel-rapl\) if it is not locked/);
    const withLog = doctor(['--snapshot', s.file]).byId('limit-locked')!;
    assert.equal(withLog.evidence.length, 1, 'a log given (empty): searched, nothing to add');
  });

  test('--proc is this machine\'s: refused with a snapshot (exit 2), before anything is read', () => {
    const r = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'doctor', '--proc', '/proc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^powercapctl: --proc applies to a live tree \(--root\), not to a snapshot \(--snapshot\)$/m);
    assert.equal(r.stdout, '');
  });

  test('human output: severity, id, evidence and fix per finding; a summary line', () => {
    const r = run(['--snapshot', path.join(EXAMPLES, 'intel-laptop.json'), 'doctor', '--root-dir', tempDir(), '--kernel-log', '/dev/null']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^warning msr-mmio-differ: package-0 holds different limits through MSR \(intel-rapl\) and MMIO \(intel-rapl-mmio\): the lower of the enabled copies' limits is in force$/m);
    assert.match(r.stdout, /^    fix: set both copies at once/m);
    assert.match(r.stdout, /^2 problems: 0 errors, 2 warnings \(10 checks\)$/m);
  });
});
