/**
 * Development driver for the simulator until `powercapctl sim` is wired: runs a scenario (and,
 * with --compare, the kernel's static split on the same plant) and prints the figures as JSON.
 *   node dist/scripts/sim-dev.js examples/sim-rk3399-moving.yaml [--compare] [--svg FILE] [--records]
 */
import { loadScenario } from '../src/core/sim/load.js';
import { runSim } from '../src/core/sim/run.js';
import { toJson } from '../src/core/json.js';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'))!;
const loaded = await loadScenario(file);
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
