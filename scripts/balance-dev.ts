/**
 * Development driver for the balance engine until `powercapctl balance` and `govern` are wired
 * (they come next, on the option-spec framework): the same core, as a separate process, so the
 * engine can be run against `sim --serve` trees and real ones. Prints one NDJSON record a period.
 *   node dist/scripts/balance-dev.js --root R (--budget 2.5W | --budget-file F [--fallback-budget P])
 *     [--interval 200ms] [--duration D] [--keep] [--dry-run] ZONE…
 *   node dist/scripts/balance-dev.js --root R --thermal-root T --thermal-zone NAME --target 45C
 *     [--sustainable-power 2W] [--switch-on 35C] [--interval 200ms] ZONE…
 * SIGTERM or SIGINT stops it: the limits found at the start are written back (unless --keep), exit 0.
 */
import * as fs from 'node:fs';
import { LiveSource } from '../src/core/source/live.js';
import { readPowercapTree } from '../src/core/zones/powercap-tree.js';
import { selectZones } from '../src/core/zones/select.js';
import { planBalanceZones } from '../src/core/balance/zones.js';
import { BalanceController } from '../src/core/balance/controller.js';
import { budgetBelowMinimum, createFileBudget, fixedBudget, type BudgetSource } from '../src/core/balance/budget.js';
import { minimumBudgetUw } from '../src/core/balance/allocate.js';
import { runBalance } from '../src/core/balance/run.js';
import { Governor, GovernBudget } from '../src/core/govern/governor.js';
import { findThermalZone, readTemperatureMc } from '../src/core/govern/thermal.js';
import { monotonicClock } from '../src/cli/clock.js';
import { parseDurationUs, parsePowerUw, parseTemperatureMc, formatPower } from '../src/core/units.js';
import { errnoOf, PowercapError } from '../src/core/errors.js';

const argv = process.argv.slice(2);
const opts = new Map<string, string>();
const flags = new Set<string>();
const zoneRefs: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--keep' || a === '--dry-run') flags.add(a);
  else if (a.startsWith('--')) opts.set(a, argv[++i]!);
  else zoneRefs.push(a);
}

try {
  const source = new LiveSource(opts.get('--root') ?? '/sys/class/powercap');
  const tree = readPowercapTree(source);
  const zones = planBalanceZones(tree, zoneRefs.flatMap((r) => selectZones(tree, [r])));
  const intervalUs = Number(parseDurationUs(opts.get('--interval') ?? '1s'));
  let budget: BudgetSource;
  if (opts.has('--target')) {
    const thermal = new LiveSource(opts.get('--thermal-root') ?? '/sys/class/thermal');
    const tz = findThermalZone(thermal, opts.get('--thermal-zone')!);
    const governor = new Governor({
      controlTempMc: parseTemperatureMc(opts.get('--target')!),
      switchOnMc: opts.has('--switch-on') ? parseTemperatureMc(opts.get('--switch-on')!) : null,
      sustainablePowerMw: opts.has('--sustainable-power') ? Math.floor(Number(parsePowerUw(opts.get('--sustainable-power')!)) / 1000) : null,
      periodMs: intervalUs / 1000,
    }, zones.map((z) => z.minUw));
    budget = new GovernBudget(governor, () => readTemperatureMc(thermal, tz));
  } else if (opts.has('--budget-file')) {
    const file = opts.get('--budget-file')!;
    budget = await createFileBudget({
      file,
      read: () => { try { return { ok: true, text: fs.readFileSync(file, 'utf8') }; } catch (err) { return { ok: false, errno: errnoOf(err) }; } },
      fallbackUw: opts.has('--fallback-budget') ? Number(parsePowerUw(opts.get('--fallback-budget')!)) : null,
    });
  } else {
    const uw = Number(parsePowerUw(opts.get('--budget') ?? ''));
    if (uw < minimumBudgetUw(zones)) throw budgetBelowMinimum(uw, minimumBudgetUw(zones), formatPower);
    budget = fixedBudget(uw);
  }
  const controller = new BalanceController({ source, zones, budget, dryRun: flags.has('--dry-run') });
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => ac.abort());
  await runBalance({
    controller, intervalUs, clock: monotonicClock, signal: ac.signal, startWallMs: Date.now(),
    durationUs: opts.has('--duration') ? Number(parseDurationUs(opts.get('--duration')!)) : null,
    keep: flags.has('--keep'),
    onRecord: (r) => { process.stdout.write(JSON.stringify(r) + '\n'); },
  });
  process.exit(0);
} catch (err) {
  if (err instanceof PowercapError) {
    process.stderr.write(`balance-dev: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
