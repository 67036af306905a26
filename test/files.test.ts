/**
 * A file the user names is read in one place (core/files.ts), so every command answers a missing
 * file with exit 3 and a directory given as a file with exit 2, naming what it expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, example, exampleCopy } from './helpers.js';
import { Exit, exitForErrno } from '../src/core/errors.js';

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
