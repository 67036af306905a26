/**
 * Every `$ powercapctl …` example of every help page runs as a reader would follow them: each
 * page's examples in the order printed, in a fresh folder holding a copy of examples/, with
 * POWERCAPCTL_ROOT a writable copy of the laptop fixture tree, an empty energy-model root, HOME a
 * fresh folder, `sudo` a no-op, and `systemctl`/`udevadm` stand-ins that record their calls.
 * Each page runs in a private mount and network namespace (unshare -mn, as root): /etc and
 * /var/lib are overlays, writable but empty of this tool's files, so an example that installs a
 * profile, a unit or a textfile writes into them for real and the machine is left untouched; a
 * server (the exporter) gets its own loopback and is stopped with SIGTERM once it serves; an
 * interactive example (the wizard) runs in a pseudo-terminal and is stopped with Ctrl-C at its
 * first question. Every example must end as it documents: exit 0, or 130 for the wizard.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, EXAMPLES, ISOLATED, fixture } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { intelLaptop } from './fixtures/specs.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { TOP_EXAMPLES } from '../src/cli/program.js';
import type { CommandSpec } from '../src/cli/spec.js';
import { buildWatchExample } from '../scripts/build-examples.js';

/**
 * How an example is run: most run to their end; a server (the exporter, a watch feeding a
 * textfile until stopped) until it serves, then SIGTERM; a prompt until its first question.
 */
export function kindOf(command: string): 'run' | 'server' | 'interactive' {
  if (/\bexporter\b/.test(command)) return 'server';
  // a plant served for the next examples, and balance or govern until stopped
  if (/\bsim\b.*--serve\b/.test(command)) return 'server';
  if (/\bpowercapctl(?: --root \S+)? (balance|govern)\b/.test(command) && !/--duration\b/.test(command)) return 'server';
  if (/\bwatch\b.*--textfile/.test(command) && !/\s(-n|--count|-d|--duration)\b/.test(command)) return 'server';
  if (/\bwizard\b/.test(command)) return 'interactive';
  return 'run';
}

/** How a server example ends on SIGTERM, as its command documents: watch exits 143 (128 + SIGTERM), the exporter, sim --serve, balance and govern 0. */
const serverExit = (command: string) => (/(^|\s)watch(\s|$)/.test(command) ? 143 : 0);

interface Page { page: string; examples: string[] }
function pages(): Page[] {
  const out: Page[] = [{ page: '(top level)', examples: TOP_EXAMPLES.map((e) => e.command) }];
  const walk = (list: readonly CommandSpec[], parents: string[]) => {
    for (const c of list) {
      if (c.hidden) continue;
      const words = [...parents, c.name];
      out.push({ page: words.join(' '), examples: c.examples.map((e) => e.command) });
      walk(c.subcommands ?? [], words);
    }
  };
  walk(COMMANDS, []);
  return out;
}

const cleanups: Array<() => void> = [];
after(() => { for (const c of cleanups) c(); });

const IS_ROOT = process.getuid?.() === 0;
const HAS_UNSHARE = spawnSync('sh', ['-c', 'command -v unshare && command -v ip && command -v script'], { encoding: 'utf8' }).status === 0;
const CAN_ISOLATE = IS_ROOT && HAS_UNSHARE &&
  spawnSync('unshare', ['-m', '-n', 'true']).status === 0;
const NOT_ISOLATED = CAN_ISOLATE ? false : 'the examples run as root in a private mount and network namespace (unshare -mn, util-linux and iproute2): not available here';

/** a PATH folder: `powercapctl` (the built binary), `sudo` that runs its arguments, systemctl and udevadm that log their arguments */
const binDir = (() => {
  const d = makeTempDir();
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.symlinkSync(BIN, path.join(d, 'powercapctl'));
  fs.writeFileSync(path.join(d, 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
  for (const tool of ['systemctl', 'udevadm']) {
    fs.writeFileSync(path.join(d, tool), `#!/bin/sh\necho "${tool} $*" >> "$CALLS"\n`, { mode: 0o755 });
  }
  return d;
})();

/**
 * The shell script that runs `command` in a fresh mount and network namespace: loopback up,
 * /etc and /var/lib overlaid on `state` (the same upper layers for every example of a page, so
 * what one writes the next sees).
 */
function isolated(state: string, server = false): string {
  const layer = (name: string, dir: string) => {
    fs.mkdirSync(path.join(state, name, 'upper'), { recursive: true });
    fs.mkdirSync(path.join(state, name, 'work'), { recursive: true });
    return `mount -t overlay overlay -o lowerdir=${dir},upperdir=${state}/${name}/upper,workdir=${state}/${name}/work ${dir}`;
  };
  // systemctl and udevadm are called by their paths (cli/commands/persist/systemctl.ts): the stand-ins are bound there
  const standIns = ['/bin/systemctl', '/usr/bin/udevadm'].filter((p) => fs.existsSync(p))
    .map((p) => `mount --bind ${binDir}/${path.basename(p)} ${p}`);
  // a machine running node_exporter with its textfile collector has this folder (watch's example feeds it)
  fs.mkdirSync(path.join(state, 'varlib', 'upper', 'node_exporter', 'textfile'), { recursive: true });
  // a server's command replaces every shell on its way (exec), so that SIGTERM reaches the program itself
  return ['set -e', 'ip link set lo up', layer('etc', '/etc'), layer('varlib', '/var/lib'), ...standIns, 'set +e', server ? 'exec sh -c "exec $1"' : 'exec sh -c "$1"'].join('\n');
}

/** A server: started, stopped with SIGTERM once it says where it serves (or `ready()`); its exit status. */
function runServer(script: string, command: string, opts: { cwd: string; env: NodeJS.ProcessEnv }, ready: () => boolean): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-m', '-n', 'sh', '-c', script, 'sh', command], { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let stopped = false;
    // never left behind: a server that outlives its test would hold a port and a core (its whole process group goes)
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 30_000);
    const stop = () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
    };
    // a file it keeps current has appeared (watch --textfile): polled, as nothing is printed
    const poll = setInterval(() => { if (ready()) stop(); }, 50);
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      // the exporter says where it serves (a note, or the --json line) once it listens; sim --serve
      // once its tree is laid out; balance and govern once they run (their first line, or record)
      if (/serving http:|"url":|^serving .* in |^(balance|govern): |"period":/m.test(out)) stop();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code, signal) => { clearTimeout(timer); clearInterval(poll); resolve({ code: code ?? (signal ? 128 + (signal === 'SIGTERM' ? 15 : 9) : null), out }); });
  });
}

/** An interactive example in a pseudo-terminal (script(1)): Ctrl-C at its first question; its exit status. */
function runInteractive(script: string, command: string, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const inner = `unshare -m -n sh -c '${script.replace(/'/g, `'\\''`)}' sh '${command.replace(/'/g, `'\\''`)}'`;
    const child = spawn('script', ['-qefc', inner, '/dev/null'], { ...opts, env: { ...opts.env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let sent = false;
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 30_000);
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      // inquirer's question mark: the wizard is waiting for an answer
      if (!sent && /\?\s.*\S/.test(out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
        sent = true;
        child.stdin.write('\x03');
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe('every help example runs', { skip: NOT_ISOLATED }, () => {
  for (const { page, examples } of pages()) {
    if (!examples.length) continue;
    test(`${page}: ${examples.length} example(s), in order`, async () => {
      const dir = makeTempDir();
      const work = path.join(dir, 'work');
      const home = path.join(dir, 'home');
      const state = path.join(dir, 'layers');
      fs.mkdirSync(work);
      fs.mkdirSync(home);
      fs.cpSync(EXAMPLES, path.join(work, 'examples'), { recursive: true });
      const live = fixture(intelLaptop);
      cleanups.push(() => { live.cleanup(); fs.rmSync(dir, { recursive: true, force: true }); });
      const env = {
        PATH: `${binDir}:${process.env.PATH}`, HOME: home, LANG: 'C.UTF-8', CALLS: path.join(dir, 'calls'),
        POWERCAPCTL_ROOT: live.classRoot, POWERCAPCTL_EM_ROOT: ISOLATED.emRoot,
      };
      const script = isolated(state);
      for (const command of examples) {
        const opts = { cwd: work, env };
        const kind = kindOf(command);
        if (kind === 'run') {
          const r = spawnSync('unshare', ['-m', '-n', 'sh', '-c', script, 'sh', command], { ...opts, encoding: 'utf8', timeout: 30000, input: '' });
          assert.equal(r.status, 0, `${page}: \`${command}\` exited ${r.status}\n${r.stderr}${r.stdout.slice(0, 400)}`);
        } else if (kind === 'server') {
          const textfile = /--textfile\s+(\S+)/.exec(command)?.[1];
          const inLayers = (f: string) => (f.startsWith('/var/lib/') ? path.join(state, 'varlib', 'upper', f.slice('/var/lib/'.length)) : path.resolve(work, f));
          const r = await runServer(isolated(state, true), command, opts, () => textfile !== undefined && fs.existsSync(inLayers(textfile)));
          assert.equal(r.code, serverExit(command), `${page}: \`${command}\` (stopped with SIGTERM once serving) exited ${r.code}\n${r.out.slice(0, 600)}`);
        } else {
          const r = await runInteractive(script, command, opts);
          assert.equal(r.code, 130, `${page}: \`${command}\` (Ctrl-C at its first question) exited ${r.code}\n${r.out.slice(-600)}`);
        }
      }
    });
  }
});

describe('the bundled recording', () => {
  test('examples/watch-laptop.json is what scripts/build-examples.ts builds (npm run examples)', () => {
    assert.equal(fs.readFileSync(path.join(EXAMPLES, 'watch-laptop.json'), 'utf8'), buildWatchExample());
  });
  test('it replays: one minute of the laptop, idle then a build near the 15 W MMIO limit', () => {
    const r = spawnSync(BIN, ['--snapshot', path.join(EXAMPLES, 'watch-laptop.json'), 'watch', '--speed', '0', '--json', 'intel-rapl-mmio:0'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, POWERCAPCTL_ROOT: ISOLATED.root, POWERCAPCTL_EM_ROOT: ISOLATED.emRoot } });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.zone === 'intel-rapl-mmio:0');
    assert.equal(rows.length, 60);
    assert.equal(rows[0].time, '2026-11-01T12:00:01.000Z');
    const busy = rows[20].powerUw / 1e6;
    assert.ok(busy > 14 && busy < 16, `busy ${busy} W`);
    assert.ok(rows[0].powerUw / 1e6 < 5, 'idle first');
  });
});
