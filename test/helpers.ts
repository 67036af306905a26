/**
 * Test helpers: spawn the built binary with an isolated environment (no
 * POWERCAPCTL_* or colour variables from the developer's shell), parse output,
 * make fixture copies in temp dirs.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { writeFixtureTree, makeTempDir, type FixtureSpec, type FixtureTree } from './fixtures/sysfs.js';
import { intelLaptop } from './fixtures/specs.js';
import { REQUIRE_TOOLS, installCommand, missingReason, toolPath, type Tool } from './tools.js';

export { TOOLS, toolPath } from './tools.js';

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

/**
 * Every source a spawned binary could read by default points into this folder,
 * so the host never leaks in: no powercap tree (POWERCAPCTL_ROOT names a path
 * that does not exist) and an empty energy model (POWERCAPCTL_EM_ROOT). A test
 * that wants a source passes it as a flag or sets the variable itself.
 */
export const ISOLATED = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-iso-'));
  fs.chmodSync(dir, 0o755); // reachable by the runs as uid 65534
  fs.mkdirSync(path.join(dir, 'energy_model'));
  // a machine with no power supply at all: AC, said nowhere (core/power-source.ts)
  fs.mkdirSync(path.join(dir, 'power_supply'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    dir, root: path.join(dir, 'no-powercap'), emRoot: path.join(dir, 'energy_model'), dt: path.join(dir, 'no-devicetree'),
    powerSupply: path.join(dir, 'power_supply'),
  };
})();

/**
 * A user's proxy and CA settings: what a child that may reach a network (npm) needs to get
 * through, in either case (HTTPS_PROXY, https_proxy), and as npm reads them from the environment.
 */
const NETWORK_SETTING = /^((https?|all|no)_proxy|node_extra_ca_certs|ssl_cert_(file|dir)|npm_config_((https?[-_])?proxy|no[-_]?proxy|cafile|ca|strict[-_]ssl))$/i;

/**
 * A clean environment: PATH and HOME only, the isolated sources, plus what the test sets. With
 * `network`, the user's proxy and CA settings too (NETWORK_SETTING), for a child that may need them.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}, { network = false } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8',
    POWERCAPCTL_ROOT: ISOLATED.root, POWERCAPCTL_EM_ROOT: ISOLATED.emRoot, POWERCAPCTL_DT: ISOLATED.dt,
    POWERCAPCTL_POWER_SUPPLY_ROOT: ISOLATED.powerSupply,
  };
  if (network) for (const [k, v] of Object.entries(process.env)) if (NETWORK_SETTING.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  // a test that names a snapshot in the environment means it, not the isolated root
  if ('POWERCAPCTL_SNAPSHOT' in extra && !('POWERCAPCTL_ROOT' in extra)) delete env.POWERCAPCTL_ROOT;
  return env;
}

/**
 * The package as uid 65534 can run it. A checkout under a 0700 folder (/root, a
 * `mktemp -d`) is out of that user's reach, so the runs as another user start a
 * copy staged in a world-readable temp folder: the launcher, the build (the bundle,
 * its code cache and dist/vendor/), nothing else, as an install has it. Only a build
 * without the bundle takes the runtime packages from node_modules along.
 */
let staged: string | undefined;
export function stagedPackage(): string {
  if (staged) return staged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'powercapctl-pkg-'));
  fs.chmodSync(dir, 0o755);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const devOnly = /^node_modules\/(@esbuild|esbuild|@typescript|typescript|@types|madge)(\/|$)/;
  const bundled = fs.existsSync(path.join(ROOT, 'dist/powercapctl.cjs'));
  for (const entry of ['package.json', 'bin', 'dist', 'examples', 'schema', ...(bundled ? [] : ['node_modules'])]) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: (src) => !devOnly.test(path.relative(ROOT, src)) && !path.relative(ROOT, src).startsWith(path.join('dist', 'test')),
    });
  }
  // a copy keeps modes, but the folders above it were private: open them all for reading
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  return (staged = dir);
}

const asOtherUser = (opts: RunOptions) => opts.uid !== undefined && opts.uid !== process.getuid?.();

/** The binary and folder to spawn for a user: the staged copy for another user (see stagedPackage). */
export function binFor(uid?: number): { bin: string; cwd: string } {
  if (uid === undefined || uid === process.getuid?.()) return { bin: BIN, cwd: ROOT };
  const pkg = stagedPackage();
  return { bin: path.join(pkg, 'bin/powercapctl'), cwd: pkg };
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
  // the executable itself, as a user runs it (the launcher runs the bundle with its code cache)
  let bin = BIN;
  if (asOtherUser(opts)) {
    const pkg = stagedPackage();
    bin = path.join(pkg, 'bin/powercapctl');
    if (opts.cwd === undefined) o.cwd = pkg;
  }
  const r = spawnSync(bin, args, o);
  if (r.error) {
    // say why (EACCES on the binary, a time-out), never a bare `null` exit code
    throw new Error(`could not run ${bin} ${args.join(' ')}: ${r.error.message}${r.stderr ? `\nstderr:\n${r.stderr}` : ''}`);
  }
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

/**
 * What one test file makes and removes after it: copies of bundled examples, laptop
 * fixture trees, temp folders, and any other cleanup pushed on `cleanups`.
 */
export function scratch(prefix = 'powercapctl-'): {
  cleanups: Array<() => void>;
  copy(name: string): ReturnType<typeof exampleCopy>;
  liveLaptop(): ReturnType<typeof fixture>;
  tempDir(p?: string): string;
  /** a file holding `text`, named `name`, in a fresh temp folder (a profile, a scenario) */
  file(text: string, name: string): string;
} {
  const cleanups: Array<() => void> = [];
  after(() => { for (const c of cleanups) c(); });
  const keep = <T extends { cleanup(): void }>(t: T) => { cleanups.push(t.cleanup); return t; };
  const tempDir = (p = prefix) => {
    const d = makeTempDir(p);
    cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
    return d;
  };
  return {
    cleanups,
    copy: (name) => keep(exampleCopy(name)),
    liveLaptop: () => keep(fixture(intelLaptop)),
    tempDir,
    file(text, name) {
      const f = path.join(tempDir(), name);
      fs.writeFileSync(f, text);
      return f;
    },
  };
}

/** An attribute of a snapshot file: the zone directory is found wherever it is nested. */
export function snapAttr(file: string, zoneId: string, attr: string): unknown {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const find = (node: any): any => {
    for (const [name, d] of Object.entries<any>(node.dirs ?? {})) {
      if (name === zoneId) return d;
      const f = find(d);
      if (f) return f;
    }
    return null;
  };
  const z = find(doc.powercap);
  if (!z) throw new Error(`no zone ${zoneId} in ${file}`);
  return z.attrs[attr];
}

/**
 * The options of a test or a group that runs these programs for real (TOOLS in test/tools.ts):
 * `test(name, requireTool(TOOLS.zsh), fn)`. Where one is missing, the test is skipped with one line
 * naming its Debian package, and the run ends with the list and the install command
 * (test/reporter.ts). Under POWERCAPCTL_TEST_REQUIRE_TOOLS=1 (.ci/run) a missing program is a
 * failure instead: a test of that name fails, saying what to install.
 */
export function requireTool(...tools: Tool[]): { skip: string | false } {
  const missing = tools.filter((t) => toolPath(t) === undefined);
  if (!missing.length) return { skip: false };
  const reason = missingReason(missing);
  if (process.env[REQUIRE_TOOLS] === '1') {
    test(reason, () => { throw new Error(`${reason}, and ${REQUIRE_TOOLS}=1 requires it: ${installCommand(missing.map((t) => t.package))}`); });
  }
  return { skip: reason };
}
