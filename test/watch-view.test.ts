/**
 * watch's live view in a real terminal (issue 14): tmux runs the binary in a
 * pseudo-terminal at 60×20 and 200×50, resized mid-run; capture-pane reads what a
 * user sees. Each frame fits (no wrapped row, the header on screen with 145 zones,
 * hidden columns and zones said), a resize leaves no clutter, and Ctrl-C gives the
 * terminal back as it was (main screen, cursor shown, only the summary added).
 * Sparklines scale from 0 to the larger of the maximum seen and the limit.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, cleanEnv, requireTool, TOOLS } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { CounterWriter, CORE_W, MMIO_W, PACKAGE_W, watchFixture } from './fixtures/watch.js';
import type { FixtureSpec } from './fixtures/sysfs.js';
import { sparkline } from '../src/core/watch/stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** one command in a detached tmux session on a private server */
class Pane {
  private readonly socket = `powercapctl-view-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly dir = makeTempDir('powercapctl-view-');
  private readonly exitFile = path.join(this.dir, 'exit');

  constructor(args: string[], cols: number, rows: number) {
    // `trap : INT`: the shell outlives Ctrl-C, so the screen after the tool's exit can be read
    const cmd = `trap : INT; echo 'before the watch'; ${[BIN, ...args].map(q).join(' ')}; echo $? > ${q(this.exitFile)}; sleep 60`;
    this.tmux('new-session', '-d', '-s', 'w', '-x', String(cols), '-y', String(rows), cmd);
  }

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { env: cleanEnv({ TERM: 'xterm-256color' }), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  /** the screen as shown, rows as the terminal has them (a wrapped row is two) */
  screen(): string[] {
    return this.tmux('capture-pane', '-p', '-t', 'w').replace(/\n+$/, '').split('\n');
  }

  /** the screen with its scrollback, wrapped rows joined: what piled up */
  history(): string[] {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'w', '-S', '-1000').replace(/\n+$/, '').split('\n');
  }

  state(): { cursor: boolean; alternate: boolean; width: number; height: number } {
    const [c, a, w, h] = this.tmux('display-message', '-p', '-t', 'w', '#{cursor_flag} #{alternate_on} #{pane_width} #{pane_height}').trim().split(' ');
    return { cursor: c === '1', alternate: a === '1', width: Number(w), height: Number(h) };
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', 'w', '-x', String(cols), '-y', String(rows));
  }

  key(k: string): void {
    this.tmux('send-keys', '-t', 'w', k);
  }

  async waitFor(ok: (screen: string[]) => boolean, what: string, timeoutMs = 15000): Promise<string[]> {
    const t0 = Date.now();
    let s: string[] = [];
    while (Date.now() - t0 < timeoutMs) {
      s = this.screen();
      if (ok(s)) return s;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen:\n${s.join('\n')}`);
  }

  async exitCode(timeoutMs = 15000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const t = fs.existsSync(this.exitFile) ? fs.readFileSync(this.exitFile, 'utf8').trim() : '';
      if (t !== '') return Number(t);
      await sleep(80);
    }
    throw new Error(`the watch did not exit; the screen:\n${this.screen().join('\n')}`);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;
const STATUS = /^watch · [0-9]/;
const HEAD = /^ZONE +/;

/** one frame on the screen, fitting a cols × rows terminal: every check a user makes by looking */
function assertFits(screen: string[], cols: number, rows: number, label: string): void {
  const show = `\n${label}, the screen:\n${screen.join('\n')}`;
  assert.ok(screen.length <= rows, `${screen.length} lines on ${rows} rows${show}`);
  for (const l of screen) assert.ok([...l].length < cols, `a line as wide as the terminal (${cols}) wraps: ${JSON.stringify(l)}${show}`);
  assert.equal(count(screen, STATUS), 1, `one status line${show}`);
  assert.match(screen[0]!, STATUS, `the status line on top${show}`);
  assert.match(screen[1]!, HEAD, `the header right under it${show}`);
  assert.equal(count(screen, HEAD), 1, `one header${show}`);
}

describe('watch: the live table fits the terminal (tmux)', requireTool(TOOLS.tmux), () => {
  const t = watchFixture();
  let writer: CounterWriter;
  before(async () => {
    writer = new CounterWriter(t, { 'intel-rapl:0': PACKAGE_W, 'intel-rapl:0:0': CORE_W, 'intel-rapl-mmio:0': MMIO_W });
    await writer.ready();
  });
  after(async () => { await writer.stop(); t.cleanup(); });

  test('60×20, widened to 200×50 and narrowed again mid-run, then Ctrl-C', async () => {
    const pane = new Pane(['--root', t.classRoot, 'watch', '-i', '200ms'], 60, 20);
    try {
      // 60 columns: the zone, its name, power, load and whether it is at its limit stay; what is hidden is said
      let s = await pane.waitFor((x) => x.some((l) => /^system /.test(l)) && /[2-9] samples|[1-9][0-9] samples/.test(x[0] ?? ''), 'a few frames at 60×20');
      assertFits(s, 60, 20, '60×20');
      assert.match(s[1]!, /^ZONE +NAME +POWER/);
      assert.ok(s.some((l) => /^MIN AVG MAX ENERGY TREND LIMIT hidden: widen the terminal/.test(l)), s.join("\n"));
      const pkg = s.find((l) => /^intel-rapl:0 /.test(l));
      assert.ok(pkg, s.join('\n'));
      // figures as written by the counter writer (50 W, 7.25 W) within the jitter of a busy machine; watch.test.ts checks them closely
      // 50 W against the 15 W its MMIO copy holds it to: at the limit
      assert.match(pkg!, /^intel-rapl:0 +package-0 +[3-7][0-9]\.[0-9] W +[0-9]+ % +yes$/);
      assert.ok(s.some((l) => /^ {2}intel-rapl:0:0 +core +[0-9.]+ W/.test(l)), s.join('\n'));
      assert.ok(s.some((l) => /^system = /.test(l)), 'the system rule, shortened to fit');

      // widened: every column, the full sparkline; nothing left from the narrow frames
      pane.resize(200, 50);
      s = await pane.waitFor((x) => /ENERGY/.test(x[1] ?? '') && pane.state().width === 200, 'a frame at 200×50');
      await sleep(500);
      s = pane.screen();
      assertFits(s, 200, 50, '200×50');
      assert.match(s[1]!, /^ZONE +NAME +POWER +MIN +AVG +MAX +ENERGY +TREND +LIMIT +LOAD +AT LIMIT$/);
      assert.equal(count(s, /hidden: widen/), 0);
      const row = s.find((l) => /^intel-rapl:0 /.test(l))!;
      assert.match(row, /package-0 +[3-7][0-9]\.[0-9] W .* [0-9.]+ J +[▁-█]{3,} +15 W +[0-9]+ % +yes$/);
      // the rows after the frame are empty: no clutter from the 60-column frames
      const last = s.findIndex((l) => /^system = /.test(l));
      assert.ok(last > 0, s.join('\n'));
      assert.deepEqual(s.slice(last + 1).filter((l) => l.trim() !== ''), [], `nothing under the frame:\n${s.join('\n')}`);

      // and back to 60×20
      pane.resize(60, 20);
      s = await pane.waitFor(() => pane.state().width === 60, 'back to 60 columns');
      await sleep(500);
      s = pane.screen();
      assertFits(s, 60, 20, 'back at 60×20');
      assert.equal(count(pane.history(), STATUS), 1, 'frames never pile up in the scrollback');

      // Ctrl-C: the screen as it was, the cursor shown, the summary under what was there
      pane.key('C-c');
      assert.equal(await pane.exitCode(), 130);
      const st = pane.state();
      assert.equal(st.alternate, false, 'back on the main screen');
      assert.equal(st.cursor, true, 'the cursor is shown again');
      const h = pane.history().filter((l) => l.trim() !== '');
      assert.equal(h[0], 'before the watch', h.join('\n'));
      assert.match(h[1]!, /^interrupted after [0-9.]+ s \([0-9]+ samples\)$/, h.join('\n'));
      assert.equal(count(h, STATUS), 0, `no frame left on the screen:\n${h.join('\n')}`);
      assert.equal(count(h, /Ctrl-C to stop/), 0);
      // the summary fits the width too: ENERGY and AVG POWER per zone, the rule wrapped at words
      for (const l of h) assert.ok([...l].length < 60, `a wrapped summary line: ${JSON.stringify(l)}\n${h.join('\n')}`);
      assert.match(h[2]!, /^ZONE +NAME +ENERGY +AVG POWER/);
      assert.ok(h.some((l) => /^intel-rapl:0 +package-0 +[0-9.]+ J +[0-9.]+ W/.test(l)), h.join('\n'));
    } finally {
      pane.close();
    }
  });

  test('a tiny terminal (30×8): still one frame, nothing wraps; an ordinary exit (-n) gives the terminal back', async () => {
    const pane = new Pane(['--root', t.classRoot, 'watch', '-i', '100ms', '-n', '15'], 30, 8);
    try {
      const s = await pane.waitFor((x) => /^ZONE/.test(x[1] ?? '') && x.some((l) => /hidden/.test(l)), 'a frame at 30×8');
      assertFits(s, 30, 8, '30×8');
      assert.ok(s.some((l) => /^… [0-9]+ of 5 zones hidden/.test(l)), s.join('\n'));
      assert.equal(await pane.exitCode(), 0);
      const st = pane.state();
      assert.deepEqual([st.alternate, st.cursor], [false, true]);
      const h = pane.history().filter((l) => l.trim() !== '');
      assert.equal(h[0], 'before the watch');
      assert.match(h[1]!, /^watched [0-9.]+ s \(15 samples\)$/, h.join('\n'));
      for (const l of h) assert.ok([...l].length < 30, `a wrapped summary line: ${JSON.stringify(l)}\n${h.join('\n')}`);
      assert.equal(count(h, STATUS), 0, h.join('\n'));
    } finally {
      pane.close();
    }
  });
});

/** 145 DTPM zones reporting power: a root, 12 clusters of 11 devices and 12 more under the root */
function manyZones(): FixtureSpec {
  const leaf = (name: string, uw: number) => ({
    name, powerUw: uw, maxPowerRangeUw: 2000000,
    constraints: [{ name: 'Instantaneous', powerLimitUw: 2000000, timeWindowUs: { errno: 'ENODATA' as const }, maxPowerUw: 2000000 }],
  });
  const clusters = Array.from({ length: 12 }, (_, c) => ({
    ...leaf(`cluster${c}`, 1100000), children: Array.from({ length: 11 }, (_, d) => leaf(`dev${c}-${d}`, 100000)),
  }));
  return { controlTypes: [{ name: 'dtpm', zones: [{ ...leaf('soc', 8000000), children: clusters }] }] };
}

describe('watch: 145 zones on 60×20 (tmux)', requireTool(TOOLS.tmux), () => {
  const t = watchFixture(manyZones());
  after(() => t.cleanup());

  test('the header stays on screen; how many zones are hidden and how to pick them is said', async () => {
    const pane = new Pane(['--root', t.classRoot, 'watch', '-i', '200ms', '-n', '40'], 60, 20);
    try {
      let s = await pane.waitFor((x) => /[2-9] samples/.test(x[0] ?? ''), 'frames of 145 zones');
      assertFits(s, 60, 20, '145 zones at 60×20');
      assert.equal(s.length, 20, 'the whole height is used');
      const rows = s.filter((l) => /^ *dtpm:/.test(l)).length;
      const hidden = s.find((l) => /hidden: name the zones/.test(l));
      assert.ok(hidden, s.join('\n'));
      assert.match(hidden!, new RegExp(`^… ${145 - rows} of 145 zones hidden: name the zones`));
      const soc = s.find((l) => /^dtpm:0 /.test(l))!;
      assert.match(soc, /^dtpm:0 +soc +8\.0 W/);
      pane.resize(200, 50);
      s = await pane.waitFor(() => pane.state().height === 50, '200×50');
      await sleep(500);
      s = pane.screen();
      assertFits(s, 200, 50, '145 zones at 200×50');
      // steady powers draw flat lines: soc 8.0 W (over its 2.0 W limit) at the top, each 0.1 W device low against 2.0 W
      const trendOf = (re: RegExp) => /([▁-█]+) +2 W/.exec(s.find((l) => re.test(l)) ?? '')?.[1] ?? '';
      assert.match(trendOf(/^dtpm:0 +soc /), /^█{2,}$/, s.join('\n'));
      assert.match(trendOf(/^ {4}dtpm:0:0:0 +dev0-0 /), /^▁{2,}$/, s.join('\n'));
      assert.match(s.find((l) => /hidden: name the zones/.test(l)) ?? '', /^… [0-9]+ of 145 zones hidden/);
    } finally {
      pane.close();
    }
  });
});

describe('sparkline: from 0 to the larger of the maximum seen and the limit', () => {
  test('a flat 8.0 W line draws flat, not as noise', () => {
    const flat = [8e6, 8e6, 8e6, 8e6, 8e6, 8e6];
    assert.equal(sparkline(flat, 8e6), '██████');
    // against a 16 W limit it sits at half height
    assert.equal(sparkline(flat, 16e6), '▄▄▄▄▄▄');
    // a wobble of a few mW on 8 W stays one bar (the old min–max scale drew ▁ to █)
    assert.equal(sparkline([8.000e6, 8.003e6, 7.998e6, 8.001e6], 8.003e6), '████');
  });
  test('0 is blank, as is a gap; any power above 0 draws', () => {
    assert.equal(sparkline([0, 0, 0], 0), '   ');
    assert.equal(sparkline([0, 1e6, Number.NaN, 8e6], 8e6), ' ▁ █');
    assert.equal(sparkline([1, 8e6], 8e6), '▁█');
  });
  test('the limit is the top when higher than anything seen', () => {
    assert.equal(sparkline([1e6, 2e6, 4e6], 8e6), '▁▂▄');
    assert.equal(sparkline([1e6, 2e6, 4e6]), '▂▄█');
  });
});
