/**
 * npm run bench: runs every bench/*.bench.ts case and prints each figure as a
 * ratio against its same-run baseline, with the issue's target. Exit 1 when a
 * target is missed. `npm run bench -- NAME` runs the cases whose name contains NAME.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase, BenchResult } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.js')).sort();
const cases: BenchCase[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { cases: BenchCase[] };
  cases.push(...mod.cases);
}
const selected = cases.filter((c) => !filter || c.name.includes(filter));
const results: Array<BenchResult & { issue: number }> = [];
process.stdout.write(`powercapctl bench: ${selected.length} cases, node ${process.version}, ${process.platform}/${process.arch}\n\n`);
for (const c of selected) {
  process.stderr.write(`… ${c.name}\n`);
  for (const r of await c.run()) {
    results.push({ ...r, issue: c.issue });
    const ok = r.ratio <= r.target;
    const base = r.baseline === null ? '' : ` vs ${r.baseline.toFixed(2)} ${r.unit} (${r.against})`;
    const fig = r.baseline === null ? `${r.ratio.toFixed(2)} ${r.unit}` : `${r.ratio.toFixed(2)}×`;
    process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  #${c.issue}  ${r.name}: ${fig} (target ≤ ${r.target}${r.baseline === null ? ' ' + r.unit : '×'}); ${r.value.toFixed(2)} ${r.unit}${base}\n`);
  }
}
const failed = results.filter((r) => r.ratio > r.target);
process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
process.exitCode = failed.length ? 1 : 0;
