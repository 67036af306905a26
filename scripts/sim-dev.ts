/**
 * Development driver for the simulator until `powercapctl sim` is wired (the command comes next):
 *   node dist/scripts/sim-dev.js SCENARIO [--compare] [--svg FILE] [--records]
 *     runs the scenario on the virtual clock and prints its figures as JSON (--compare: the
 *     kernel's static split on the same plant too);
 *   node dist/scripts/sim-dev.js --serve DIR SCENARIO
 *     drives DIR in real time until SIGTERM or SIGINT; prints one line of JSON (the paths) once ready.
 */
import { loadScenario } from '../src/core/sim/load.js';
import { runSim } from '../src/core/sim/run.js';
import { toJson } from '../src/core/json.js';
import { monotonicClock } from '../src/cli/clock.js';

const args = process.argv.slice(2);
const serveAt = args.indexOf('--serve');
const file = args.find((a, i) => !a.startsWith('--') && (serveAt < 0 || i !== serveAt + 1))!;
const loaded = await loadScenario(file);

if (serveAt >= 0) {
  const { serve } = await import('../src/core/sim/serve.js');
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => ac.abort());
  const summary = await serve({
    dir: args[serveAt + 1]!, loaded, clock: monotonicClock, signal: ac.signal,
    onReady: (paths) => process.stdout.write(JSON.stringify(paths) + '\n'),
  });
  process.stderr.write(JSON.stringify(summary) + '\n');
} else {
  const t0 = process.hrtime.bigint();
  const r = await runSim(loaded);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out: Record<string, unknown> = { scenario: file, policy: r.policy, ms: Math.round(ms), figures: r.figures };
  if (args.includes('--compare') && r.policy !== 'static' && r.policy !== 'govern') {
    out.static = (await runSim(await loadScenario(file), { policy: 'static' })).figures;
  }
  if (args.includes('--records')) out.records = r.records.slice(0, 12);
  process.stdout.write(toJson(out) + '\n');
  const svgAt = args.indexOf('--svg');
  if (svgAt >= 0) {
    const { simSvgPlot } = await import('../src/core/sim/plot.js');
    const { writeFileAtomic } = await import('../src/core/atomic.js');
    const names = r.scenario.zones.map((z) => r.records[0]?.zones.find((x) => x.id === z.id)?.name ?? z.id);
    writeFileAtomic(args[svgAt + 1]!, simSvgPlot({ title: `${r.scenario.description ?? file}: ${r.policy}`, trace: r.trace, labels: names }));
  }
}
