/**
 * The wizard, end to end in a pseudo-terminal: tmux runs it, send-keys types,
 * capture-pane reads the screen. Skipped (with the reason) when tmux is not
 * installed; .ci/run installs it.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, run, exampleCopy, example, cleanEnv, fixture, requireTool, TOOLS } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { shellWord, setLimitCommand, toolPrefix } from '../src/cli/commands/wizard/commandline.js';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One wizard run in a detached tmux session on a private server. */
class Terminal {
  private readonly socket = `powercapctl-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly dir = makeTempDir('powercapctl-tmux-');
  readonly exitFile = path.join(this.dir, 'exit');

  /** `env`: more variables for the wizard's environment (POWERCAPCTL_FAULTS) */
  constructor(args: string[], private readonly env: Record<string, string> = {}) {
    const cmd = `${[BIN, ...args].map(shellWord).join(' ')}; echo $? > ${shellWord(this.exitFile)}; sleep 60`;
    this.tmux('new-session', '-d', '-s', 'w', '-x', '180', '-y', '60', cmd);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { env: cleanEnv({ TERM: 'xterm-256color', ...this.env }), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'w', '-S', '-200');
  }

  /** send keys: literal text, or tmux key names with {key: 'Enter'} */
  type(...keys: Array<string | { key: string }>): void {
    for (const k of keys) {
      if (typeof k === 'string') this.tmux('send-keys', '-t', 'w', '-l', k);
      else this.tmux('send-keys', '-t', 'w', k.key);
    }
  }

  /** wait until the screen matches (the prompt is drawn), return the screen */
  async waitFor(re: RegExp, timeoutMs = 15000): Promise<string> {
    const t0 = Date.now();
    let s = '';
    while (Date.now() - t0 < timeoutMs) {
      s = this.screen();
      if (re.test(s)) return s;
      await sleep(80);
    }
    throw new Error(`timed out waiting for ${re}; the screen:\n${s}`);
  }

  async exitCode(timeoutMs = 15000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (fs.existsSync(this.exitFile)) {
        const t = fs.readFileSync(this.exitFile, 'utf8').trim();
        if (t !== '') return Number(t);
      }
      await sleep(80);
    }
    throw new Error(`the wizard did not exit; the screen:\n${this.screen()}`);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** an attribute's stored text in a snapshot document: powercap/<type>/<zone>/<file> */
function attrOf(file: string, type: string, zone: string, attr: string): unknown {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  let node = doc.powercap.dirs[type];
  const want = zone;
  const find = (n: any): any => {
    if (n.dirs?.[want]) return n.dirs[want];
    for (const d of Object.values(n.dirs ?? {})) {
      const f = find(d);
      if (f) return f;
    }
    return null;
  };
  node = find(node);
  return node?.attrs?.[attr];
}

const ENTER = { key: 'Enter' };
const DOWN = { key: 'Down' };

describe('wizard without a terminal', () => {
  test('refuses with exit 2 and names set-limit and create-node', () => {
    const copy = exampleCopy('intel-laptop');
    try {
      const before = fs.readFileSync(copy.file);
      const r = run(['--snapshot', copy.file, 'wizard']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /needs a terminal/);
      assert.match(r.stderr, /set-limit/);
      assert.match(r.stderr, /create-node/);
      assert.equal(r.stdout, '');
      assert.deepEqual(fs.readFileSync(copy.file), before);
      assert.equal(run(['--snapshot', copy.file, 'wizard', 'limit', '--json']).code, 2);
    } finally {
      copy.cleanup();
    }
  });
});

describe('wizard in a pseudo-terminal (tmux)', requireTool(TOOLS.tmux), () => {
  const cleanups: Array<() => void> = [];
  after(() => cleanups.forEach((c) => c()));

  test('cap a zone: bad values are refused under the prompt, a good one is written to the snapshot', async () => {
    const copy = exampleCopy('intel-laptop');
    const term = new Terminal(['--snapshot', copy.file, 'wizard', 'limit']);
    cleanups.push(() => term.close(), () => copy.cleanup());

    // the zone list shows names, readings and limits; the sixth zone is the MMIO copy of package-0 (15 W)
    let s = await term.waitFor(/Which zone\?/);
    assert.match(s, /package-0\s+intel-rapl:0\s+52\.6 kJ\s+long_term 28 W/);
    assert.match(s, /package-0\s+intel-rapl-mmio:0\s+52\.7 kJ\s+long_term 15 W/);
    term.type(DOWN, DOWN, DOWN, DOWN, DOWN, ENTER);
    s = await term.waitFor(/Which constraint\?/);
    assert.match(s, /Which zone\? package-0\s+intel-rapl-mmio:0/);
    term.type(ENTER); // long_term, the default

    s = await term.waitFor(/New long_term limit for package-0 \(now 15 W; max 28 W/);
    // no unit: the parser's message, under the prompt
    term.type('20', ENTER);
    s = await term.waitFor(/invalid power '20': a unit is required/);
    const lines = s.split('\n');
    const promptAt = lines.findIndex((l) => /New long_term limit/.test(l));
    const errorAt = lines.findIndex((l) => /a unit is required/.test(l));
    assert.ok(errorAt > promptAt, 'the error is shown under the prompt');
    // above the constraint's max (28 W): the bound set-limit enforces
    term.type({ key: 'C-u' }, '99W', ENTER);
    s = await term.waitFor(/99 W is above the maximum of intel-rapl-mmio:0 \(package-0\) long_term \(28 W\)/);
    // a good value
    term.type({ key: 'C-u' }, '20W', ENTER);
    await term.waitFor(/Change the time window too \(now 27\.984 s\)\?/);
    term.type(ENTER); // no
    s = await term.waitFor(/Write this change to .*\?/);
    assert.match(s, /intel-rapl-mmio:0 long_term power limit \(package-0\): 15 W → 20 W/);
    assert.equal(attrOf(copy.file, 'intel-rapl-mmio', 'intel-rapl-mmio:0', 'constraint_0_power_limit_uw'), '15000000\n', 'nothing written before confirming');
    term.type('y', ENTER);

    assert.equal(await term.exitCode(), 0, term.screen());
    // 20 W = 20 000 000 µW in the kernel's text, in the zone's long_term (constraint 0)
    assert.equal(attrOf(copy.file, 'intel-rapl-mmio', 'intel-rapl-mmio:0', 'constraint_0_power_limit_uw'), '20000000\n');
    assert.equal(attrOf(copy.file, 'intel-rapl', 'intel-rapl:0', 'constraint_0_power_limit_uw'), '28000000\n', 'the other package copy untouched');
    s = term.screen();
    assert.ok(s.includes(`set-limit intel-rapl-mmio:0 20W --constraint long_term --yes`), s);
    assert.ok(s.includes(`--snapshot ${copy.file}`));
  });

  test('Ctrl-C at a prompt: exit 130, the file byte for byte as it was', async () => {
    const copy = exampleCopy('intel-laptop');
    const before = fs.readFileSync(copy.file);
    const term = new Terminal(['--snapshot', copy.file, 'wizard']);
    cleanups.push(() => term.close(), () => copy.cleanup());
    await term.waitFor(/What do you want to do\?/);
    term.type(ENTER); // cap a zone
    await term.waitFor(/Which zone\?/);
    term.type(ENTER);
    await term.waitFor(/Which constraint\?/);
    term.type(ENTER);
    await term.waitFor(/New long_term limit/);
    term.type('25W'); // typed, not confirmed
    await term.waitFor(/New long_term limit.*25W/);
    term.type({ key: 'C-c' });
    assert.equal(await term.exitCode(), 130);
    assert.match(term.screen(), /cancelled: nothing was changed/);
    assert.deepEqual(fs.readFileSync(copy.file), before);
  });

  test('SIGTERM between the two writes of a change: both rolled back, exit 143, the live tree as it was', async () => {
    const t = fixture(intelLaptop);
    cleanups.push(t.cleanup);
    const attr = (f: string) => fs.readFileSync(path.join(t.classRoot, 'intel-rapl:0', f), 'utf8');
    const before = [attr('constraint_0_power_limit_uw'), attr('constraint_0_time_window_us')];
    // the process signals itself right after its first write (docs/testing.md), as a `kill` between two writes would
    const term = new Terminal(['--root', t.classRoot, 'wizard', 'limit'], { POWERCAPCTL_FAULTS: 'after-write:#1=SIGTERM' });
    cleanups.push(() => term.close());
    await term.waitFor(/Which zone\?/);
    term.type(ENTER); // package-0 intel-rapl:0, the first zone with a limit
    await term.waitFor(/Which constraint\?/);
    term.type(ENTER); // long_term
    await term.waitFor(/New long_term limit for package-0 \(now 28 W/);
    term.type('20W', ENTER);
    await term.waitFor(/Change the time window too/);
    term.type('y', ENTER);
    await term.waitFor(/Time window \(now 27\.984 s/);
    term.type('10s', ENTER);
    await term.waitFor(/Write these changes to the live tree\?/);
    term.type('y', ENTER);
    assert.equal(await term.exitCode(), 143, term.screen());
    const s = term.screen();
    assert.match(s, /interrupted by SIGTERM before all writes were made: 1 earlier write was rolled back/);
    assert.match(s, /rolled back: intel-rapl:0 \(package-0\) .*power limit 20 W → 28 W/);
    // 28 W and 27 983 872 µs, as before: nothing half-applied
    assert.deepEqual([attr('constraint_0_power_limit_uw'), attr('constraint_0_time_window_us')], before);
    assert.deepEqual(before, ['28000000\n', '27983872\n']);
  });

  test('a DTPM node never limited reads "not limited", as list says it, not 0 W', async () => {
    const copy = exampleCopy('rk3399-dtpm');
    cleanups.push(() => copy.cleanup());
    const term = new Terminal(['--snapshot', copy.file, 'wizard', 'limit']);
    cleanups.push(() => term.close());
    // rk3399 (the root) is a virtual node whose stored limit is 0 since boot
    let s = await term.waitFor(/Which zone\?/);
    assert.match(s, /rk3399\s+dtpm:0\s+.*Instantaneous not limited/);
    term.type(ENTER);
    s = await term.waitFor(/New Instantaneous limit for rk3399 \(now not limited;/);
    term.type('3W', ENTER);
    s = await term.waitFor(/Write this change to .*\?/);
    assert.match(s, /dtpm:0 .*power limit \(rk3399\): not limited → 3 W/);
    assert.doesNotMatch(s, /0 W →/);
    term.type({ key: 'C-c' });
    assert.equal(await term.exitCode(), 130);
  });

  test('build a DTPM hierarchy: bounds and weights as it grows, saved, with the equivalent create-node lines', async () => {
    const copy = exampleCopy('rk3399-dtpm');
    cleanups.push(() => copy.cleanup());
    // start from the board's registry with no hierarchy
    assert.equal(run(['--snapshot', copy.file, 'delete-node', '--recursive', 'rk3399']).code, 0);
    const term = new Terminal(['--snapshot', copy.file, 'wizard', 'dtpm']);
    cleanups.push(() => term.close());

    await term.waitFor(/Create the root node/);
    term.type(ENTER);
    await term.waitFor(/Name of the new virtual node:/);
    // a device's name that is not registered would make a virtual node that limits nothing
    term.type('cpu9-cpufreq', ENTER);
    await term.waitFor(/'cpu9-cpufreq' is named like a device, but no such device is registered/);
    for (let i = 0; i < 'cpu9-cpufreq'.length; i++) term.type({ key: 'BSpace' });
    term.type('soc', ENTER);
    // three devices, each placed under soc (the only virtual node)
    for (let placed = 0; placed < 3; placed++) {
      await term.waitFor(new RegExp(`Place a device \\(${3 - placed} not placed yet\\)`));
      term.type(DOWN, ENTER); // "Place a device" comes after "Add a virtual node"
      await term.waitFor(/Which device\?/);
      term.type(ENTER);
      await term.waitFor(new RegExp(`soc\\s+virtual.*\\n(.*\\n){${placed + 1}}`));
    }
    // rk3399 (kernel.md §3): min 712596 µW, max 5532592 µW; weights 133, 418, 473 of 1024
    const s = await term.waitFor(/ff9a0000\.gpu\s+devfreq.*weight 473\/1024/);
    assert.match(s, /soc\s+virtual\s+712\.596 mW – 5\.533 W/);
    assert.match(s, /cpu0-cpufreq\s+cpu\s+111\.076 mW – 716\.848 mW\s+weight 133\/1024/);
    assert.match(s, /cpu4-cpufreq\s+cpu\s+.*weight 418\/1024/);
    await term.waitFor(/Save to .* and finish/);
    term.type(DOWN, DOWN, ENTER); // Add a virtual node, Remove a node, Save
    assert.equal(await term.exitCode(), 0, term.screen());
    const end = term.screen();
    assert.ok(end.includes('create-node --virtual soc'), end);
    assert.ok(end.includes('create-node --device soc/cpu0-cpufreq'));

    const tree = run(['--snapshot', copy.file, 'tree', '--json']).json();
    const text = JSON.stringify(tree);
    for (const name of ['soc', 'cpu0-cpufreq', 'cpu4-cpufreq', 'ff9a0000.gpu']) assert.ok(text.includes(`"${name}"`), name);
    assert.equal(attrOf(copy.file, 'dtpm', 'dtpm:0', 'constraint_0_max_power_uw'), '5532592\n');
  });
});

describe('equivalent command lines', () => {
  test('quoted for a shell, naming the source', () => {
    assert.equal(shellWord('intel-rapl:0'), 'intel-rapl:0');
    assert.equal(shellWord('my board.json'), "'my board.json'");
    assert.equal(shellWord("it's"), `'it'\\''s'`);
    assert.deepEqual(toolPrefix({ root: undefined, snapshot: 'a b.json' }), ['powercapctl', '--snapshot', 'a b.json']);
    assert.deepEqual(toolPrefix({ root: undefined, snapshot: undefined }, false), ['sudo', 'powercapctl']);
    assert.deepEqual(toolPrefix({ root: '/tmp/t', snapshot: undefined }, true), ['powercapctl', '--root', '/tmp/t']);
    assert.equal(
      setLimitCommand(['powercapctl', '--snapshot', 'x.json'], { zone: 'intel-rapl:0', power: '20W', constraint: 'short_term', timeWindow: '2.44ms' }),
      'powercapctl --snapshot x.json set-limit intel-rapl:0 20W --constraint short_term --time-window 2.44ms --yes',
    );
    assert.ok(fs.existsSync(example('intel-laptop')));
  });
});
