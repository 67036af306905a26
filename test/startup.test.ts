/**
 * Start-up that cannot fail (docs/startup.md): the launcher runs the bundle with
 * V8's code cache, and V8 itself decides whether the cache fits the running Node
 * (version, V8 flags from NODE_OPTIONS, CPU features); when it does not, the same
 * bundle is compiled as it runs. Without the bundle, the compiled modules run.
 * Every way gives the same output.
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
const startedFrom = (r: { stderr: string }) => /^startup: (.+)$/m.exec(r.stderr)?.[1];

/** A copy of the package's runtime files (what npm would install), to change one thing in. */
function packageCopy(): { dir: string; bin: string; cleanup(): void } {
  const dir = makeTempDir();
  for (const entry of ['package.json', 'bin', 'examples', 'schema']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (src) => !src.includes(`${path.sep}dist${path.sep}test`) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, bin: path.join(dir, 'bin/powercapctl'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('the launcher', () => {
  test('a checkout runs the bundle with its code cache', () => {
    for (const f of ['dist/powercapctl.cjs', 'dist/powercapctl.cjs.cache']) assert.ok(fs.statSync(path.join(ROOT, f)).size > 10000, f);
    // ASCII, so the launcher reads it as latin1 (a copy) rather than decoding UTF-8
    const nonAscii = /[^\x00-\x7f]/.exec(fs.readFileSync(path.join(ROOT, 'dist/powercapctl.cjs'), 'latin1'));
    assert.equal(nonAscii, null, `a byte that is not ASCII at ${nonAscii?.index}: write it as \\uXXXX in the regular expression`);
    const r = run(['--version', '--verbose']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '0.1.0\n');
    assert.equal(startedFrom(r), 'bundle, code cache');
  });

  test('output to a file, to /dev/null and to a pipe: the same bytes, exit 0 (written to the descriptor until a stream is needed)', () => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'out.json');
      const fd = fs.openSync(file, 'w');
      const toFile = spawnSync(BIN, LIST, { env: cleanEnv(), stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      fs.closeSync(fd);
      assert.equal(toFile.status, 0, toFile.stderr);
      const piped = run(LIST);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(fs.readFileSync(file, 'utf8'), piped.stdout);
      assert.match(piped.stdout, /"format": "powercapctl-list"/);
      const toNull = spawnSync(BIN, LIST, { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      assert.equal(toNull.status, 0, toNull.stderr);
      assert.equal(toNull.stderr, piped.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('-v traces name the src/ files and lines the bundle came from (its source map), read only for the trace', () => {
    assert.ok(fs.statSync(path.join(ROOT, 'dist/powercapctl.cjs.map')).size > 10000);
    const r = run(['-v', '--snapshot', path.join(ROOT, 'examples/intel-laptop.json'), 'list', 'no-such-zone']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^    at unknownZone \(src\/core\/zones\/select\.ts:[0-9]+:[0-9]+\)$/m);
    assert.match(r.stderr, /^    at Object\.run \(src\/cli\/commands\/list\/run\.ts:[0-9]+:[0-9]+\)$/m);
    assert.doesNotMatch(r.stderr, /powercapctl\.cjs:/, 'no frame left in the minified bundle');
    // the line named is the line that throws: the map is exact, not off by the launcher's wrapper
    const frame = /at unknownZone \(src\/core\/zones\/select\.ts:([0-9]+):/.exec(r.stderr)!;
    const line = fs.readFileSync(path.join(ROOT, 'src/core/zones/select.ts'), 'utf8').split('\n')[Number(frame[1]) - 1]!;
    assert.match(line, /notFound\(/);
    // without -v: no trace at all
    assert.doesNotMatch(run(['--snapshot', path.join(ROOT, 'examples/intel-laptop.json'), 'list', 'no-such-zone']).stderr, /\n\s+at /);
  });

  for (const opts of ['--max-old-space-size=4096', '--expose-gc', '--jitless', '--no-warnings', '--max-semi-space-size=16 --no-deprecation']) {
    test(`NODE_OPTIONS=${opts}: the command runs, same output (V8 takes or refuses the cache by itself)`, () => {
      const plain = run(LIST);
      const r = run(LIST, { env: { NODE_OPTIONS: opts } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout);
      assert.doesNotMatch(r.stderr, /snapshot|cache/i);
      assert.match(startedFrom(run(['--version', '--verbose'], { env: { NODE_OPTIONS: opts } }))!, /^bundle, code cache( rejected by this V8)?$/);
    });
  }

  test('V8 flags that change the flag hash: the cache is refused, the run goes on', () => {
    assert.equal(startedFrom(run(['--version', '--verbose'], { env: { NODE_OPTIONS: '--max-old-space-size=4096' } })), 'bundle, code cache rejected by this V8');
  });

  test('a cache from another Node (or a damaged one) is refused by V8 and the output is the same; no cache at all too', () => {
    const copy = packageCopy();
    try {
      const cache = path.join(copy.dir, 'dist/powercapctl.cjs.cache');
      // what another V8 version writes differs in its header; this is garbage of the same size
      fs.writeFileSync(cache, Buffer.alloc(fs.statSync(cache).size, 0x5a));
      const env = cleanEnv();
      const r = spawnSync(copy.bin, LIST, { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, run(LIST).stdout);
      assert.equal(startedFrom(spawnSync(copy.bin, ['--version', '--verbose'], { env, encoding: 'utf8' })), 'bundle, code cache rejected by this V8');
      fs.rmSync(cache);
      assert.equal(startedFrom(spawnSync(copy.bin, ['--version', '--verbose'], { env, encoding: 'utf8' })), 'bundle, no code cache');
      assert.equal(spawnSync(copy.bin, LIST, { env, encoding: 'utf8' }).stdout, r.stdout);
    } finally {
      copy.cleanup();
    }
  });

  test('without the bundle: the compiled modules, the same output; run as `node bin/powercapctl` and through a symlink', () => {
    const copy = packageCopy();
    try {
      fs.rmSync(path.join(copy.dir, 'dist/powercapctl.cjs'));
      const env = cleanEnv();
      const r = spawnSync(process.execPath, [copy.bin, ...LIST], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, run(LIST).stdout);
      assert.equal(startedFrom(spawnSync(copy.bin, ['--version', '--verbose'], { env, encoding: 'utf8' })), 'compiled modules');
      // npm installs the bin as a symlink (node_modules/.bin/powercapctl): the package is found through it
      const link = path.join(copy.dir, 'linked');
      fs.symlinkSync(copy.bin, link);
      const linked = spawnSync(link, ['start'], { env: cleanEnv({ POWERCAPCTL_ROOT: '/nonexistent' }), encoding: 'utf8', cwd: '/' });
      assert.equal(linked.status, 0, linked.stderr);
      assert.match(linked.stderr, new RegExp(`${copy.dir}/examples/intel-laptop\\.json`));
    } finally {
      copy.cleanup();
    }
  });
});

describe('a global install from the packed tarball', () => {
  const dir = makeTempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  /**
   * npm offline, with an empty cache of its own: the packed package has no dependencies, so
   * nothing is fetched (a dependency would fail here at once with ENOTCACHED, never wait for a
   * registry). The user's proxy and CA settings go along all the same (cleanEnv's `network`).
   */
  const npm = (args: string[]) => {
    const env = cleanEnv({ npm_config_cache: path.join(dir, 'npm-cache'), npm_config_update_notifier: 'false' }, { network: true });
    const r = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
    return r.stdout;
  };
  let tarball = '';

  test("npm runs with the user's proxy and CA settings (either case) and nothing else of the environment", () => {
    const user: Record<string, string> = {
      HTTPS_PROXY: 'http://proxy.example:3128', http_proxy: 'http://proxy.example:3128', NO_PROXY: 'localhost', all_proxy: 'socks5://proxy.example:1080',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/extra.pem', SSL_CERT_FILE: '/etc/ssl/certs/ca.pem', SSL_CERT_DIR: '/etc/ssl/certs',
      npm_config_https_proxy: 'http://npm-proxy.example:8080', NPM_CONFIG_CAFILE: '/etc/ssl/certs/npm.pem', npm_config_strict_ssl: 'true',
    };
    const other = { POWERCAPCTL_SNAPSHOT: '/x.json', FORCE_COLOR: '1', NODE_OPTIONS: '--jitless', npm_config_prefix: '/elsewhere', SECRET_TOKEN: 'x' };
    const saved = { ...process.env };
    Object.assign(process.env, user, other);
    try {
      const env = cleanEnv({}, { network: true });
      for (const [k, v] of Object.entries(user)) assert.equal(env[k], v, k);
      for (const k of Object.keys(other)) assert.equal(env[k], undefined, k);
      for (const k of Object.keys(user)) assert.equal(cleanEnv()[k], undefined, `${k} without network`);
      // as npm reads them
      const r = spawnSync('npm', ['config', 'get', 'https-proxy', 'cafile', '--offline'], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(r.stdout, 'https-proxy=http://npm-proxy.example:8080\ncafile=/etc/ssl/certs/npm.pem\n', r.stderr);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('npm pack ships the launcher, the build, the bundle and its packages, no code cache and no dependencies', () => {
    npm(['pack', '--pack-destination', dir]);
    tarball = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    const files = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
    for (const f of ['package/bin/powercapctl', 'package/bin/package.json', 'package/dist/powercapctl.cjs', 'package/dist/powercapctl.cjs.map', 'package/dist/src/cli/main.js', 'package/dist/src/cli/code-cache.js', 'package/examples/intel-laptop.json',
      'package/dist/vendor/chalk.mjs', 'package/dist/vendor/ora.mjs', 'package/dist/vendor/inquirer-prompts.cjs', 'package/dist/vendor/cli-table3.cjs', 'package/dist/vendor/yaml.cjs', 'package/dist/vendor/LICENSES.txt']) {
      assert.ok(files.includes(f), f);
    }
    // the packages the bundle loads are inside it: a global install has nothing to fetch
    const packed = JSON.parse(spawnSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout);
    for (const key of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']) assert.equal(packed[key], undefined, key);
    assert.match(fs.readFileSync(path.join(ROOT, 'dist/vendor/LICENSES.txt'), 'utf8'), /^chalk@5\.\d+\.\d+\n\nMIT License/m);
    // a code cache fits only the V8 that made it: it is made where the package is installed
    assert.ok(!files.some((f) => /\.cache$|powercapctl\.(blob|key)$/.test(f)));
    assert.ok(!files.some((f) => f.startsWith('package/dist/test/')));
  });

  test('installed with -g: the code cache is made at install time, and the npm-linked bin runs with it', () => {
    const prefix = path.join(dir, 'prefix');
    npm(['install', '-g', '--prefix', prefix, tarball]);
    const bin = path.join(prefix, 'bin/powercapctl');
    assert.ok(fs.lstatSync(bin).isSymbolicLink());
    const v = spawnSync(bin, ['--version', '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: dir });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(startedFrom(v), 'bundle, code cache');
    const r = spawnSync(bin, LIST, { env: cleanEnv(), encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, run(LIST).stdout);
    // examples and schema are found from the installed package, from any folder
    const ex = spawnSync(bin, ['start'], { env: cleanEnv(), encoding: 'utf8', cwd: '/' });
    assert.equal(ex.status, 0, ex.stderr);
    assert.match(ex.stderr, new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/node_modules/powercapctl/examples/intel-laptop\\.json`));
    // no node_modules of its own: the table (chalk, cli-table3) and a YAML profile run from dist/vendor/
    assert.ok(!fs.existsSync(path.join(prefix, 'lib/node_modules/powercapctl/node_modules')));
    const table = spawnSync(bin, ['--root', laptop.classRoot, 'list'], { env: cleanEnv({ FORCE_COLOR: '1' }), encoding: 'utf8', cwd: dir });
    assert.equal(table.status, 0, table.stderr);
    assert.equal(table.stdout, run(['--root', laptop.classRoot, 'list'], { env: { FORCE_COLOR: '1' } }).stdout);
    assert.match(table.stdout, /\x1b\[/);
    const profile = 'examples/profile-laptop.yaml';
    const check = spawnSync(bin, ['--root', laptop.classRoot, 'apply', '--check', path.join(prefix, 'lib/node_modules/powercapctl', profile)], { env: cleanEnv(), encoding: 'utf8', cwd: dir });
    assert.equal(check.status, 7, check.stderr);
    assert.equal(check.stdout, run(['--root', laptop.classRoot, 'apply', '--check', path.join(ROOT, profile)]).stdout);
  });

  test('installed with --ignore-scripts, read-only, as another user: no code cache, the same answers', { skip: NOBODY === null && 'needs root to run as nobody' }, () => {
    const prefix = path.join(dir, 'plain');
    npm(['install', '-g', '--prefix', prefix, '--ignore-scripts', tarball]);
    const pkg = path.join(prefix, 'lib/node_modules/powercapctl');
    assert.ok(!fs.existsSync(path.join(pkg, 'dist/powercapctl.cjs.cache')));
    spawnSync('chmod', ['-R', 'a-w,a+rX', prefix]);
    spawnSync('chmod', ['a+rx', dir]);
    try {
      const bin = path.join(prefix, 'bin/powercapctl');
      const r = spawnSync(bin, [...LIST, '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: '/', uid: NOBODY!.uid, gid: NOBODY!.gid });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).zones.map((z: any) => z.id), JSON.parse(run(LIST).stdout).zones.map((z: any) => z.id));
      assert.equal(startedFrom(spawnSync(bin, ['--version', '--verbose'], { env: cleanEnv(), encoding: 'utf8', cwd: '/', uid: NOBODY!.uid, gid: NOBODY!.gid })), 'bundle, no code cache');
    } finally {
      spawnSync('chmod', ['-R', 'u+w', prefix]);
    }
  });
});
