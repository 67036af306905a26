/**
 * exporter (issue 16): a real Prometheus (Debian's `prometheus` package)
 * scrapes the built binary, which serves a fixture whose package counter a
 * writer process advances at a known power across wraps; the figures are read
 * back through Prometheus' HTTP API. Then the HTTP surface and bad input
 * against the binary directly: routes, negotiation, malformed and slow
 * clients, the connection cap, listen errors, running without root, SIGTERM.
 * Every process started here is stopped here.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BIN, ROOT, binFor, cleanEnv, run, scratch, NOBODY, requireTool, toolPath, TOOLS } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { CounterWriter, advanceDuring, watchFixture, PACKAGE_W } from './fixtures/watch.js';
import { gpuBox, tpmi2s, armScmi } from './fixtures/specs.js';
import { atLimitMachine, AT_LIMIT_POWERS } from './fixtures/at-limit.js';
import { wantsOpenMetrics, acceptsGzip, renderExposition, ExpositionBuilder } from '../src/core/exporter/exposition.js';
import { formatMicroExact as micro } from '../src/core/units.js';
import { parseListen } from '../src/cli/option-values.js';
import { validate } from '../src/core/snapshot/validate.js';
import { limitInForce } from '../src/core/limits/effective.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/exporter.schema.json'), 'utf8'));

// ------------------------------------------------------------------ processes

interface Started {
  child: ChildProcess;
  port: number;
  info: { url: string; sampled: string[]; summed: string[]; unreadable: string[] };
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the exporter on a free port (port 0, read back from its --json line). */
async function startExporter(root: string | string[], own: string[], opts: { env?: Record<string, string>; uid?: number; gid?: number } = {}): Promise<Started> {
  // another user runs the copy staged where it can reach it (a checkout under /root cannot be)
  const { bin, cwd } = binFor(opts.uid);
  // a tree (--root DIR), or the source options given (['--snapshot', FILE])
  const source = typeof root === 'string' ? ['--root', root] : root;
  const child = spawn(bin, [...source, 'exporter', '--listen', '127.0.0.1:0', '--json', ...own], {
    env: cleanEnv(opts.env), cwd, stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exited.then(({ code }) => reject(new Error(`exporter exited ${code} before serving: ${err}`)));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`exporter did not start in 10 s: ${err}`)); }, 10000);
    child.stdout!.once('data', () => clearTimeout(timer));
  });
  const info = JSON.parse(line) as Started['info'] & { format: string; listen: { port: number } };
  assert.equal(validate(SCHEMA, info), null, 'the line follows schema/exporter.schema.json');
  return { child, port: info.listen.port, info, stderr: () => err, exited };
}

async function stop(child: ChildProcess, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  const r = await exited;
  clearTimeout(timer);
  return r;
}

interface Response { status: number; headers: http.IncomingHttpHeaders; body: string; raw: Buffer }

function get(port: number, urlPath = '/metrics', headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, raw, body: raw.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

/** Send raw bytes; resolve with what came back and how long until the server closed the connection. */
function raw(port: number, data: string, waitMs = 5000): Promise<{ reply: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ reply, closedAfterMs: null }); }, waitMs);
    s.setEncoding('utf8').on('data', (d: string) => { reply += d; });
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(timer); resolve({ reply, closedAfterMs: Date.now() - t0 }); });
    s.on('connect', () => { if (data) s.write(data); });
  });
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

// ------------------------------------------------------------------ pure parts

describe('exporter: exposition and negotiation', () => {
  test('µ-integers print as exact decimals in base units', () => {
    assert.equal(micro(12500117n), '12.500117');
    assert.equal(micro(28000000n), '28');
    assert.equal(micro(976n), '0.000976');
    assert.equal(micro(0n), '0');
  });
  test('OpenMetrics only when named with a quality at least the text format\'s', () => {
    // what Prometheus 2.42 sends
    assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), true);
    assert.equal(wantsOpenMetrics('*/*'), false); // curl
    assert.equal(wantsOpenMetrics(undefined), false);
    assert.equal(wantsOpenMetrics('text/plain;version=0.0.4,application/openmetrics-text;q=0.5'), false);
    assert.equal(acceptsGzip('gzip, deflate'), true);
    assert.equal(acceptsGzip('gzip;q=0, identity'), false);
  });
  test('HELP and TYPE once per family; OpenMetrics names the family, adds UNIT and ends with # EOF', () => {
    const b = new ExpositionBuilder();
    b.family({ name: 'powercap_energy_joules', type: 'counter', unit: 'joules', help: 'energy' }).sample('{zone="a"}', '1').sample('{zone="b"}', '2');
    b.family({ name: 'x_build', type: 'info', help: 'build' }).sample('{version="1"}', '1');
    b.family({ name: 'empty', type: 'gauge', help: 'no samples: left out' });
    const blocks = b.build();
    assert.equal(renderExposition(blocks, false),
      '# HELP powercap_energy_joules_total energy\n# TYPE powercap_energy_joules_total counter\n' +
      'powercap_energy_joules_total{zone="a"} 1\npowercap_energy_joules_total{zone="b"} 2\n' +
      '# HELP x_build_info build\n# TYPE x_build_info gauge\nx_build_info{version="1"} 1\n');
    assert.equal(renderExposition(blocks, true),
      '# TYPE powercap_energy_joules counter\n# UNIT powercap_energy_joules joules\n# HELP powercap_energy_joules energy\n' +
      'powercap_energy_joules_total{zone="a"} 1\npowercap_energy_joules_total{zone="b"} 2\n' +
      '# TYPE x_build info\n# HELP x_build build\nx_build_info{version="1"} 1\n# EOF\n');
  });
  test('--listen forms', () => {
    assert.deepEqual(parseListen('127.0.0.1:9847'), { host: '127.0.0.1', port: 9847 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListen(':9847'), { host: '0.0.0.0', port: 9847 });
    assert.deepEqual(parseListen('9847'), { host: '0.0.0.0', port: 9847 });
    assert.throws(() => parseListen('localhost'), /no port/);
    assert.throws(() => parseListen('127.0.0.1:70000'), /0 to 65535/);
    assert.throws(() => parseListen('::1:9847'), /brackets/);
  });
});

// ------------------------------------------------------------------ a real Prometheus

describe('exporter scraped by a real Prometheus', requireTool(TOOLS.prometheus), () => {
  let tree: ReturnType<typeof watchFixture>;
  let writer: CounterWriter;
  let exporter: Started;
  let prom: ChildProcess;
  let promExited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let promPort = 0;
  let promDir = '';
  let promLog = '';

  const query = async (expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const r = await get(promPort, `/api/v1/query?query=${encodeURIComponent(expr)}`);
    assert.equal(r.status, 200, `query ${expr}: ${r.body}`);
    const doc = JSON.parse(r.body) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    assert.equal(doc.status, 'success');
    return doc.data.result;
  };

  before(async () => {
    tree = watchFixture();
    writer = new CounterWriter(tree, { 'intel-rapl:0': PACKAGE_W });
    await writer.ready();
    // 50 ms passes: a wrap every 1.2 s at 50 W is well inside one wrap per interval (0.86 s)
    exporter = await startExporter(tree.classRoot, ['-i', '50ms'], { env: { POWERCAPCTL_FAULTS: tree.faults } });
    promPort = await freePort();
    promDir = makeTempDir('powercapctl-prometheus-');
    const config = path.join(promDir, 'prometheus.yml');
    fs.writeFileSync(config, [
      'global:',
      '  scrape_interval: 250ms',
      '  scrape_timeout: 200ms',
      'scrape_configs:',
      '  - job_name: powercap',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporter.port}']`,
      '',
    ].join('\n'));
    prom = spawn(toolPath(TOOLS.prometheus)!, [
      `--config.file=${config}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
    prom.stderr!.setEncoding('utf8').on('data', (d: string) => { promLog += d; });
    promExited = new Promise((r) => prom.on('exit', (code, signal) => r({ code, signal })));
    for (let i = 0; ; i++) {
      try { if ((await get(promPort, '/-/ready')).status === 200) break; } catch { /* not up yet */ }
      assert.ok(i < 100 && prom.exitCode === null, `prometheus did not become ready: ${promLog}`);
      await sleep(100);
    }
  });

  after(async () => {
    if (prom) await stop(prom, promExited);
    if (exporter) await stop(exporter.child, exporter.exited);
    await writer?.stop();
    tree?.cleanup();
    if (promDir) fs.rmSync(promDir, { recursive: true, force: true });
  });

  test('rate() of the energy counter is the known power across wraps, within 2 %; the counter never resets', async (t) => {
    const series = 'powercap_energy_joules_total{zone="intel-rapl:0"}';
    for (let i = 0; ; i++) {
      const n = await query(`count_over_time(${series}[9s])`);
      if (n.length && Number(n[0]!.value[1]) >= 32) break;
      assert.ok(i < 200, `Prometheus has not stored 32 scrapes in 20 s: ${promLog}`);
      await sleep(100);
    }
    const [rate] = await query(`rate(${series}[8s])`);
    const watts = Number(rate!.value[1]);
    t.diagnostic(`rate over 8 s: ${watts} W (known ${PACKAGE_W} W)`);
    assert.ok(Math.abs(watts - PACKAGE_W) / PACKAGE_W < 0.02, `rate ${watts} W, known ${PACKAGE_W} W`);
    // 8 s at 50 W is 400 J: the 60 J hardware counter wrapped six or seven times, the exported one never went down
    const [resets] = await query(`resets(${series}[8s])`);
    assert.equal(Number(resets!.value[1]), 0);
    const [up] = await query('up{job="powercap"}');
    assert.equal(up!.value[1], '1');
  });

  test('the limit metrics are the fixture\'s; the package is held to the lower of its MSR and MMIO limits', async () => {
    const limit = await query('powercap_power_limit_watts{zone="intel-rapl:0",constraint="long_term"}');
    assert.equal(limit[0]!.value[1], '28');
    assert.equal(limit[0]!.metric.name, 'package-0');
    assert.equal(limit[0]!.metric.control_type, 'intel-rapl');
    assert.equal((await query('powercap_time_window_seconds{zone="intel-rapl:0",constraint="long_term"}'))[0]!.value[1], '27.983872');
    const eff = await query('powercap_effective_power_limit_watts{name="package-0",constraint="long_term"}');
    assert.equal(eff[0]!.value[1], '15');
    assert.equal(eff[0]!.metric.zones, 'intel-rapl:0+intel-rapl-mmio:0');
    // DTPM power_uw per node, and the system total names the zones it summed
    assert.equal((await query('powercap_power_watts{zone="dtpm:0:0"}'))[0]!.value[1], '1.2');
    const sys = await query('powercap_system_power_watts');
    assert.equal(sys[0]!.metric.zones, exporter.info.summed.join('+'));
    assert.deepEqual(exporter.info.summed, ['dtpm:0', 'intel-rapl:0']); // not core (inside the package), not the MMIO copy
    const samples = await query('powercapctl_exporter_samples_total');
    assert.ok(Number(samples[0]!.value[1]) > 2);
  });

  test('promtool check metrics passes on a scrape; Prometheus got OpenMetrics', requireTool(TOOLS.promtool), async () => {
    const text = await get(exporter.port);
    assert.match(String(text.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const r = spawnSync(toolPath(TOOLS.promtool)!, ['check', 'metrics'], { input: text.body, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal((r.stdout + r.stderr).trim(), '', 'no lint findings');
    // the scrape Prometheus makes: its own Accept header, answered in OpenMetrics
    const om = await get(exporter.port, '/metrics', { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' });
    assert.match(String(om.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.body.endsWith('# EOF\n'));
    assert.match(om.body, /^# TYPE powercap_energy_joules counter\n# UNIT powercap_energy_joules joules\n/m);
    const [scrape] = await query('scrape_samples_scraped{job="powercap"}');
    assert.ok(Number(scrape!.value[1]) > 20);
  });
});

// ------------------------------------------------------------------ HTTP surface and bad input

describe('the limit in force on a package seen through MSR and MMIO: one number in list --json, the exporter and doctor', () => {
  const s = scratch('powercapctl-effective-');
  /** examples/intel-laptop.json (MSR long_term 28 W, MMIO long_term 15 W) with MMIO attributes changed */
  function laptopWith(mmio: Record<string, string>): string {
    const { file } = s.copy('intel-laptop');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    Object.assign(doc.powercap.dirs['intel-rapl-mmio'].dirs['intel-rapl-mmio:0'].attrs, mmio);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  test('the rule, worked (core/limits/effective.ts limitInForce): a disabled copy holds nothing, an enabled 0 W holds 0 W, the lowest wins', () => {
    const W = 1_000_000n;
    const pair = (msr: [bigint | null, boolean | null], mmio: [bigint | null, boolean | null]) => limitInForce([
      { zone: 'intel-rapl:0', powerLimitUw: msr[0], enabled: msr[1] },
      { zone: 'intel-rapl-mmio:0', powerLimitUw: mmio[0], enabled: mmio[1] },
    ]);
    // both enabled: min(28 W, 15 W) = 15 W, through MMIO
    assert.deepEqual(pair([28n * W, true], [15n * W, true]), { kind: 'held', powerLimitUw: 15_000_000n, zone: 'intel-rapl-mmio:0', zones: ['intel-rapl-mmio:0'] });
    // MMIO disabled: its 15 W holds nothing; 28 W through MSR
    assert.deepEqual(pair([28n * W, true], [15n * W, false]), { kind: 'held', powerLimitUw: 28_000_000n, zone: 'intel-rapl:0', zones: ['intel-rapl:0'] });
    // MMIO enabled at 0 W: min(28 W, 0 W) = 0 W
    assert.deepEqual(pair([28n * W, true], [0n, true]), { kind: 'held', powerLimitUw: 0n, zone: 'intel-rapl-mmio:0', zones: ['intel-rapl-mmio:0'] });
    // a tie: both hold 28 W, the MSR copy names it
    assert.deepEqual(pair([28n * W, true], [28n * W, true]), { kind: 'held', powerLimitUw: 28_000_000n, zone: 'intel-rapl:0', zones: ['intel-rapl:0', 'intel-rapl-mmio:0'] });
    // both disabled: nothing holds
    assert.deepEqual(pair([28n * W, false], [15n * W, false]), { kind: 'none' });
    // an unreadable enabled decides only when its limit is the lower: 15 W < 28 W unknown; 30 W > 28 W: 28 W
    assert.deepEqual(pair([28n * W, true], [15n * W, null]), { kind: 'unknown' });
    assert.equal((pair([28n * W, true], [30n * W, null]) as { powerLimitUw: bigint }).powerLimitUw, 28_000_000n);
    // an unreadable limit on an enabled copy: unknown; on a disabled one: it does not matter
    assert.deepEqual(pair([null, true], [15n * W, true]), { kind: 'unknown' });
    assert.equal((pair([null, false], [15n * W, true]) as { powerLimitUw: bigint }).powerLimitUw, 15_000_000n);
  });

  const cases: Array<{ tree: string; mmio: Record<string, string>; watts: number; held: string }> = [
    { tree: 'both copies enabled', mmio: {}, watts: 15, held: 'intel-rapl-mmio:0' },
    { tree: 'the MMIO copy disabled', mmio: { enabled: '0\n' }, watts: 28, held: 'intel-rapl:0' },
    { tree: 'the MMIO copy enabled at 0 W', mmio: { constraint_0_power_limit_uw: '0\n' }, watts: 0, held: 'intel-rapl-mmio:0' },
  ];
  for (const c of cases) {
    test(`${c.tree}: long_term ${c.watts} W, held by ${c.held}`, async () => {
      const file = laptopWith(c.mmio);
      const list = run(['--snapshot', file, 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
      for (const id of ['intel-rapl:0', 'intel-rapl-mmio:0']) {
        const z = list.json().zones.find((x: { id: string }) => x.id === id);
        assert.deepEqual(z.constraints[0].effective, { powerLimitUw: c.watts * 1_000_000, zone: c.held }, `list --json, ${id}`);
      }
      // on a snapshot doctor reads no /proc (this machine's processes say nothing of the snapshot's)
      const dir = s.tempDir();
      const doctor = run(['--snapshot', file, '--json', 'doctor', '--root-dir', dir, '--kernel-log', '/dev/null']);
      assert.equal(doctor.code, 0, doctor.stderr);
      const f = doctor.json().findings.find((x: { id: string }) => x.id === 'msr-mmio-differ');
      assert.match(f.evidence[0], new RegExp(`^long_term: .*: effective ${c.watts} W \\((the lower, )?held by ${c.held}\\)$`), 'doctor');
      const e = await startExporter(['--snapshot', file], []);
      try {
        const body = (await get(e.port)).body;
        assert.match(body, new RegExp(`^powercap_effective_power_limit_watts\\{name="package-0",constraint="long_term",zones="intel-rapl:0\\+intel-rapl-mmio:0"\\} ${c.watts}$`, 'm'), 'the exporter');
      } finally {
        await stop(e.child, e.exited);
      }
    });
  }
});

describe('exporter: GPUs in hwmon, in the same families as powercap zones', () => {
  test('the amdgpu\'s 45 W reading and its cap, labelled control_type="hwmon"; the i915\'s counter as energy', async () => {
    const t = watchFixture(gpuBox());
    const e = await startExporter(['--root', t.classRoot, '--hwmon-root', t.hwmonRoot!], ['-i', '100ms']);
    try {
      const amd = '{zone="hwmon:3000",name="amdgpu-PPT",control_type="hwmon"}';
      let body = '';
      const t0 = Date.now();
      while (!body.includes(`powercap_power_watts${amd}`)) {
        assert.ok(Date.now() - t0 < 10000, `no GPU power in 10 s:\n${body}`);
        await sleep(100);
        body = (await get(e.port)).body;
      }
      assert.match(body, new RegExp(`^powercap_power_watts${amd.replace(/[{}]/g, '\\$&')} 45$`, 'm'));
      assert.match(body, /^powercap_power_limit_watts\{zone="hwmon:3000",name="amdgpu-PPT",control_type="hwmon",constraint="PPT"\} 303$/m);
      assert.match(body, /^powercap_max_power_watts\{zone="hwmon:3000",name="amdgpu-PPT",control_type="hwmon",constraint="PPT"\} 339$/m);
      assert.match(body, /^powercap_energy_joules_total\{zone="hwmon:7000",name="i915",control_type="hwmon"\} [0-9.]+$/m);
      assert.match(body, /^powercap_time_window_seconds\{zone="hwmon:7000",name="i915",control_type="hwmon",constraint="power1_max"\} 28$/m);
    } finally {
      await stop(e.child, e.exited);
      t.cleanup();
    }
  });
});

describe('exporter on servers as they are now: a TPMI server, an SCMI board', () => {
  test('TPMI (psys 610 W over packages 250 W and 240 W): the system total is psys alone, 610 W; limits of the one copy, no effective limit', async () => {
    const t = watchFixture(tpmi2s);
    const writer = new CounterWriter(t, { 'intel-rapl:0': 250, 'intel-rapl:1': 610, 'intel-rapl:2': 240 });
    try {
      await writer.ready();
      const e = await startExporter(t.classRoot, ['-i', '100ms'], { env: { POWERCAPCTL_FAULTS: t.faults } });
      try {
        assert.deepEqual(e.info.summed, ['intel-rapl:1']);
        await sleep(700);
        const m = (await get(e.port)).body;
        const system = Number(/^powercap_system_power_watts\{zones="intel-rapl:1"\} ([0-9.]+)$/m.exec(m)?.[1]);
        assert.ok(Math.abs(system - 610) <= 610 * 0.05, `system ${system}`);
        assert.match(m, /^powercap_power_limit_watts\{zone="intel-rapl:2",name="package-1",control_type="intel-rapl",constraint="long_term"\} 350$/m);
        assert.match(m, /^powercap_max_power_watts\{zone="intel-rapl:2",name="package-1",control_type="intel-rapl",constraint="peak_power"\} 840$/m);
        assert.doesNotMatch(m, /^powercap_time_window_seconds\{zone="intel-rapl:2",[^}]*constraint="peak_power"\}/m, 'peak_power\'s window reads ENODATA');
        assert.doesNotMatch(m, /^powercap_effective_power_limit_watts/m, 'no MMIO copy');
      } finally {
        assert.equal((await stop(e.child, e.exited)).code, 0);
      }
    } finally {
      await writer.stop();
      t.cleanup();
    }
  });

  test('SCMI: power from power_uw (soc 9.45 W + ddr 1.1 W = 10.55 W), the cap and its averaging interval per zone', async () => {
    const t = watchFixture(armScmi);
    try {
      const e = await startExporter(t.classRoot, ['-i', '100ms'], { env: { POWERCAPCTL_FAULTS: t.faults } });
      try {
        assert.deepEqual(e.info.summed, ['arm-scmi:0', 'arm-scmi:1']);
        await sleep(400);
        const m = (await get(e.port)).body;
        assert.match(m, /^powercap_power_watts\{zone="arm-scmi:0",name="soc",control_type="arm-scmi"\} 9\.45$/m);
        assert.match(m, /^powercap_system_power_watts\{zones="arm-scmi:0\+arm-scmi:1"\} 10\.55$/m);
        assert.match(m, /^powercap_power_limit_watts\{zone="arm-scmi:0:0",name="big-cpus",control_type="arm-scmi",constraint="SCMI power-cap"\} 6$/m);
        assert.match(m, /^powercap_time_window_seconds\{zone="arm-scmi:0",name="soc",control_type="arm-scmi",constraint="SCMI power-cap"\} 0\.01$/m);
        assert.doesNotMatch(m, /^powercap_energy_joules_total\{zone="arm-scmi/m, 'no energy_uj');
      } finally {
        assert.equal((await stop(e.child, e.exited)).code, 0);
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('exporter on a snapshot: a recording replayed as watch replays it, else no energy or power', () => {
  const s = scratch('powercapctl-exporter-snap-');
  const PASSES = 4;
  /** examples/watch-laptop.json cut to its first PASSES passes (PASSES − 1 samples, about 3 s) */
  function shortRecording(): string {
    const { file } = s.copy('watch-laptop');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const cut = (v: string) => v.split(',').slice(0, PASSES).join(',');
    doc.recording.tUs = cut(doc.recording.tUs);
    for (const z of doc.recording.zones) z.values = cut(z.values);
    doc.recording.passes = PASSES;
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  test('a recording: replayed at its pace; once it ends, the sampled families are byte for byte watch --format prometheus\'s last exposition', async () => {
    const file = shortRecording();
    const e = await startExporter(['--snapshot', file], []);
    try {
      // the recorded pass times after the first: 999700 + 999819 + 999938 µs = 2999457 µs
      assert.match(e.stderr(), /replaying the recording in .*watch-laptop\.json: 3 samples of 6 zones over 2\.999 s, as recorded/);
      let body = '';
      const t0 = Date.now();
      while (!new RegExp(`^powercapctl_exporter_samples_total ${PASSES}$`, 'm').test(body)) {
        assert.ok(Date.now() - t0 < 15000, `the replay did not end in 15 s:\n${body}`);
        await sleep(200);
        body = (await get(e.port)).body;
      }
      assert.match(body, /^powercapctl_exporter_snapshot_info\{file="[^"]+",energy="replayed",reason="[^"]+"\} 1$/m);
      const w = run(['--snapshot', file, 'watch', '--speed', '0', '--format', 'prometheus']);
      assert.equal(w.code, 0, w.stderr);
      const expositions = w.stdout.split('\n\n').filter((x) => x.trim() !== '');
      assert.equal(expositions.length, PASSES - 1, 'one exposition per sample');
      const last = expositions[expositions.length - 1]! + '\n';
      // the same five families, names, labels, types and values: the exporter's text starts with them
      assert.deepEqual(last.match(/^# TYPE \S+ \S+$/gm), [
        '# TYPE powercap_energy_joules_total counter', '# TYPE powercap_power_watts gauge', '# TYPE powercap_at_limit gauge',
        '# TYPE powercap_system_energy_joules_total counter', '# TYPE powercap_system_power_watts gauge',
      ]);
      assert.equal(body.slice(0, last.length), last);
      // the package's figures, worked from the recording: energy deltas 3698890 + 3797471 + 3885270 µJ
      // = 11381631 µJ; the last interval 3885270 µJ over 999938 µs = 3885511 µW (rounded)
      assert.match(last, /^powercap_energy_joules_total\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl"\} 11\.381631$/m);
      assert.match(last, /^powercap_power_watts\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl"\} 3\.885511$/m);
    } finally {
      await stop(e.child, e.exited);
    }
  });

  test('no recording: energy and power are left out (not 0 W), an info metric and a warning say why; limits are served', async () => {
    const e = await startExporter(['--snapshot', path.join(ROOT, 'examples/intel-laptop.json')], []);
    try {
      assert.deepEqual(e.info.sampled, []);
      assert.match(e.stderr(), /intel-laptop\.json holds no recording: energy and power are left out \(a snapshot holds one reading of each counter, which measures no power\)/);
      const body = (await get(e.port)).body;
      assert.doesNotMatch(body, /^powercap_(power_watts|energy_joules_total|system_power_watts|system_energy_joules_total)\b/m);
      assert.match(body, /^powercapctl_exporter_snapshot_info\{file="[^"]+intel-laptop\.json",energy="absent",reason="a snapshot holds one reading of each counter[^"]*"\} 1$/m);
      assert.match(body, /^powercap_power_limit_watts\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl",constraint="long_term"\} 28$/m);
      assert.match(body, /^powercap_effective_power_limit_watts\{name="package-0",constraint="long_term",zones="intel-rapl:0\+intel-rapl-mmio:0"\} 15$/m);
    } finally {
      await stop(e.child, e.exited);
    }
  });
});

describe('exporter: HTTP surface, misbehaving clients, listen errors, signals', () => {
  let tree: ReturnType<typeof watchFixture>;
  let exporter: Started;

  before(async () => {
    tree = watchFixture();
    // a long interval: every scrape below sees the same pass; a short client timeout and a small cap
    exporter = await startExporter(tree.classRoot, ['-i', '10s', '--client-timeout', '500ms', '--max-connections', '4'], { env: { POWERCAPCTL_FAULTS: tree.faults } });
  });

  after(async () => {
    if (exporter) await stop(exporter.child, exporter.exited);
    tree?.cleanup();
  });

  test('/ links to /metrics; other paths 404, other methods 405 with Allow; HEAD has no body', async () => {
    const home = await get(exporter.port, '/');
    assert.equal(home.status, 200);
    assert.match(String(home.headers['content-type']), /^text\/html/);
    assert.match(home.body, /<a href="metrics">/);
    const missing = await get(exporter.port, '/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /\/metrics/);
    const post = await get(exporter.port, '/metrics', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const head = await get(exporter.port, '/metrics', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.raw.length, 0);
    assert.ok(Number(head.headers['content-length']) > 1000);
  });

  test('two scrapers of one pass get the same bytes; gzip when asked', async () => {
    const [a, b] = await Promise.all([get(exporter.port), get(exporter.port)]);
    assert.equal(a.body, b.body);
    const gz = await get(exporter.port, '/metrics', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.raw).toString('utf8'), a.body);
    // HELP and TYPE once per family
    const helps = a.body.split('\n').filter((l) => l.startsWith('# HELP ')).map((l) => l.split(' ')[2]);
    assert.equal(new Set(helps).size, helps.length);
    assert.match(a.body, /^powercap_power_limit_watts\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl",constraint="long_term"\} 28$/m);
    assert.match(a.body, /^powercap_zone_enabled\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl"\} 1$/m);
    // DTPM time windows read ENODATA: left out, not an error on every refresh
    assert.doesNotMatch(a.body, /powercap_time_window_seconds\{zone="dtpm/);
  });

  test('a malformed request gets 400 and a closed connection; the exporter keeps serving', async () => {
    const r = await raw(exporter.port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(r.reply, /^HTTP\/1\.1 400 /);
    assert.notEqual(r.closedAfterMs, null);
    const huge = await raw(exporter.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`);
    assert.match(huge.reply, /^HTTP\/1\.1 431 /);
    assert.equal((await get(exporter.port)).status, 200);
  });

  test('a slow client is cut off at the client timeout while others are served', async () => {
    const slow = raw(exporter.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n'); // the headers never end
    await sleep(100);
    assert.equal((await get(exporter.port)).status, 200);
    const r = await slow;
    assert.match(r.reply, /^HTTP\/1\.1 408 /);
    assert.ok(r.closedAfterMs !== null && r.closedAfterMs < 2000, `closed after ${r.closedAfterMs} ms`);
  });

  test('connections beyond the cap are closed at once; served again once the idle ones time out', async () => {
    const idle = await Promise.all(Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect(exporter.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {}).resume(); // reading, so that the server's close is seen
    })));
    await sleep(100);
    const over = await raw(exporter.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
    assert.equal(over.reply, '');
    assert.ok(over.closedAfterMs !== null && over.closedAfterMs < 1000, `closed after ${over.closedAfterMs} ms`);
    const closed = Promise.all(idle.map((s) => new Promise((r) => { if (s.destroyed) r(null); else s.on('close', r); })));
    const late = sleep(3000).then(() => 'not closed');
    assert.notEqual(await Promise.race([closed, late]), 'not closed', 'idle connections outlived the client timeout');
    for (const s of idle) s.destroy();
    assert.equal((await get(exporter.port)).status, 200);
  });

  test('SIGTERM stops it: exit 0, nothing on stderr', async () => {
    const r = await stop(exporter.child, exporter.exited);
    assert.deepEqual(r, { code: 0, signal: null });
    assert.equal(exporter.stderr(), '');
  });

  test('a port in use: exit 1, one line and a hint', async () => {
    const other = await startExporter(tree.classRoot, ['-i', '10s']);
    try {
      const r = run(['--root', tree.classRoot, 'exporter', '--listen', `127.0.0.1:${other.port}`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^powercapctl: cannot listen on 127\\.0\\.0\\.1:${other.port}: the port is in use\\n`));
      assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
      assert.equal((await get(other.port)).status, 200, 'the other exporter keeps serving');
    } finally {
      await stop(other.child, other.exited);
    }
  });

  test('an address that is not this machine\'s: exit 1; no powercap tree: exit 3; a malformed --listen or option: exit 2', () => {
    const r = run(['--root', tree.classRoot, 'exporter', '--listen', '192.0.2.1:9847']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^powercapctl: cannot listen on 192\.0\.2\.1:9847: 192\.0\.2\.1 is not an address of this machine\n/);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    const empty = makeTempDir('powercapctl-empty-');
    try {
      const n = run(['--root', empty, 'exporter']);
      assert.equal(n.code, 3, n.stderr);
      assert.match(n.stderr, /no powercap zones/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    for (const args of [['--listen', 'localhost'], ['--listen', '127.0.0.1:99999'], ['--max-connections', '0'], ['-i', '1ms']]) {
      const u = run(['--root', tree.classRoot, 'exporter', ...args]);
      assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
      assert.ok(u.stderr.trim().split('\n').length <= 2, u.stderr);
    }
  });

  test('read errors are counted by errno and gaps by reason; a limit changed on disk shows after --limits-interval', async () => {
    const faults = `${tree.faults};read:*/intel-rapl-mmio:0/energy_uj=EIO`;
    const e = await startExporter(tree.classRoot, ['-i', '50ms', '--limits-interval', '100ms'], { env: { POWERCAPCTL_FAULTS: faults } });
    try {
      await sleep(300);
      let m = (await get(e.port)).body;
      const errors = Number(/^powercapctl_exporter_read_errors_total\{errno="EIO"\} ([0-9]+)$/m.exec(m)?.[1]);
      assert.ok(errors >= 3, `EIO counted: ${errors}`);
      assert.match(m, /^powercapctl_exporter_gaps_total\{reason="unreadable"\} [0-9]+$/m);
      assert.doesNotMatch(m, /^powercap_power_watts\{zone="intel-rapl-mmio:0"/m, 'no power for a zone in a gap');
      assert.match(m, /^powercapctl_exporter_last_sample_duration_seconds 0\.[0-9]+$/m);
      // set-limit (or the firmware) changes PL1: the next re-read serves it
      fs.writeFileSync(path.join(tree.devicesRoot, tree.zonePaths.get('intel-rapl:0')!, 'constraint_0_power_limit_uw'), '20000000\n');
      await sleep(300);
      m = (await get(e.port)).body;
      assert.match(m, /^powercap_power_limit_watts\{zone="intel-rapl:0",name="package-0",control_type="intel-rapl",constraint="long_term"\} 20$/m);
      assert.match(m, /^powercap_effective_power_limit_watts\{name="package-0",constraint="long_term",zones="intel-rapl:0\+intel-rapl-mmio:0"\} 15$/m);
    } finally {
      assert.equal((await stop(e.child, e.exited)).code, 0);
      fs.writeFileSync(path.join(tree.devicesRoot, tree.zonePaths.get('intel-rapl:0')!, 'constraint_0_power_limit_uw'), '28000000\n');
    }
  });

  test('not root: no energy families, an info metric says why, limits and DTPM power still served', { skip: NOBODY === null && 'needs root to run as nobody' }, async () => {
    const e = await startExporter(tree.classRoot, ['-i', '100ms'], { ...NOBODY!, env: { POWERCAPCTL_FAULTS: tree.faults } });
    try {
      assert.deepEqual(e.info.unreadable, ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl-mmio:0']);
      await sleep(300);
      const m = (await get(e.port)).body;
      assert.doesNotMatch(m, /^powercap_energy_joules_total/m);
      assert.doesNotMatch(m, /^powercap_power_watts\{zone="intel-rapl/m);
      assert.match(m, /^powercapctl_exporter_energy_unreadable_info\{errno="EACCES",reason="energy_uj is readable by root only[^"]*"\} 1$/m);
      assert.match(m, /^powercapctl_exporter_energy_unreadable_zones 3$/m);
      assert.match(m, /^powercap_power_limit_watts\{zone="intel-rapl:0",.*constraint="long_term"\} 28$/m);
      assert.match(m, /^powercap_power_watts\{zone="dtpm:0",name="soc",control_type="dtpm"\} 3$/m);
      assert.match(e.stderr(), /^warning: energy_uj is readable by root only/);
    } finally {
      assert.equal((await stop(e.child, e.exited)).code, 0);
    }
  });
});

// ------------------------------------------------------------------ at the limit

describe('exporter: powercap_at_limit, from the renderer watch shares', () => {
  const tree = watchFixture(atLimitMachine);
  advanceDuring(tree, AT_LIMIT_POWERS);

  test('1 at 97 % or more of the limit in force (a package by its MMIO copy\'s 15 W), 0 at 90 % and for a node not limited', async () => {
    const e = await startExporter(tree.classRoot, ['-i', '200ms'], { env: { POWERCAPCTL_FAULTS: tree.faults } });
    try {
      const marks: string[] = [];
      for (let i = 0; i < 4; i++) {
        await sleep(450);
        const m = (await get(e.port)).body;
        const value = (family: string, zone: string) => new RegExp(`^${family}\\{zone="${zone}",name="[^"]*",control_type="[a-z-]+"\\} ([0-9.]+)$`, 'm').exec(m)?.[1];
        assert.equal(value('powercap_at_limit', 'dtpm:0:0'), '1', 'exactly 97 % of 2 W');
        assert.equal(value('powercap_at_limit', 'dtpm:0:1'), '0', '90 %');
        assert.equal(value('powercap_at_limit', 'dtpm:0'), '0', 'not limited');
        assert.equal(value('powercap_at_limit', 'intel-rapl:1'), '0', '18 W of 20 W');
        // the mark is the rule on the power of the same pass: ≥ 97 % of 15 W (14.55 W)
        const w = Number(value('powercap_power_watts', 'intel-rapl:0'));
        const mark = value('powercap_at_limit', 'intel-rapl:0')!;
        assert.equal(mark, w >= 14.55 ? '1' : '0', `${w} W`);
        marks.push(mark);
      }
      assert.ok(marks.filter((x) => x === '1').length >= 3, `package-0 at 99.5 % of 15 W: ${marks.join(' ')}`);
    } finally {
      assert.equal((await stop(e.child, e.exited)).code, 0);
    }
  });
});

// ------------------------------------------------------------------ deployment

describe('exporter: the systemd unit', () => {
  test('deploy/powercapctl-exporter.service and its root drop-in pass systemd-analyze verify; hardened as documented', requireTool(TOOLS.systemdAnalyze), () => {
    const analyze = toolPath(TOOLS.systemdAnalyze)!;
    const dir = makeTempDir('powercapctl-unit-');
    try {
      const unit = fs.readFileSync(path.join(ROOT, 'deploy/powercapctl-exporter.service'), 'utf8');
      for (const line of ['ProtectSystem=strict', 'ReadOnlyPaths=/sys', 'NoNewPrivileges=yes', 'DynamicUser=yes', 'CapabilityBoundingSet=']) {
        assert.match(unit, new RegExp(`^${line}$`, 'm'));
      }
      const exec = /^ExecStart=(\S+) (.*)$/m.exec(unit)!;
      assert.equal(exec[1], '/usr/local/bin/powercapctl');
      // the same unit, pointing at this checkout's binary (verify checks that ExecStart is executable)
      fs.writeFileSync(path.join(dir, 'powercapctl-exporter.service'), unit.replace(exec[1]!, BIN));
      fs.mkdirSync(path.join(dir, 'powercapctl-exporter.service.d'));
      fs.copyFileSync(path.join(ROOT, 'deploy/powercapctl-exporter.service.d/root.conf'), path.join(dir, 'powercapctl-exporter.service.d/root.conf'));
      const r = spawnSync(analyze, ['verify', path.join(dir, 'powercapctl-exporter.service')], {
        encoding: 'utf8', env: { ...cleanEnv(), SYSTEMD_UNIT_PATH: `${dir}:` },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', 'no warnings (unknown keys, bad values)');
      // it serves on every address, on the documented port
      const args = exec[2]!.split(' ');
      assert.deepEqual(args.slice(0, 3), ['exporter', '--listen', '0.0.0.0:9847']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
