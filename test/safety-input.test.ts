/**
 * Hostile input: every case is a one-line refusal with its documented exit code (never an
 * internal error, a hang or an abort), names from files never create outside --configfs DIR,
 * FIFOs and devices are refused by name, writes never follow a symbolic link, and the large
 * inputs docs/security.md promises stay linear.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, example, fixture, BIN, cleanEnv, requireTool, TOOLS } from './helpers.js';
import { intelLaptop } from './fixtures/specs.js';
import { makeTempDir } from './fixtures/sysfs.js';

const dir = makeTempDir('powercapctl-hostile-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
const RK = example('rk3399-dtpm');
const LAPTOP = example('intel-laptop');

/** intel-laptop with `edit` applied to its document */
function snapshotWith(name: string, edit: (d: any) => void): string {
  const d = JSON.parse(fs.readFileSync(LAPTOP, 'utf8'));
  edit(d);
  return file(name, JSON.stringify(d));
}
const desc = (nodes: unknown[]) => JSON.stringify({ format: 'powercapctl-dtpm', version: 1, nodes });
const deepDesc = (n: number) => desc(Array.from({ length: n }, (_, i) => ({ id: `n${i}`, name: `n${i}`, parent: i ? `n${i - 1}` : null })));
const kernelTable = (name: string) => `static struct dtpm_node __initdata x_hierarchy[] = {\n\t[0]{ .name = "${name}", .type = DTPM_NODE_VIRTUAL },\n\t[1]{ /* sentinel */ }\n};\n`;

/** one line (two with a hint), no "internal error", no stack */
function assertRefusal(r: { code: number | null; stderr: string }, code: number, re: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+|Fatal/);
  assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
  assert.match(r.stderr, re);
}

describe('refused in one line with the documented exit code', () => {
  const cases: Array<[string, () => string[], number, RegExp, Record<string, string>?]> = [
    ['a glob range out of order', () => ['--snapshot', LAPTOP, 'list', '[z-a]'], 2, /invalid pattern '\[z-a\]'/],
    ['a bad POWERCAPCTL_FAULTS rule', () => ['--snapshot', LAPTOP, 'list'], 2, /POWERCAPCTL_FAULTS: cannot parse rule 'garbage'/, { POWERCAPCTL_FAULTS: 'garbage' }],
    ['a POWERCAPCTL_FAULTS signal that is not allowed', () => ['--snapshot', LAPTOP, 'list'], 2, /SIGKILL is not a signal a rule may send/, { POWERCAPCTL_FAULTS: 'after-write:#1=SIGKILL' }],
    ['an OPP JSON with domains: null', () => ['model', 'em', '--opp-file', file('opp1.json', '{"domains": null}')], 6, /expected an array of states/],
    ['an OPP JSON with domains: [null]', () => ['model', 'em', '--opp-file', file('opp2.json', '{"domains": [null]}')], 6, /expected an array of states/],
    ['a budget tree with null nodes', () => ['model', 'budget', '-b', '1W', '--tree', file('bt1.json', '{"nodes": [null, null]}')], 6, /bt1\.json/],
    ['a budget tree with a null child', () => ['model', 'budget', '-b', '1W', '--tree', file('bt2.json', '{"name": "r", "children": [null]}')], 6, /a node needs a name/],
    ['a budget tree 20 000 deep', () => ['model', 'budget', '-b', '1W', '--tree', file('bt3.json', '{"name":"r","children":['.repeat(20000) + '{"name":"l","powerMaxUw":5}' + ']}'.repeat(20000))], 6, /deeper than 64 levels/],
    ['a kernel table with a raw newline in a name', () => ['--snapshot', RK, 'dtpm', 'import', '--dry-run', file('kt1.c', kernelTable('a\nb'))], 6, /entry 0 has no \.name/],
    ['a kernel table with a bad C escape', () => ['--snapshot', RK, 'dtpm', 'import', '--dry-run', file('kt2.c', kernelTable('a\\qb'))], 6, /'\\q' is not a C escape/],
    ['a description 20 000 deep', () => ['--snapshot', RK, 'dtpm', 'import', '--dry-run', file('deep.json', deepDesc(20000))], 6, /deeper than 64 levels/],
    ['a description with a cycle', () => ['--snapshot', RK, 'dtpm', 'import', '--dry-run', file('cyc.json', desc([{ id: 'a', name: 'a', parent: 'b' }, { id: 'b', name: 'b', parent: 'a' }]))], 6, /form a cycle/],
    ['a snapshot nested 20 000 deep', () => {
      const text = fs.readFileSync(LAPTOP, 'utf8');
      const at = text.indexOf('"intel-rapl": {');
      const deep = '"deep": {' + '"dirs": {"x": {'.repeat(20000) + '}}'.repeat(20000) + '},';
      return ['--snapshot', file('deep-snap.json', text.slice(0, at) + deep + text.slice(at)), 'list'];
    }, 6, /deeper than 80 directory levels/],
    ['a snapshot zone directory named ..', () => ['--snapshot', snapshotWith('dotdot.json', (d) => { d.powercap.dirs['intel-rapl'].dirs['..'] = { attrs: { name: 'x\n' } }; }), 'list'], 6, /"\.\." is not a file name/],
    ['a snapshot zone directory named a/b', () => ['--snapshot', snapshotWith('slash.json', (d) => { d.powercap.dirs['intel-rapl'].dirs['a/b'] = { attrs: {} }; }), 'list'], 6, /"a\/b" is not a file name/],
    ['--interval 1000h', () => ['watch', '--interval', '1000h', '-n', '1'], 2, /--interval 1000h: too long \(allowed: 1ms to 24h\)/],
    ['apply --watch 1000h', () => ['apply', '--watch', '1000h', path.join(path.dirname(LAPTOP), 'profile-laptop.yaml')], 2, /too long \(allowed: 100ms to 24h\)/],
  ];
  for (const [name, args, code, re, env] of cases) {
    test(name, () => assertRefusal(run(args(), { env: env ?? {}, timeoutMs: 20000 }), code, re));
  }

  test('an energy-model CPU range 0-4294967295 does not abort', () => {
    const d = JSON.parse(fs.readFileSync(RK, 'utf8'));
    d.energyModel.dirs.cpu0.attrs.cpus = '0-4294967295\n';
    const f = file('cpus.json', JSON.stringify(d));
    const r = run(['--snapshot', f, 'model', 'em', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().domains.length, 3);
  });

  test('an energy-model domain named __proto__ or constructor is captured and read like any other', () => {
    const em = path.join(dir, 'em-proto');
    const d = JSON.parse(fs.readFileSync(RK, 'utf8'));
    const write = (node: any, p: string) => {
      fs.mkdirSync(p, { recursive: true });
      for (const [k, v] of Object.entries(node.attrs ?? {})) fs.writeFileSync(path.join(p, k), typeof v === 'string' ? v : '');
      for (const [k, v] of Object.entries(node.dirs ?? {})) write(v, path.join(p, k));
    };
    d.energyModel.dirs.__proto__ = d.energyModel.dirs.cpu0;
    Object.defineProperty(d.energyModel.dirs, '__proto__', { value: d.energyModel.dirs.cpu0, enumerable: true });
    d.energyModel.dirs.constructor = d.energyModel.dirs.cpu4;
    write(d.energyModel, em);
    const t = fixture(intelLaptop);
    after(t.cleanup);
    const out = path.join(dir, 'proto-snap.json');
    const r = run(['--root', t.classRoot, '--em-root', em, 'snapshot', 'save', out]);
    assert.equal(r.code, 0, r.stderr);
    const m = run(['--snapshot', out, 'model', 'em', '--json']);
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(m.json().domains.map((x: { name: string }) => x.name).sort(), ['__proto__', 'constructor', 'cpu0', 'cpu4', 'ff9a0000.gpu']);
  });
});

describe('registry add: an energy-model domain named __proto__ or constructor is a name like any other', () => {
  for (const domain of ['__proto__', 'constructor']) {
    test(domain, () => {
      const snap = path.join(dir, `board-${domain}.json`);
      fs.rmSync(snap, { force: true });
      assert.equal(run(['dtpm', 'new', snap]).code, 0);
      const table = file('em-table.txt', '408MHz 27769uW\n600MHz 50000uW\n');
      const r = run(['--snapshot', snap, 'registry', 'add', 'gpu', '--em', domain, '--em-table', table]);
      assert.equal(r.code, 0, r.stderr);
      const rows = run(['--snapshot', snap, 'registry', 'list', '--json']).json();
      const gpu = rows.devices.find((e: { name: string }) => e.name === 'gpu');
      assert.equal(gpu.domain, domain);
      assert.equal(gpu.powerMaxUw, 50000);
      assert.ok(Object.hasOwn(JSON.parse(fs.readFileSync(snap, 'utf8')).energyModel.dirs, domain));
      const em = run(['--snapshot', snap, 'model', 'em', '--json']);
      assert.equal(em.code, 0, em.stderr);
      assert.deepEqual(em.json().domains.map((d: { name: string }) => d.name), [domain]);
    });
  }
});

describe('dtpm import: names from a file never leave --configfs DIR (exit 6, nothing created)', () => {
  for (const bad of ['..', '../x', '/abs', 'a/b', 'nl\nx', '.', '']) {
    test(JSON.stringify(bad), () => {
      const top = makeTempDir();
      after(() => fs.rmSync(top, { recursive: true, force: true }));
      const cfs = path.join(top, 'inner', 'dtpm');
      fs.mkdirSync(cfs, { recursive: true });
      const f = file('names.json', desc([{ id: 'r', name: 'soc', parent: null }, { id: 'c', name: bad, parent: 'r' }]));
      const r = run(['--snapshot', RK, 'dtpm', 'import', f, '--configfs', cfs]);
      assertRefusal(r, 6, /invalid node name|empty node name/);
      assert.deepEqual(fs.readdirSync(cfs), []);
      assert.deepEqual(fs.readdirSync(top), ['inner']);
      assert.deepEqual(fs.readdirSync(path.join(top, 'inner')), ['dtpm']);
    });
  }
  test('into a snapshot too', () => {
    const snap = path.join(dir, 'rk-names.json');
    fs.copyFileSync(RK, snap);
    const before = fs.readFileSync(snap);
    const r = run(['--snapshot', snap, 'dtpm', 'import', '--replace', file('n2.json', desc([{ id: 'r', name: 'a/b', parent: null }]))]);
    assertRefusal(r, 6, /invalid node name 'a\/b'/);
    assert.deepEqual(fs.readFileSync(snap), before);
  });
  test('a parent directory that is a symbolic link: refused, nothing created through it', () => {
    const top = makeTempDir();
    after(() => fs.rmSync(top, { recursive: true, force: true }));
    const cfs = path.join(top, 'cfs');
    const outside = path.join(top, 'outside');
    fs.mkdirSync(cfs);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(cfs, 'soc'));
    const r = run(['--snapshot', RK, 'create-node', '--configfs', cfs, 'soc/pkg']);
    assert.notEqual(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(outside), []);
  });
});

test('the kernel-table export escapes device-tree paths that would end a string or a line', requireTool(TOOLS.cc), () => {
  // node names cannot hold a quote (create-node's rules), but a snapshot's registry records any
  // device-tree path: those reach the C table as strings
  const d = JSON.parse(fs.readFileSync(RK, 'utf8'));
  const evil = '/cpus/cpu@0"; int pwned = 1; char *x = "\n */';
  d.dtpm.registry[0].dtPath = [evil];
  const snap = file('rk-c.json', JSON.stringify(d));
  const r = run(['--snapshot', snap, 'dtpm', 'export', '--format', 'kernel-table']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('.name = "/cpus/cpu@0\\"; int pwned = 1; char *x = \\"\\012 */",'), r.stdout);
  // compiled, the table declares nothing else and holds the path byte for byte
  const table = /struct dtpm_node __initdata (\w+)\[\]/.exec(r.stdout)![1]!;
  const src = path.join(dir, 't.c');
  const lit = JSON.stringify(evil); // a valid C literal here: only quote, backslash and \n need escaping
  fs.writeFileSync(src, `#include <string.h>\nstruct dtpm_node { const char *name; int type; struct dtpm_node *parent; };\nenum { DTPM_NODE_VIRTUAL, DTPM_NODE_DT };\n#define __initdata\n${r.stdout}\nint main(void) { for (unsigned i = 0; i < sizeof(${table}) / sizeof(${table}[0]); i++) if (${table}[i].name && !strcmp(${table}[i].name, ${lit})) return 42; return 1; }\n`);
  const c = spawnSync('cc', ['-Wall', '-Werror', '-o', path.join(dir, 't'), src], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr + r.stdout);
  assert.equal(spawnSync(path.join(dir, 't')).status, 42);
});

describe('FIFOs and devices: refused by name, never read (no hang, no memory blow-up)', () => {
  const fifo = path.join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  for (const f of [fifo, '/dev/zero', '/dev/urandom']) {
    for (const [what, args] of [
      ['--snapshot', ['--snapshot', f, 'list']],
      ['--opp-file', ['model', 'em', '--opp-file', f]],
      ['a description', ['--snapshot', RK, 'dtpm', 'import', '--dry-run', f]],
      ['--tree', ['model', 'budget', '-b', '1W', '--tree', f]],
      ['--dts', ['model', 'em', '--dts', f]],
      ['--dt', ['model', 'em', '--dt', f]],
    ] as const) {
      test(`${path.basename(f)} as ${what}`, () => {
        const r = run([...args], { timeoutMs: 10000 });
        assertRefusal(r, 2, new RegExp(`${f.replace(/\//g, '\\/')} is a (FIFO|character device), not a regular file: refused`));
      });
    }
  }
  test('a FIFO or a device as a DTS include: refused by name, the file that includes it is not read on', () => {
    for (const f of [fifo, '/dev/zero']) {
      const dts = path.join(dir, 'includes.dts');
      fs.writeFileSync(dts, `/dts-v1/;\n/include/ "${f}"\n/ { };\n`);
      const r = run(['model', 'em', '--dts', dts], { timeoutMs: 10000 });
      assertRefusal(r, 2, new RegExp(`${f.replace(/\//g, '\\/')} is a (FIFO|character device), not a regular file: refused to read it as an included device-tree file`));
    }
  });
  test('a FIFO or a device as a cpp #include: refused by name before cpp runs (cpp would block opening it)', requireTool(TOOLS.cpp), () => {
    const inc = path.join(dir, 'cpp-inc');
    fs.mkdirSync(path.join(inc, 'dt-bindings'), { recursive: true });
    const hfifo = path.join(inc, 'dt-bindings', 'fifo.h');
    if (!fs.existsSync(hfifo)) spawnSync('mkfifo', [hfifo]);
    fs.writeFileSync(path.join(dir, 'nested.dtsi'), '#include <dt-bindings/fifo.h>\n');
    const cases: Array<[string, string, string[], string]> = [
      ['"…" next to the source', `#include "${path.basename(fifo)}"`, [], fifo],
      ['<…> in an -I folder, from an included file', '#include "nested.dtsi"', ['-I', inc], hfifo],
      ['a device by its absolute path', '#include "/dev/zero"', [], '/dev/zero'],
    ];
    for (const [what, line, extra, refused] of cases) {
      const dts = path.join(dir, 'cpp-include.dts');
      fs.writeFileSync(dts, `/dts-v1/;\n${line}\n/ { };\n`);
      const t0 = Date.now();
      const r = run(['model', 'em', '--dts', dts, ...extra], { timeoutMs: 10000 });
      assertRefusal(r, 2, new RegExp(`${refused.replace(/\//g, '\\/')} is a (FIFO|character device), not a regular file: refused to read it as an included device-tree file`));
      assert.ok(Date.now() - t0 < 5000, `${what}: ${Date.now() - t0} ms (cpp ran and blocked?)`);
    }
  });
  test('an #include whose name a macro gives is not run through cpp (it could not be checked first), and the output says so', () => {
    const dts = path.join(dir, 'computed.dts');
    fs.writeFileSync(dts, `/dts-v1/;\n#define BOARD "${path.basename(fifo)}"\n#include BOARD\n/ { opp: opp-table { compatible = "operating-points-v2"; opp-408000000 { opp-hz = /bits/ 64 <408000000>; opp-microvolt = <825000>; }; }; };\n`);
    const t0 = Date.now();
    const r = run(['model', 'em', '--dts', dts, '--coefficient', '100'], { timeoutMs: 10000 });
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, /#include BOARD at .*computed\.dts:3 names a file only cpp can work out/);
  });
  test('a FIFO and a device in a sysfs tree: the attribute is reported unreadable, the rest is listed', () => {
    const t = fixture(intelLaptop);
    after(t.cleanup);
    const name = path.join(t.classRoot, 'intel-rapl:0', 'name');
    fs.rmSync(name);
    spawnSync('mkfifo', [name]);
    const energy = path.join(t.classRoot, 'intel-rapl:0', 'energy_uj');
    fs.rmSync(energy);
    assert.equal(spawnSync('mknod', [energy, 'c', '1', '5']).status, 0, 'mknod needs root');
    const r = run(['--root', t.classRoot, 'list', '--json'], { timeoutMs: 10000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /intel-rapl:0: cannot read name \(not a regular file: refused\)/);
    assert.equal(r.json().zones.length, 6);
  });
});

describe('writes never follow a symbolic link', () => {
  test('an attribute that is a symbolic link is never written through', () => {
    const t = fixture(intelLaptop);
    after(t.cleanup);
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const attr = path.join(t.classRoot, 'intel-rapl:1', 'constraint_0_power_limit_uw');
    fs.rmSync(attr);
    fs.symlinkSync(victim, attr);
    const r = run(['--root', t.classRoot, 'set-limit', 'intel-rapl:0=20W', 'intel-rapl:1=10W']);
    assert.notEqual(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(fs.readFileSync(path.join(t.classRoot, 'intel-rapl:0', 'constraint_0_power_limit_uw'), 'utf8'), '28000000\n');
  });
  test('a device in an attribute\'s place: refused, nothing written to it', () => {
    const t = fixture(intelLaptop);
    after(t.cleanup);
    const attr = path.join(t.classRoot, 'intel-rapl:0', 'constraint_0_power_limit_uw');
    fs.rmSync(attr);
    assert.equal(spawnSync('mknod', [attr, 'c', '1', '3']).status, 0, 'mknod needs root');
    const r = run(['--root', t.classRoot, 'set-limit', '--force', 'intel-rapl:0', '20W']);
    assert.notEqual(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
  });
});

describe('scale: linear, as docs/security.md states', () => {
  test('list of a zone with 10 000 constraints: under 10 s', () => {
    const f = snapshotWith('c10k.json', (d) => {
      const a = d.powercap.dirs['intel-rapl'].dirs['intel-rapl:0'].attrs;
      for (let i = 0; i < 10000; i++) { a[`constraint_${i}_name`] = `c${i}\n`; a[`constraint_${i}_power_limit_uw`] = '1000000\n'; a[`constraint_${i}_time_window_us`] = '976\n'; }
    });
    const t0 = Date.now();
    const r = run(['--snapshot', f, 'list'], { timeoutMs: 30000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 10000, `${Date.now() - t0} ms`);
    assert.match(r.stdout, /c9999 /);
  });
  test('dtpm import of a 100 000-leaf description: under 30 s', () => {
    const nodes = [{ id: 'r', name: 'soc', parent: null }, ...Array.from({ length: 100000 }, (_, i) => ({ id: `l${i}`, name: `v${i}`, parent: 'r' }))];
    const f = file('d100k.json', desc(nodes));
    const t0 = Date.now();
    const r = spawnSync(BIN, ['--snapshot', example('amd-epyc'), 'dtpm', 'import', '--dry-run', '--quiet', f], { env: cleanEnv(), encoding: 'utf8', maxBuffer: 1 << 30, timeout: 60000 });
    assert.equal(r.status, 0, String(r.stderr).slice(0, 500));
    assert.ok(Date.now() - t0 < 30000, `${Date.now() - t0} ms`);
  });
});
