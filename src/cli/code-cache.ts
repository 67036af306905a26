/**
 * The code cache of the bundle: V8's compiled bytecode for dist/powercapctl.cjs,
 * saved as dist/powercapctl.cjs.cache after a few representative commands on the
 * bundled examples (list, tree, model em, the help) run in one process, so a run
 * skips most compiling. V8 accepts the
 * cache only when its version, flags and CPU features match those that made it
 * (v8::ScriptCompiler's cached-data check) and otherwise compiles as usual: a
 * mismatch costs a few milliseconds, never a failure.
 *
 * Run as a script (the package's postinstall), it makes the cache in an
 * installed package with the Node that installs it: esbuild is not needed there,
 * as the bundle ships. It never fails an install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeStderr } from './io.js';

export const BUNDLE_FILE = 'powercapctl.cjs';
export const CACHE_FILE = `${BUNDLE_FILE}.cache`;

/** Make dist/powercapctl.cjs.cache; on failure remove it and say why. */
export function makeCodeCache(packageDir: string): { ok: true } | { ok: false; why: string } {
  const dist = path.join(packageDir, 'dist');
  const cache = path.join(dist, CACHE_FILE);
  const tmp = `${cache}.${process.pid}.tmp`;
  const fail = (why: string) => {
    fs.rmSync(cache, { force: true });
    fs.rmSync(tmp, { force: true });
    return { ok: false as const, why };
  };
  if (!fs.existsSync(path.join(dist, BUNDLE_FILE))) return fail(`${path.join(dist, BUNDLE_FILE)} is missing`);
  // the cache is made for runs without NODE_OPTIONS (they change V8's flags, so V8 would refuse it)
  const examples = path.join(packageDir, 'examples');
  // the commands run most (list, tree, the help) and the model calculators: what they compile is kept
  const warmUp = [
    ['--snapshot', path.join(examples, 'intel-laptop.json'), 'list', '--json'],
    ['--snapshot', path.join(examples, 'intel-laptop.json'), 'list'],
    ['--snapshot', path.join(examples, 'rk3399-dtpm.json'), 'tree', '--json'],
    ['--snapshot', path.join(examples, 'rk3399-dtpm.json'), 'model', 'em', '--json'],
    ['--snapshot', path.join(examples, 'rk3399-dtpm.json'), 'model', 'em'],
    ['--help'],
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, POWERCAPCTL_WRITE_CODE_CACHE: tmp, POWERCAPCTL_WARM_UP: JSON.stringify(warmUp) };
  delete env.NODE_OPTIONS;
  delete env.POWERCAPCTL_SNAPSHOT;
  delete env.POWERCAPCTL_ROOT;
  try {
    fs.rmSync(cache, { force: true }); // the runs below must compile afresh, not read an old cache
    const r = spawnSync(process.execPath, [path.join(packageDir, 'bin', 'powercapctl')], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(tmp)) return fail(`the warm-up run exited ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`);
    fs.renameSync(tmp, cache);
    return { ok: true };
  } catch (err) {
    return fail((err as Error).message);
  }
}

// `node dist/src/cli/code-cache.js` (postinstall): make the cache, or say in one line why not
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = makeCodeCache(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'));
  if (!r.ok) writeStderr(`powercapctl: no code cache (${r.why}); it starts a few milliseconds slower`);
}
