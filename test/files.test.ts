/**
 * A file the user names is read in one place (core/files.ts) and written in one place
 * (core/atomic.ts), so every command answers alike: a missing file 3 and a directory given as a
 * file 2, naming what it expected; when writing, a file already there without --force 2, a folder
 * in its place 2, a missing folder 3 naming it; a file named as the tree (--root) 3, "not a
 * directory". `profile save` makes the conventional folder /etc/powercapctl, 0755, and no other.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, example, exampleCopy, scratch, ROOT } from './helpers.js';
import { Exit, exitForErrno } from '../src/core/errors.js';
import { inOverlayEtc as overlayRun, overlaySkip } from './fixtures/etc-overlay.js';

const cases: Array<[string, (f: string) => string[]]> = [
  ['snapshot file', (f) => ['--snapshot', f, 'list']],
  ['description file', (f) => ['--snapshot', example('rk3399-dtpm'), 'dtpm', 'import', f, '--dry-run']],
  ['OPP file', (f) => ['model', 'em', '--opp-file', f, '--coefficient', '100']],
  ['device-tree file', (f) => ['model', 'em', '--dts', f]],
  ['file', (f) => ['model', 'budget', '-b', '1W', '--tree', f]],
  ['static power table', (f) => ['model', 'power', '--freq', '1GHz', '--voltage', '900mV', '--coefficient', '100', '--temp', '55C', '--static-table', f]],
  ['profile', (f) => ['--snapshot', example('intel-laptop'), 'apply', f, '--check']],
];

test('a directory given as a file exits 2 in every command, a missing file 3', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-files-'));
  try {
    for (const [what, args] of cases) {
      const d = run(args(dir));
      if (what === 'device-tree file') {
        // a directory is a device tree too (a copy of /sys/firmware/devicetree/base): this one has no OPP table
        assert.equal(d.code, 6, d.stderr);
        assert.match(d.stderr, /no OPP table/);
      } else {
      assert.equal(d.code, 2, `${what}: ${d.stderr}`);
      assert.match(d.stderr, new RegExp(`is a directory, not an? ${what}`));
      }
      assert.equal(d.stdout, '');
      const missing = path.join(dir, 'missing');
      const m = run(args(missing));
      assert.equal(m.code, 3, `${what}: ${m.stderr}`);
      assert.match(m.stderr, new RegExp(`${what} not found: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('registry add --em-table reads its table the same way', () => {
  const copy = exampleCopy('rk3399-dtpm');
  try {
    const r = run(['--snapshot', copy.file, 'registry', 'add', 'npu0', '--em', 'npu', '--em-table', copy.dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is a directory, not an energy-model table/);
  } finally {
    copy.cleanup();
  }
});

test('one errno → exit code mapping (core/errors.ts exitForErrno) for every reader and writer', () => {
  // a file or folder: 4 permission, 3 not found, 2 a folder given as a file, else 1
  const file: Record<string, number> = { EACCES: 4, EPERM: 4, EROFS: 4, ENOENT: 3, ENOTDIR: 3, EISDIR: 2, ENOSPC: 1, EDQUOT: 1, EIO: 1, ELOOP: 1, EINVAL: 1, ENODATA: 1 };
  for (const [e, code] of Object.entries(file)) assert.equal(exitForErrno(e), code, e);
  // a sysfs attribute: what the kernel's store refused, or what stands in its place, is 5
  const attribute: Record<string, number> = { EACCES: 4, EPERM: 4, EROFS: 4, ENOENT: 3, ENOTDIR: 3, EINVAL: 5, ENODATA: 5, ENOSYS: 5, EOPNOTSUPP: 5, ELOOP: 5, EFTYPE: 5, EISDIR: 5, EIO: 1, EBUSY: 1 };
  for (const [e, code] of Object.entries(attribute)) assert.equal(exitForErrno(e, { attribute: true }), code, `attribute ${e}`);
  // data a reader parses (a device tree): the rest is invalid data
  assert.equal(exitForErrno('EIO', { otherwise: Exit.INVALID_DATA }), 6);
  assert.equal(exitForErrno('ENOENT', { otherwise: Exit.INVALID_DATA }), 3);
});

// ------------------------------------------------------------------ files the commands write

const { copy, liveLaptop, tempDir } = scratch('powercapctl-files-');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every command that writes a file the user names, with what it does when the file is already there. */
const writers: Array<{ name: string; args: (f: string) => string[]; force?: (f: string) => string[] }> = [
  { name: 'snapshot save', args: (f) => ['--root', liveLaptop().classRoot, 'snapshot', 'save', f], force: (f) => ['--root', liveLaptop().classRoot, 'snapshot', 'save', '--force', f] },
  { name: 'profile save', args: (f) => ['--snapshot', example('intel-laptop'), 'profile', 'save', f], force: (f) => ['--snapshot', example('intel-laptop'), 'profile', 'save', '-f', f] },
  { name: 'dtpm new', args: (f) => ['dtpm', 'new', f], force: (f) => ['dtpm', 'new', '--force', f] },
  { name: 'dtpm export -o', args: (f) => ['--snapshot', example('rk3399-dtpm'), 'dtpm', 'export', '-o', f] },
  { name: 'model em --svg', args: (f) => ['--snapshot', example('rk3399-dtpm'), 'model', 'em', '-d', 'cpu4', '--svg', f] },
  { name: 'watch --textfile', args: (f) => ['--root', liveLaptop().classRoot, 'watch', '-i', '1ms', '-n', '2', '--textfile', f] },
  { name: 'watch --record', args: (f) => ['--root', liveLaptop().classRoot, 'watch', '-i', '1ms', '-n', '2', '--json', '--record', f] },
  { name: 'apply --state', args: (f) => ['--snapshot', copy('intel-laptop').file, 'apply', path.join(ROOT, 'examples/profile-laptop.yaml'), '--state', f] },
];

describe('every command writing a file the user names answers alike', () => {
  for (const w of writers) {
    test(`${w.name}: a directory 2, a missing folder 3 naming it${w.force ? ', a file already there 2 without --force' : ''}`, () => {
      const dir = tempDir();
      const d = run(w.args(dir));
      assert.equal(d.code, 2, d.stderr);
      assert.match(d.stderr, new RegExp(`^powercapctl: ${esc(dir)} is a directory, not a file: nothing was written\n`));
      assert.deepEqual(fs.readdirSync(dir), [], 'something was written into the directory');
      if (w.force) {
        const f = run(w.force(dir));
        assert.equal(f.code, 2, `--force: ${f.stderr}`);
        assert.match(f.stderr, /is a directory, not a file/);
      }
      const missing = path.join(dir, 'no-such-folder', 'out');
      if (w.name === 'apply --state') {
        // the state's folder (/var/lib/powercapctl) is made, as persist install expects
        const s = run(w.args(missing));
        assert.equal(s.code, 0, s.stderr);
        assert.equal(JSON.parse(fs.readFileSync(missing, 'utf8')).format, 'powercapctl-state');
      } else {
        const m = run(w.args(missing));
        assert.equal(m.code, 3, m.stderr);
        assert.match(m.stderr, new RegExp(`^powercapctl: cannot write ${esc(missing)}: the folder ${esc(path.dirname(missing))} does not exist: nothing was written\n`));
        assert.equal(fs.existsSync(path.dirname(missing)), false);
      }
      // a file on the path where a folder should be
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, 'x\n');
      const n = run(w.args(path.join(file, 'out')));
      assert.equal(n.code, 3, n.stderr);
      assert.match(n.stderr, new RegExp(`the folder ${esc(file)} is not a folder`));
      if (w.force) {
        const e = run(w.args(file));
        assert.equal(e.code, 2, e.stderr);
        assert.match(e.stderr, new RegExp(`^powercapctl: ${esc(file)} exists: nothing was written\n  use --force to replace it\n$`));
        assert.equal(fs.readFileSync(file, 'utf8'), 'x\n');
        assert.equal(run(w.force(file)).code, 0);
        assert.notEqual(fs.readFileSync(file, 'utf8'), 'x\n');
      }
    });
  }

  test('a FIFO in the file\'s place: 2, never opened (it would block)', () => {
    const fifo = path.join(tempDir(), 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    for (const w of writers) {
      const r = run((w.force ?? w.args)(fifo), { timeoutMs: 10000 });
      assert.equal(r.code, 2, `${w.name}: ${r.stderr}`);
      assert.match(r.stderr, /is not a regular file: nothing was written/);
      assert.ok(fs.lstatSync(fifo).isFIFO(), `${w.name} replaced the FIFO`);
    }
  });

  test('persist install: a directory where a file goes is 2, and nothing is installed', () => {
    const img = tempDir();
    fs.mkdirSync(path.join(img, 'etc/powercapctl/profile.yaml'), { recursive: true });
    const r = run(['persist', 'install', path.join(ROOT, 'examples/profile-laptop.yaml'), '--root-dir', img]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /etc\/powercapctl\/profile\.yaml is a directory, not a file: nothing was written/);
    assert.deepEqual(fs.readdirSync(path.join(img, 'etc')), ['powercapctl']);
  });

  test('--root naming a regular file: exit 3, "is not a directory" (no tree there), not "does not exist"', () => {
    const file = path.join(tempDir(), 'powercap');
    fs.writeFileSync(file, '');
    for (const args of [['list'], ['tree'], ['snapshot', 'save', path.join(path.dirname(file), 's.json')]]) {
      const r = run(['--root', file, ...args]);
      assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^powercapctl: ${esc(file)} is not a directory\n  give the powercap class directory`));
    }
    const missing = run(['--root', path.join(file, 'x'), 'list']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /is not a directory/, 'a file on the path is said as well');
  });
});

// ------------------------------------------------------------------ /etc/powercapctl

/**
 * `profile save /etc/powercapctl/profile.yaml` on a machine without the folder, run over an
 * overlay of /etc (test/fixtures/etc-overlay.ts): the real /etc is never written.
 */
function inOverlayEtc(args: string[], before = ':') {
  const r = overlayRun(args, { before, after: 'stat -c "%a %n" /etc/powercapctl >&3 2>/dev/null' });
  r.cleanup();
  return { code: r.code, stderr: r.stderr, mode: r.fd3, created: r.created };
}

describe('profile save makes /etc/powercapctl, 0755, and only it', { skip: overlaySkip }, () => {
  const host = fs.existsSync('/etc/powercapctl');
  const save = (file: string) => ['--snapshot', example('intel-laptop'), 'profile', 'save', file];

  test('sudo powercapctl profile save /etc/powercapctl/profile.yaml on a machine without the folder', () => {
    const r = inOverlayEtc(save('/etc/powercapctl/profile.yaml'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^created \/etc\/powercapctl \(mode 0755\)$/m);
    assert.deepEqual(r.created, ['powercapctl', 'powercapctl/profile.yaml']);
    assert.equal(r.mode, '755 /etc/powercapctl');
    assert.equal(fs.existsSync('/etc/powercapctl'), host, 'the real /etc was changed');
  });

  test('no other folder is made: one below it, or another under /etc, is a missing folder (3)', () => {
    for (const file of ['/etc/powercapctl/sub/profile.yaml', '/etc/powercapctl-typo/profile.yaml']) {
      const r = inOverlayEtc(save(file));
      assert.equal(r.code, 3, `${file}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`the folder ${esc(path.dirname(file))} does not exist`));
      assert.deepEqual(r.created, [], file);
    }
  });

  test('a folder already there keeps its mode; a file already there wants --force', () => {
    const r = inOverlayEtc(save('/etc/powercapctl/profile.yaml'), 'mkdir -m 0750 /etc/powercapctl && echo old > /etc/powercapctl/profile.yaml');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /profile\.yaml exists: nothing was written/);
    assert.doesNotMatch(r.stderr, /created/);
    assert.equal(r.mode, '750 /etc/powercapctl');
  });
});
