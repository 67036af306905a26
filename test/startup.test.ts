/**
 * Start-up that cannot fail (docs/startup.md): the launcher starts Node from the
 * startup image only when the image's key matches the running Node, so any
 * mismatch (NODE_OPTIONS, another Node version, a packed and installed copy)
 * runs the compiled modules instead, with the same output.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { run, fixture, ROOT, BIN, cleanEnv, NOBODY } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';

const laptop = fixture(intelLaptop);
after(() => laptop.cleanup());
const LIST = ['--root', laptop.classRoot, 'list', '--json'];

/** how a run started, as `--version --verbose` reports it on stderr */
const startedFrom = (r: { stderr: string }) => /^startup: (image|compiled modules)/m.exec(r.stderr)?.[1];

describe('the launcher', () => {
  test('a checkout starts from the image, whose key is the launcher\'s own for this Node', () => {
    const key = spawnSync('sh', [BIN, '__startup-key'], { env: cleanEnv(), encoding: 'utf8' }).stdout;
    assert.equal(fs.readFileSync(path.join(ROOT, 'dist/powercapctl.key'), 'utf8'), key);
    assert.match(key, new RegExp(`^${process.version.replace(/\./g, '\\.')} `));
    const r = run(['--version', '--verbose']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '0.1.0\n');
    assert.equal(startedFrom(r), 'image');
  });

  for (const opts of ['--max-old-space-size=4096', '--expose-gc', '--jitless', '--no-warnings', '--max-semi-space-size=16 --no-deprecation']) {
    test(`NODE_OPTIONS=${opts}: the command runs (from the compiled modules), same output`, () => {
      const plain = run(LIST);
      const r = run(LIST, { env: { NODE_OPTIONS: opts } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout);
      assert.doesNotMatch(r.stderr, /startup snapshot/);
      assert.equal(startedFrom(run(['--version', '--verbose'], { env: { NODE_OPTIONS: opts } })), 'compiled modules');
    });
  }

  test('a Node upgraded in place (another version, whatever its mtime): the compiled modules', () => {
    // a `node` first on PATH that reports another version, as after a package upgrade that kept the mtime
    const dir = makeTempDir();
    try {
      const shim = path.join(dir, 'node');
      fs.writeFileSync(shim, `#!/bin/sh\n[ "$1" = --version ] && { echo v99.0.0; exit 0; }\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
      fs.utimesSync(shim, new Date(0), new Date(0));
      const env = { PATH: `${dir}:${process.env.PATH}` };
      const r = run(LIST, { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, run(LIST).stdout);
      assert.equal(startedFrom(run(['--version', '--verbose'], { env })), 'compiled modules');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a global install from the packed tarball', () => {
  const dir = makeTempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const npm = (args: string[]) => {
    // the registry's tarballs are in npm's cache after `npm ci`: no network needed
    const r = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8', env: { ...cleanEnv(), npm_config_cache: process.env.npm_config_cache ?? path.join(process.env.HOME ?? '/root', '.npm') } });
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  let tarball = '';

  test('npm pack ships the launcher, the build and the bundle the image is made from, and no image', () => {
    npm(['pack', '--pack-destination', dir]);
    tarball = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    const files = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
    for (const f of ['package/bin/powercapctl', 'package/dist/powercapctl.cjs', 'package/dist/src/cli/main.js', 'package/dist/src/cli/startup-image.js', 'package/examples/intel-laptop.json']) {
      assert.ok(files.includes(f), f);
    }
    // an image only loads in the Node that made it: it is made where the package is installed
    assert.ok(!files.some((f) => /powercapctl\.(blob|key)$/.test(f)));
    assert.ok(!files.some((f) => f.startsWith('package/dist/test/')));
  });

  test('installed with -g: the image is made at install time, and the npm-linked bin starts from it', () => {
    const prefix = path.join(dir, 'prefix');
    npm(['install', '-g', '--prefix', prefix, tarball]);
    const bin = path.join(prefix, 'bin/powercapctl');
    assert.ok(fs.lstatSync(bin).isSymbolicLink());
    const v = spawnSync(bin, ['--version', '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: dir });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(startedFrom(v), 'image');
    const r = spawnSync(bin, LIST, { env: cleanEnv(), encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, run(LIST).stdout);
    // examples and schema are found from the installed package, from any folder
    const ex = spawnSync(bin, ['start'], { env: cleanEnv(), encoding: 'utf8', cwd: '/' });
    assert.equal(ex.status, 0, ex.stderr);
    assert.match(ex.stderr, new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/node_modules/powercapctl/examples/intel-laptop\\.json`));
  });

  test('installed with --ignore-scripts, read-only: no image, the same answers from the compiled modules', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    const prefix = path.join(dir, 'plain');
    npm(['install', '-g', '--prefix', prefix, '--ignore-scripts', tarball]);
    const pkg = path.join(prefix, 'lib/node_modules/powercapctl');
    assert.ok(!fs.existsSync(path.join(pkg, 'dist/powercapctl.blob')));
    spawnSync('chmod', ['-R', 'a-w,a+rX', prefix]);
    spawnSync('chmod', ['a+rx', dir]);
    try {
      const bin = path.join(prefix, 'bin/powercapctl');
      const r = spawnSync(bin, [...LIST, '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: '/', uid: NOBODY!.uid, gid: NOBODY!.gid });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).zones.map((z: any) => z.id), JSON.parse(run(LIST).stdout).zones.map((z: any) => z.id));
      assert.equal(startedFrom(spawnSync(bin, ['--version', '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: '/', uid: NOBODY!.uid, gid: NOBODY!.gid })), 'compiled modules');
    } finally {
      spawnSync('chmod', ['-R', 'u+w', prefix]);
    }
  });
});
