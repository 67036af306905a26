/**
 * Nothing lost: every file the tool writes goes through one atomic writer (core/atomic.ts).
 * A full disk (a real 64 KiB tmpfs), two writers at once, real signals at random moments, a
 * symlinked snapshot and a user's snapshot edited by root: the old file stays whole, the new
 * one is complete, no temporary file is left, the exit code says what happened. A link another
 * user planted in a sticky world-writable folder is never written through (the kernel's
 * protected_symlinks rule), by any writer; a link the rule follows still is.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, exampleCopy, example, BIN, cleanEnv, ROOT, NOBODY, stagedPackage } from './helpers.js';
import { mayFollowLink } from '../src/core/atomic.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';

const cleanups: Array<() => void> = [];
after(() => { for (const c of cleanups.reverse()) c(); });

function copy(name: string) {
  const c = exampleCopy(name);
  cleanups.push(c.cleanup);
  return c;
}

/** Files in `dir` a write may leave behind by mistake. */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'));

/** The long_term power limit of a zone in a snapshot file, in µW. */
function snapLimit(file: string, zone: string): number {
  const r = run(['--snapshot', file, 'list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const z = (r.json().zones as Array<{ id: string; constraints: Array<{ name: string; powerLimitUw: number }> }>).find((x) => x.id === zone)!;
  return Number(z.constraints.find((c) => c.name === 'long_term')!.powerLimitUw);
}

// ------------------------------------------------------------------ a full disk

/** A real 64 KiB tmpfs, nearly full: `free` bytes left once `keep` is copied in. */
function smallDisk(): { dir: string; fill(free: number): void } {
  const dir = makeTempDir('powercapctl-tmpfs-');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(m.status, 0, `mount -t tmpfs needs root (the tests run as root in CI): ${m.stderr}`);
  cleanups.push(() => { spawnSync('umount', [dir]); fs.rmSync(dir, { recursive: true, force: true }); });
  return {
    dir,
    fill(free: number) {
      const f = path.join(dir, 'filler');
      fs.rmSync(f, { force: true });
      const fd = fs.openSync(f, 'w');
      const block = Buffer.alloc(1024);
      try { for (;;) fs.writeSync(fd, block); } catch { /* ENOSPC: full */ }
      fs.closeSync(fd);
      fs.truncateSync(f, Math.max(0, fs.statSync(f).size - free));
    },
  };
}

describe('a full disk: exit 1 naming ENOSPC, the old file untouched, no temporary file', () => {
  test('set-limit on a snapshot', () => {
    const disk = smallDisk();
    const file = path.join(disk.dir, 'laptop.json');
    fs.copyFileSync(example('intel-laptop'), file);
    const before = fs.readFileSync(file);
    disk.fill(1024); // room for the lock, not for a second copy of the snapshot
    const r = run(['--snapshot', file, 'set-limit', 'intel-rapl:0', '20W']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot write .*laptop\.json: ENOSPC \(no space left on the device\); the previous file, if any, is unchanged/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(leftovers(disk.dir), []);
  });

  test('snapshot save', () => {
    const disk = smallDisk();
    const file = path.join(disk.dir, 'saved.json');
    fs.writeFileSync(file, 'old\n');
    disk.fill(2048);
    const t = liveLaptop();
    const r = run(['--root', t.classRoot, 'snapshot', 'save', '--force', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /ENOSPC/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(leftovers(disk.dir), []);
  });

  test('model em --svg', () => {
    const disk = smallDisk();
    const svg = path.join(disk.dir, 'em.svg');
    fs.writeFileSync(svg, '<svg/>\n');
    disk.fill(1024);
    const r = run(['--snapshot', example('rk3399-dtpm'), 'model', 'em', '-d', 'cpu4', '--svg', svg]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot write .*em\.svg: ENOSPC/);
    assert.equal(fs.readFileSync(svg, 'utf8'), '<svg/>\n');
    assert.deepEqual(leftovers(disk.dir), []);
  });
});

// ------------------------------------------------------------------ two writers

function spawnRun(args: string[], env: Record<string, string> = {}): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill(sig: NodeJS.Signals): void; child: ReturnType<typeof spawn> } {
  const child = spawn(BIN, args, { env: cleanEnv(env), cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { done, child, kill: (sig) => { try { child.kill(sig); } catch { /* exited */ } } };
}

test('two set-limit runs on one snapshot at once: both changes land (20 trials)', async () => {
  const c = copy('intel-laptop');
  for (let i = 0; i < 20; i++) {
    const w = 5 + i;
    const a = spawnRun(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', `${w}W`]);
    const b = spawnRun(['--snapshot', c.file, 'set-limit', 'intel-rapl:1', `${w + 1}W`]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(snapLimit(c.file, 'intel-rapl:0'), w * 1e6, `trial ${i}: the first change was lost`);
    assert.equal(snapLimit(c.file, 'intel-rapl:1'), (w + 1) * 1e6, `trial ${i}: the second change was lost`);
  }
  assert.deepEqual(leftovers(c.dir), []);
});

test('a snapshot locked by a running powercapctl: waits, then exit 1 naming the lock', () => {
  const c = copy('intel-laptop');
  // a lock held by a live process (this test runner) that never lets go
  fs.writeFileSync(path.join(c.dir, '.intel-laptop.json.lock'), `${process.pid}\n`);
  const before = fs.readFileSync(c.file);
  const r = run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '20W']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /intel-laptop\.json is being changed by another powercapctl \(lock .*\.intel-laptop\.json\.lock\): nothing was changed/);
  assert.deepEqual(fs.readFileSync(c.file), before);
  // a lock left by a process that is gone is taken over
  fs.writeFileSync(path.join(c.dir, '.intel-laptop.json.lock'), '4194304\n');
  assert.equal(run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '20W']).code, 0);
  assert.deepEqual(leftovers(c.dir), []);
});

// ------------------------------------------------------------------ signals

function liveLaptop() {
  const t = fixture(intelLaptop);
  cleanups.push(t.cleanup);
  return t;
}
const limitFile = (t: { classRoot: string }, zone: string) => path.join(t.classRoot, zone, 'constraint_0_power_limit_uw');

describe('a signal between two writes rolls back, exit 128+N', () => {
  for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGQUIT', 131], ['SIGINT', 130]] as const) {
    test(`set-limit, ${sig}`, () => {
      const t = liveLaptop();
      const before = [fs.readFileSync(limitFile(t, 'intel-rapl:0'), 'utf8'), fs.readFileSync(limitFile(t, 'intel-rapl:1'), 'utf8')];
      const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=10W'], { env: { POWERCAPCTL_FAULTS: `after-write:#1=${sig}` } });
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, new RegExp(`interrupted by ${sig} before all writes were made: 1 earlier write was rolled back`));
      assert.deepEqual([fs.readFileSync(limitFile(t, 'intel-rapl:0'), 'utf8'), fs.readFileSync(limitFile(t, 'intel-rapl:1'), 'utf8')], before);
    });
  }
  test('apply, SIGTERM', () => {
    const c = copy('intel-laptop');
    const before = fs.readFileSync(c.file);
    const r = run(['--snapshot', c.file, 'apply', path.join(ROOT, 'examples/profile-laptop.yaml')], { env: { POWERCAPCTL_FAULTS: 'after-write:#1=SIGTERM' } });
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /interrupted by SIGTERM before all writes were made/);
    assert.deepEqual(fs.readFileSync(c.file), before);
    assert.deepEqual(leftovers(c.dir), []);
  });
});

test('real signals at random moments (24 trials): all or nothing written, no .tmp or .lock left, exit 0 or 128+N', async () => {
  const sigs = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
  const codes: Record<string, number> = { SIGTERM: 143, SIGINT: 130, SIGHUP: 129, SIGQUIT: 131 };
  const zones = ['intel-rapl:0', 'intel-rapl:1', 'intel-rapl:0:0', 'intel-rapl:0:1'];
  let interruptedRuns = 0;
  for (let i = 0; i < 24; i++) {
    const sig = sigs[i % 4]!;
    const onSnapshot = i % 2 === 0;
    const c = onSnapshot ? copy('intel-laptop') : null;
    const t = onSnapshot ? null : liveLaptop();
    const src = onSnapshot ? ['--snapshot', c!.file] : ['--root', t!.classRoot];
    const values = (): string => onSnapshot
      ? zones.map((z) => String(snapLimit(c!.file, z))).join(',')
      : zones.map((z) => fs.readFileSync(limitFile(t!, z), 'utf8').trim()).join(',');
    const before = values();
    const p = spawnRun([...src, 'set-limit', ...zones.map((z) => `${z}=9W`)]);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 200)));
    p.kill(sig);
    const res = await p.done;
    const after = values();
    const all = zones.map(() => '9000000').join(',');
    if (res.code === 0) assert.equal(after, all, `trial ${i}: exit 0 but not every write is there`);
    else {
      interruptedRuns++;
      // killed before the handlers were installed (signal), or trapped (128+N)
      assert.ok(res.signal === sig || res.code === codes[sig], `trial ${i}: ${sig} gave exit ${res.code} ${res.signal}: ${res.stderr}`);
      assert.ok(after === before || after === all, `trial ${i}: half a transaction left: ${before} → ${after}\n${res.stderr}`);
    }
    if (c) {
      assert.equal(run(['snapshot', 'check', c.file]).code, 0, `trial ${i}: the snapshot is no longer valid`);
      assert.deepEqual(leftovers(c.dir), [], `trial ${i}`);
    }
  }
  assert.ok(interruptedRuns > 0, 'no run was interrupted: the delays are too long for this machine');
});

test('SIGTERM/SIGINT during a large snapshot save: no .tmp file, the file whole or absent (20 trials)', async () => {
  const dir = makeTempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const big = liveLaptop();
  for (let i = 0; i < 20; i++) {
    const out = path.join(dir, `s${i}.json`);
    const p = spawnRun(['--root', big.classRoot, 'snapshot', 'save', out]);
    await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 250)));
    p.kill(i % 2 ? 'SIGTERM' : 'SIGINT');
    await p.done;
    assert.deepEqual(leftovers(dir), [], `trial ${i}`);
    if (fs.existsSync(out)) assert.equal(run(['snapshot', 'check', out]).code, 0, `trial ${i}: a partial file`);
  }
});

// ------------------------------------------------------------------ links, owners, modes

describe('the file behind the name', () => {
  test('a symlinked snapshot keeps its link: the change lands in the target', () => {
    const c = copy('intel-laptop');
    const link = path.join(c.dir, 'current.json');
    fs.symlinkSync('intel-laptop.json', link);
    const r = run(['--snapshot', link, 'set-limit', 'intel-rapl:0', '21W']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link was replaced by a file');
    assert.equal(snapLimit(c.file, 'intel-rapl:0'), 21e6);
    assert.deepEqual(leftovers(c.dir), []);
  });

  test("root editing a user's snapshot keeps its owner and mode", { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
    const c = copy('intel-laptop');
    fs.chownSync(c.file, 65534, 65534);
    fs.chmodSync(c.file, 0o664);
    const r = run(['--snapshot', c.file, 'set-limit', 'intel-rapl:0', '21W']);
    assert.equal(r.code, 0, r.stderr);
    const st = fs.statSync(c.file);
    assert.deepEqual([st.uid, st.gid, (st.mode & 0o7777).toString(8)], [65534, 65534, '664']);
  });
});

// ------------------------------------------------------------------ links another user planted

describe('the kernel\'s protected_symlinks rule (fs/namei.c may_follow_link), whatever the sysctl says here', () => {
  // follower 0 (root); a folder 1777 of root, /tmp's mode
  const tmp = { uid: 0, mode: 0o41777 };
  test('a link is followed for its owner, outside a sticky world-writable folder, or when the folder\'s owner owns it', () => {
    assert.equal(mayFollowLink({ uid: 0 }, tmp, 0), true, 'root\'s own link in /tmp');
    assert.equal(mayFollowLink({ uid: 65534 }, tmp, 0), false, 'nobody\'s link in /tmp, followed by root');
    assert.equal(mayFollowLink({ uid: 65534 }, { uid: 0, mode: 0o40777 }, 0), true, '0777 without the sticky bit');
    assert.equal(mayFollowLink({ uid: 65534 }, { uid: 0, mode: 0o41775 }, 0), true, 'sticky but not world-writable');
    assert.equal(mayFollowLink({ uid: 65534 }, { uid: 65534, mode: 0o41777 }, 0), true, 'the folder\'s owner owns the link');
    assert.equal(mayFollowLink({ uid: 0 }, tmp, 65534), true, 'root\'s link in root\'s /tmp, followed by nobody');
    assert.equal(mayFollowLink({ uid: 1000 }, tmp, 65534), false, 'one user\'s link followed by another');
  });
});

const asRoot = process.getuid?.() === 0;
const NOBODY_UID = 65534;

describe('a link planted in a sticky 1777 folder by another user (uid 65534) is refused by every writer, exit 1, the target untouched', { skip: !asRoot && 'needs root to plant a link owned by uid 65534' }, () => {
  const scene = () => {
    const shared = makeTempDir('powercapctl-sticky-');
    fs.chmodSync(shared, 0o1777);
    const priv = makeTempDir('powercapctl-private-');
    fs.chmodSync(priv, 0o700);
    cleanups.push(() => { fs.rmSync(shared, { recursive: true, force: true }); fs.rmSync(priv, { recursive: true, force: true }); });
    const secret = path.join(priv, 'secret');
    fs.writeFileSync(secret, 'root only\n', { mode: 0o600 });
    return { shared, priv, secret };
  };
  const plant = (target: string, at: string, uid = NOBODY_UID) => { fs.symlinkSync(target, at); fs.lchownSync(at, uid, uid); };
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const live = liveLaptop();
  const writers: Array<[string, (out: string) => string[]]> = [
    ['snapshot save', (o) => ['--root', live.classRoot, 'snapshot', 'save', '--force', o]],
    ['profile save', (o) => ['--snapshot', example('intel-laptop'), 'profile', 'save', '--force', o]],
    ['dtpm new', (o) => ['dtpm', 'new', '--force', o]],
    ['dtpm export -o', (o) => ['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export', '-o', o]],
    ['model em --svg', (o) => ['--snapshot', example('rk3399-dtpm'), 'model', 'em', '-d', 'cpu4', '--svg', o]],
    ['watch --textfile', (o) => ['--root', live.classRoot, 'watch', '-i', '1ms', '-n', '2', '--textfile', o]],
    ['watch --record', (o) => ['--root', live.classRoot, 'watch', '-i', '1ms', '-n', '2', '--json', '--record', o]],
    ['apply --state', (o) => ['--snapshot', copy('intel-laptop').file, 'apply', path.join(ROOT, 'examples/profile-laptop.yaml'), '--state', o]],
  ];
  for (const [name, args] of writers) {
    test(name, () => {
      const s = scene();
      const link = path.join(s.shared, 'out');
      plant(s.secret, link);
      const r = run(args(link));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^powercapctl: refused to write ${esc(link)}: it is a symbolic link owned by uid 65534 in ${esc(s.shared)}, a sticky world-writable folder owned by uid 0`));
      assert.equal(fs.readFileSync(s.secret, 'utf8'), 'root only\n');
      assert.equal(fs.statSync(s.secret).mode & 0o7777, 0o600);
      assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link was replaced');
      // a dangling link: nothing is created where it points
      const dangling = path.join(s.shared, 'dangling');
      plant(path.join(s.priv, 'new'), dangling);
      const d = run(args(dangling));
      assert.equal(d.code, 1, d.stderr);
      assert.match(d.stderr, /it is a symbolic link owned by uid 65534/);
      assert.deepEqual(fs.readdirSync(s.priv), ['secret'], 'a file was created where the link points');
      assert.deepEqual([...leftovers(s.shared), ...leftovers(s.priv)], []);
    });
  }

  test('set-limit on a snapshot reached through a planted link: refused before it is read, the snapshot untouched', () => {
    const s = scene();
    const snap = path.join(s.priv, 'snap.json');
    fs.copyFileSync(example('intel-laptop'), snap);
    const before = fs.readFileSync(snap);
    const link = path.join(s.shared, 'snap.json');
    plant(snap, link);
    const r = run(['--snapshot', link, 'set-limit', 'intel-rapl:0', '20W']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /it is a symbolic link owned by uid 65534/);
    assert.deepEqual(fs.readFileSync(snap), before);
    assert.deepEqual(fs.readdirSync(s.priv).sort(), ['secret', 'snap.json'], 'a lock or a temporary file was left');
  });

  test('every hop of a chain is checked: the user\'s own link to a planted one, and a planted link to a folder on the path', () => {
    const s = scene();
    const planted = path.join(s.shared, 'planted');
    plant(s.secret, planted);
    const own = path.join(s.shared, 'own');
    fs.symlinkSync(planted, own); // root's link, to nobody's
    const r = run(['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export', '-o', own]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`refused to write ${esc(own)}: ${esc(planted)} is a symbolic link owned by uid 65534`));
    assert.equal(fs.readFileSync(s.secret, 'utf8'), 'root only\n');
    // a link to a folder, as a name on the path
    const dirLink = path.join(s.shared, 'dir');
    plant(s.priv, dirLink);
    const viaDir = path.join(dirLink, 'secret');
    const d = run(['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export', '-o', viaDir]);
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stderr, new RegExp(`refused to write ${esc(viaDir)}: ${esc(dirLink)} is a symbolic link owned by uid 65534`));
    assert.equal(fs.readFileSync(s.secret, 'utf8'), 'root only\n');
  });
});

describe('links the rule follows are still written through: the link stays, its target is replaced', { skip: !asRoot && 'needs root to make links of uid 65534' }, () => {
  const exportTo = (out: string) => run(['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export', '-o', out]);
  const isExport = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).format === 'powercapctl-dtpm';
  const folder = (mode: number, uid = 0) => {
    const d = makeTempDir('powercapctl-links-');
    cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
    fs.chownSync(d, uid, uid);
    fs.chmodSync(d, mode);
    return d;
  };
  const target = () => {
    const d = folder(0o755);
    const f = path.join(d, 'target.json');
    fs.writeFileSync(f, '{}\n', { mode: 0o640 });
    return f;
  };

  test('the user\'s own link in a sticky 1777 folder', () => {
    const t = target();
    const link = path.join(folder(0o1777), 'mine.json');
    fs.symlinkSync(t, link);
    const r = exportTo(link);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.ok(isExport(t));
    assert.equal(fs.statSync(t).mode & 0o7777, 0o640, 'the target keeps its mode');
    // snapshot save through the same link
    const live = liveLaptop();
    const s = run(['--root', live.classRoot, 'snapshot', 'save', '--force', link]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(JSON.parse(fs.readFileSync(t, 'utf8')).format, 'powercapctl-snapshot');
  });

  test('another user\'s link in a folder that is world-writable but not sticky (0777), or sticky but not world-writable (1775)', () => {
    for (const mode of [0o777, 0o1775]) {
      const t = target();
      const link = path.join(folder(mode), 'theirs.json');
      fs.symlinkSync(t, link);
      fs.lchownSync(link, NOBODY_UID, NOBODY_UID);
      const r = exportTo(link);
      assert.equal(r.code, 0, `${mode.toString(8)}: ${r.stderr}`);
      assert.ok(isExport(t));
    }
  });

  test('a link whose owner owns the sticky 1777 folder', () => {
    const t = target();
    const link = path.join(folder(0o1777, NOBODY_UID), 'theirs.json');
    fs.symlinkSync(t, link);
    fs.lchownSync(link, NOBODY_UID, NOBODY_UID);
    const r = exportTo(link);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(isExport(t));
  });

  test('a chain of followed links (own link → link whose owner owns its folder → own dangling link): the file is created at the end', () => {
    const end = path.join(folder(0o755), 'new.json');
    const c = path.join(folder(0o1777), 'c');
    fs.symlinkSync(end, c); // dangling
    const theirs = folder(0o1777, NOBODY_UID);
    const b = path.join(theirs, 'b');
    fs.symlinkSync(path.relative(theirs, c), b); // relative, resolved from b's folder
    fs.lchownSync(b, NOBODY_UID, NOBODY_UID);
    const a = path.join(folder(0o1777), 'a');
    fs.symlinkSync(b, a);
    const r = exportTo(a);
    assert.equal(r.code, 0, r.stderr);
    for (const l of [a, b, c]) assert.ok(fs.lstatSync(l).isSymbolicLink(), `${l} was replaced`);
    assert.ok(isExport(end));
  });

  test('a link loop: exit 1 naming ELOOP, nothing written', () => {
    const d = folder(0o755);
    fs.symlinkSync('y', path.join(d, 'x'));
    fs.symlinkSync('x', path.join(d, 'y'));
    const r = exportTo(path.join(d, 'x'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /ELOOP \(more than 40 symbolic links on the path\)/);
  });

  test('run as uid 65534: root\'s link in root\'s sticky folder is followed (the folder\'s owner owns it)', { skip: NOBODY === null && 'needs root' }, () => {
    const d = folder(0o777, NOBODY_UID);
    const t = path.join(d, 'target.json');
    fs.writeFileSync(t, '{}\n');
    fs.chownSync(t, NOBODY_UID, NOBODY_UID);
    const link = path.join(folder(0o1777), 'roots.json');
    fs.symlinkSync(t, link);
    const r = run(['--snapshot', path.join(stagedPackage(), 'examples/rk3399-dtpm.json'), 'dtpm', 'export', '-o', link], { uid: NOBODY!.uid, gid: NOBODY!.gid });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(isExport(t));
  });
});
