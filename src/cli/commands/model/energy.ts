import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { formatMhz, formatPower } from '../../../core/units.js';
import { emCpuEnergy } from '../../../core/kernel/energy-model.js';
import { domainNotes, loadDomains, outJson, renderTable } from './common.js';
import type { EnergyOptions } from './spec.js';

export async function run(ctx: CommandContext, _args: unknown[], opts: EnergyOptions): Promise<void> {
  const utils = opts.util;
  const [d] = await loadDomains(ctx, opts);
  if (!d!.cpu) throw usageError(`${d!.name} is a device: the energy estimate is for CPU domains`, 'em_cpu_energy() only runs on CPU performance domains');
  const dom = d!;
  for (const n of domainNotes(dom)) ctx.io.note(n);
  // a dump of a kernel before 6.9 holds its own costs: the 6.9 estimate reads the table 6.9 builds from its powers
  const { currentRulesStates } = await import('../../../core/em/input.js');
  const e = emCpuEnergy(currentRulesStates(dom), utils, { capacity: dom.capacity, skipInefficient: !opts.allStates, cpus: dom.nrCpus });
  if (ctx.globals.json) {
    outJson(ctx, { domain: dom.name, origin: dom.origin, skipInefficient: !opts.allStates, ...e });
    return;
  }
  const row = (label: string, p: typeof e.current, extra: string) => [
    label, `#${p.index}`, formatMhz(p.frequencyKhz), String(p.powerUw), String(p.cost), String(p.energy), formatPower(p.estimateUw),
    (p.skipped.length ? `skipped inefficient ${p.skipped.map((i) => formatMhz(dom.states[i]!.frequencyKhz)).join(', ')}; ` : '') + extra,
  ];
  const table = await renderTable(ctx, [
    { head: 'KERNEL' }, { head: 'STATE', right: true }, { head: 'FREQUENCY', right: true }, { head: 'POWER µW', right: true },
    { head: 'COST', right: true }, { head: 'ENERGY', right: true }, { head: 'AVG POWER', right: true }, { head: 'NOTE' },
  ], [
    row('6.9+', e.current, `performance ≥ ${e.maxUtilHeadroom}; energy = cost × Σutil`),
    row('6.0–6.8', e.pre69, `frequency ≥ ${formatMhz(e.pre69.targetFrequencyKhz)}; energy = cost × Σutil / ${e.capacity}`),
  ]);
  ctx.io.out(`${dom.name}: utilisation ${utils.join(', ')} (max ${e.maxUtil}, +25 % headroom ${e.maxUtilHeadroom}, Σ ${e.sumUtil}; capacity ${e.capacity})\n${table}`);
}
