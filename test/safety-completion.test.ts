/**
 * Completion candidates are data. A snapshot mailed around can name a zone `$(touch …)`; pressing
 * TAB after `powercapctl --snapshot evil.json set-limit ` in a real interactive bash, zsh and fish
 * (each in a tmux pseudo-terminal, the generated script sourced) must run nothing, and a
 * candidate taken onto the line must be quoted so that pressing Enter runs nothing either.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, cleanEnv, example, run, requireTool, TOOLS } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { COMPLETION_FILES } from '../src/cli/completion/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = makeTempDir('powercapctl-evil-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const marker = (n: number) => path.join(dir, `pwned-${n}`);
const markers = () => fs.readdirSync(dir).filter((f) => f.startsWith('pwned-'));

/** Zone names a hostile snapshot carries: command substitutions, quotes, globs, newlines, escapes. */
const HOSTILE = [
  `$(touch ${marker(1)})`,
  `\`touch ${marker(2)}\``,
  `with space $(touch ${marker(3)})`,
  `quote'd "x" $(touch ${marker(4)})`,
  `nl\n$(touch ${marker(5)})`,
  `;touch ${marker(6)};*`,
];
const ESC_CONSTRAINT = 'esc\x1b]0;retitled\x07';

/** intel-laptop with each of its six zones named by one hostile name, and a constraint named with ESC. */
function evilSnapshot(): string {
  const doc = JSON.parse(fs.readFileSync(example('intel-laptop'), 'utf8'));
  const rapl = doc.powercap.dirs['intel-rapl'].dirs;
  const zones = [rapl['intel-rapl:0'], ...Object.values(rapl['intel-rapl:0'].dirs), rapl['intel-rapl:1'], doc.powercap.dirs['intel-rapl-mmio'].dirs['intel-rapl-mmio:0']] as Array<{ attrs: Record<string, unknown> }>;
  assert.equal(zones.length, HOSTILE.length);
  zones.forEach((z, i) => { z.attrs.name = HOSTILE[i] + '\n'; });
  zones[0]!.attrs.constraint_1_name = ESC_CONSTRAINT + '\n';
  const f = path.join(dir, 'evil.json');
  fs.writeFileSync(f, JSON.stringify(doc));
  return f;
}
const EVIL = evilSnapshot();

class Shell {
  private readonly socket = `powercapctl-evil-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  constructor(argv: string[], env: Record<string, string>) {
    const r = spawnSync('tmux', ['-L', this.socket, 'new-session', '-d', '-s', 'w', '-x', '200', '-y', '50', ...argv], {
      env: { ...cleanEnv({ TERM: 'xterm-256color', ...env }), PATH: `${path.join(ROOT, 'bin')}:${process.env.PATH}` }, encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  }
  private tmux(...args: string[]): string {
    return spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }).stdout ?? '';
  }
  screen = () => this.tmux('capture-pane', '-p', '-J', '-t', 'w');
  type = (text: string) => this.tmux('send-keys', '-t', 'w', '-l', text);
  key = (k: string) => this.tmux('send-keys', '-t', 'w', k);
  async waitFor(re: RegExp, ms = 15000): Promise<string> {
    const t0 = Date.now();
    let s = '';
    while (Date.now() - t0 < ms) {
      s = this.screen();
      if (re.test(s)) return s;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${re}; the screen:\n${s}`);
  }
  close = () => spawnSync('tmux', ['-L', this.socket, 'kill-server']);
}

const SHELLS = {
  bash: { argv: ['bash', '--norc', '--noprofile'], tool: TOOLS.bash, setup: `source ${path.join(ROOT, COMPLETION_FILES.bash)}`, listKeys: ['Tab', 'Tab'] },
  zsh: { argv: ['zsh', '-f'], tool: TOOLS.zsh, setup: `autoload -U compinit && compinit -u && source ${path.join(ROOT, COMPLETION_FILES.zsh)}`, listKeys: ['Tab'] },
  fish: { argv: ['fish', '--no-config', '--private'], tool: TOOLS.fish, setup: `source ${path.join(ROOT, COMPLETION_FILES.fish)}`, listKeys: ['Tab'] },
} as const;

describe('hostile zone names in a real shell: TAB runs nothing, an inserted name is quoted', requireTool(TOOLS.tmux), () => {
  for (const [name, sh] of Object.entries(SHELLS)) {
    test(name, requireTool(sh.tool), async () => {
      for (const m of markers()) fs.rmSync(path.join(dir, m));
      const s = new Shell([...sh.argv], { PS1: 'READY$ ', PROMPT: 'READY$ ', HISTFILE: '/dev/null' });
      try {
        s.type(`${name === 'fish' ? 'function fish_prompt; echo "READY\\$ "; end; ' : ''}${sh.setup}; echo SOURCED`);
        s.key('Enter');
        await s.waitFor(/^SOURCED$/m);
        // list every candidate
        s.type(`powercapctl --snapshot ${EVIL} set-limit `);
        for (const k of sh.listKeys) { s.key(k); await sleep(400); }
        await s.waitFor(/intel-rapl:0:0/);
        await sleep(500);
        assert.deepEqual(markers(), [], `${name}: listing candidates ran code`);
        // take the one candidate starting with "with" onto the line, then run the line
        s.key('C-c');
        await sleep(300);
        s.type(`powercapctl --snapshot ${EVIL} list with`);
        s.key('Tab');
        await sleep(1500);
        const line = s.screen().split('\n').filter((l) => l.includes('list with')).pop() ?? '';
        assert.match(line, /list .?with/, `${name}: the candidate was not inserted:\n${s.screen()}`);
        s.key('Enter');
        await sleep(1500);
        assert.deepEqual(markers(), [], `${name}: the inserted candidate ran code when the line ran:\n${s.screen()}`);
      } finally {
        s.close();
      }
    });
  }
});

test('__complete drops names no line can hold (newline, tab, ESC) and prints the rest as they are', () => {
  const r = run(['__complete', 'zone', '--snapshot', EVIL]);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n').filter(Boolean);
  for (const i of [0, 1, 2, 3, 5]) assert.ok(lines.includes(HOSTILE[i]!), `${HOSTILE[i]} in ${lines.join(' | ')}`);
  assert.ok(!lines.includes(`$(touch ${marker(5)})`), 'a name cut at its newline became a candidate');
  const c = run(['__complete', 'constraint', '--snapshot', EVIL, '--', 'intel-rapl:0']);
  assert.deepEqual(c.stdout.split('\n').filter(Boolean), ['long_term', 'peak_power']);
});
