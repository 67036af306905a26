/**
 * Issue 16: the cost of the exporter, and how it holds under load.
 * - CPU share of a core, as the process's utime + stime (/proc/PID/stat) over a
 *   window of wall time that starts once it serves (start-up and the one read of
 *   the tree are not counted), while a scraper asks for /metrics the way
 *   Prometheus does (OpenMetrics, gzip):
 *   the laptop tree at a 1 s interval, scraped every second: ≤ 0.5 %;
 *   the 4096-zone tree at 15 s, scraped every 15 s, limits re-read every 30 s
 *   (twice the default rate, so the window holds one re-read): ≤ 2 %.
 * - memory: RSS after 1 000 and after 10 000 scrapes (laptop tree, 100 ms
 *   passes, so the exposition is re-rendered between scrapes): flat.
 * - 50 concurrent scrapers for 10 s (laptop tree, 100 ms passes, half asking
 *   for OpenMetrics): every response complete (Content-Length bytes) and valid
 *   (each line a sample or HELP/TYPE/UNIT, each family's metadata once,
 *   OpenMetrics ending in # EOF); the p99 latency reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { BIN, type BenchCase, type BenchResult, cpuSeconds, rssMiB } from './lib.js';
import { writeFixtureTree, makeTempDir } from '../test/fixtures/sysfs.js';
import { bigTree, intelLaptop } from '../test/fixtures/specs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';



interface Running {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startExporter(root: string, args: string[]): Promise<Running> {
  const child = spawn(BIN, ['--root', root, 'exporter', '--listen', '127.0.0.1:0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exited.then(() => reject(new Error(`exporter exited before serving: ${err}`)));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`exporter did not serve within 60 s: ${err}`)); }, 60000);
    child.stdout!.once('data', () => clearTimeout(timer));
  });
  const port = (JSON.parse(line) as { listen: { port: number } }).listen.port;
  return {
    child, port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Scrape { status: number; body: string; length: number; declared: number; openMetrics: boolean; ms: number }

function scrape(port: number, agent: http.Agent, headers: Record<string, string> = {}): Promise<Scrape> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!, body: raw.toString('utf8'), length: raw.length,
          declared: Number(res.headers['content-length']),
          openMetrics: String(res.headers['content-type']).startsWith('application/openmetrics-text'),
          ms: Number(process.hrtime.bigint() - t0) / 1e6,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(\\{${LABEL}(,${LABEL})*\\})? -?[0-9]+(\\.[0-9]+)?$`);
const META = new RegExp(`^# (HELP|TYPE|UNIT) (${NAME}) .+$`);

/** Why a response is not a complete, valid exposition, or null. */
function invalidReason(s: Scrape): string | null {
  if (s.status !== 200) return `status ${s.status}`;
  if (s.length !== s.declared) return `${s.length} bytes of ${s.declared}`;
  if (!s.body.endsWith('\n')) return 'no final newline';
  const lines = s.body.slice(0, -1).split('\n');
  if (s.openMetrics && lines.pop() !== '# EOF') return 'no # EOF';
  const seen = new Set<string>();
  let samples = 0;
  for (const l of lines) {
    const m = META.exec(l);
    if (m) {
      const key = `${m[1]} ${m[2]}`;
      if (seen.has(key)) return `${key} twice`;
      seen.add(key);
      continue;
    }
    if (!SAMPLE.test(l)) return `bad line: ${l}`;
    samples++;
  }
  return samples > 20 ? null : `only ${samples} samples`;
}

function tree(spec: typeof intelLaptop): { root: string; cleanup(): void } {
  const dir = makeTempDir('powercapctl-bench-');
  const t = writeFixtureTree(dir, spec);
  return { root: t.classRoot, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** CPU share of the exporter over windowS while one scraper asks every scrapeMs, as Prometheus does. */
async function cpuShare(root: string, args: string[], scrapeMs: number, windowS: number): Promise<{ percent: number; scrapes: number; bytes: number }> {
  const e = await startExporter(root, args);
  const agent = new http.Agent({ keepAlive: true });
  try {
    await sleep(1000);
    const c0 = cpuSeconds(e.child.pid!);
    const t0 = process.hrtime.bigint();
    let scrapes = 0;
    let bytes = 0;
    const end = Date.now() + windowS * 1000;
    while (Date.now() < end) {
      const s = await scrape(e.port, agent, { accept: PROMETHEUS_ACCEPT, 'accept-encoding': 'gzip' });
      if (s.status !== 200) throw new Error(`scrape: status ${s.status}`);
      scrapes++;
      bytes = s.length;
      await sleep(Math.min(scrapeMs, end - Date.now()));
    }
    const c1 = cpuSeconds(e.child.pid!);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    return { percent: ((c1 - c0) / wall) * 100, scrapes, bytes };
  } finally {
    agent.destroy();
    await e.stop();
  }
}

export const cases: BenchCase[] = [
  {
    name: 'exporter laptop at 1 s: CPU share',
    issue: 16,
    async run(): Promise<BenchResult[]> {
      const t = tree(intelLaptop);
      try {
        const r = await cpuShare(t.root, ['-i', '1s'], 1000, 20);
        return [{ name: `exporter -i 1s (laptop, 6 zones), scraped every 1 s, CPU over 20 s`, value: r.percent, baseline: null, unit: '% of a core', ratio: r.percent, target: 0.5, against: '' }];
      } finally {
        t.cleanup();
      }
    },
  },
  {
    name: 'exporter 4096 zones at 15 s: CPU share',
    issue: 16,
    async run(): Promise<BenchResult[]> {
      const t = tree(bigTree());
      try {
        const r = await cpuShare(t.root, ['-i', '15s', '--limits-interval', '30s'], 15000, 45);
        return [{ name: `exporter -i 15s (4096 zones, limits every 30 s), scraped every 15 s (${Math.round(r.bytes / 1024)} KiB gzipped), CPU over 45 s`, value: r.percent, baseline: null, unit: '% of a core', ratio: r.percent, target: 2, against: '' }];
      } finally {
        t.cleanup();
      }
    },
  },
  {
    name: 'exporter memory over 10 000 scrapes',
    issue: 16,
    async run(): Promise<BenchResult[]> {
      const t = tree(intelLaptop);
      const e = await startExporter(t.root, ['-i', '100ms']);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let rss1 = 0;
      let rss5 = 0;
      let rss10 = 0;
      try {
        for (let i = 1; i <= 10000; i++) {
          const s = await scrape(e.port, agent, i % 2 ? { accept: PROMETHEUS_ACCEPT } : {});
          if (s.status !== 200) throw new Error(`scrape ${i}: status ${s.status}`);
          if (i === 1000) rss1 = rssMiB(e.child.pid!);
          if (i === 5500) rss5 = rssMiB(e.child.pid!);
        }
        rss10 = rssMiB(e.child.pid!);
      } finally {
        agent.destroy();
        await e.stop();
        t.cleanup();
      }
      return [{ name: `exporter RSS growth, scrape 1 000 → 10 000 (laptop; ${rss1.toFixed(1)} → ${rss5.toFixed(1)} → ${rss10.toFixed(1)} MiB at 1 000, 5 500, 10 000)`, value: rss10 - rss1, baseline: null, unit: 'MiB', ratio: rss10 - rss1, target: 4, against: '' }];
    },
  },
  {
    name: 'exporter under 50 concurrent scrapers',
    issue: 16,
    async run(): Promise<BenchResult[]> {
      const t = tree(intelLaptop);
      const e = await startExporter(t.root, ['-i', '100ms']);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
      const latencies: number[] = [];
      const invalid: string[] = [];
      try {
        const end = Date.now() + 10_000;
        await Promise.all(Array.from({ length: 50 }, async (_, w) => {
          const headers: Record<string, string> = w % 2 ? { accept: PROMETHEUS_ACCEPT } : {};
          while (Date.now() < end) {
            try {
              const s = await scrape(e.port, agent, headers);
              latencies.push(s.ms);
              const why = invalidReason(s);
              if (why) invalid.push(why);
            } catch (err) {
              invalid.push(String(err));
            }
          }
        }));
      } finally {
        agent.destroy();
        await e.stop();
        t.cleanup();
      }
      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      if (invalid.length) process.stderr.write(`  first invalid response: ${invalid[0]}\n`);
      return [
        { name: `50 scrapers × 10 s: ${latencies.length} responses, incomplete or invalid`, value: invalid.length, baseline: null, unit: 'responses', ratio: invalid.length, target: 0, against: '' },
        { name: `50 scrapers × 10 s: p99 latency (p50 ${p(0.5).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms)`, value: p(0.99), baseline: null, unit: 'ms', ratio: p(0.99), target: 250, against: '' },
      ];
    },
  },
];
