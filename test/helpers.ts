/**
 * Test helpers: spawn the built binary with an isolated environment (no
 * POWERCAPCTL_* or colour variables from the developer's shell), parse output,
 * make fixture copies in temp dirs.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureTree, makeTempDir, type FixtureSpec, type FixtureTree } from './fixtures/sysfs.js';

/** the package root (this file is dist/test/helpers.js) */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin/powercapctl');
export const EXAMPLES = path.join(ROOT, 'examples');
export const example = (name: string) => path.join(EXAMPLES, `${name}.json`);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** a clean environment: PATH and HOME only, plus what the test sets */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function run(args: string[], opts: RunOptions = {}): RunResult {
  const o: SpawnSyncOptions = {
    env: cleanEnv(opts.env),
    input: opts.input ?? '',
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30000,
  };
  if (opts.uid !== undefined) o.uid = opts.uid;
  if (opts.gid !== undefined) o.gid = opts.gid;
  // the executable itself, as a user runs it (the launcher starts Node from the startup snapshot)
  const r = spawnSync(BIN, args, o);
  const stdout = String(r.stdout ?? '');
  return {
    code: r.status,
    stdout,
    stderr: String(r.stderr ?? ''),
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${r.status}):\n${stdout}\nstderr:\n${r.stderr}`);
      }
    },
  };
}

/** A fixture tree in a fresh temp dir; remove it with cleanup(). */
export function fixture(spec: FixtureSpec): FixtureTree & { cleanup(): void } {
  const dir = makeTempDir();
  const t = writeFixtureTree(dir, spec);
  return { ...t, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A writable copy of a bundled example snapshot in a temp dir. */
export function exampleCopy(name: string): { file: string; dir: string; cleanup(): void } {
  const dir = makeTempDir();
  const file = path.join(dir, `${name}.json`);
  fs.copyFileSync(example(name), file);
  return { file, dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Remove ANSI colour codes. */
export const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** An unprivileged user to run as, when the tests run as root (null otherwise). */
export const NOBODY: { uid: number; gid: number } | null = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;
