import type { CommandContext } from '../../context.js';
import type { ModelDomain } from '../../../core/em/input.js';
import { usageError } from '../../../core/errors.js';
import { formatPower, formatVoltageUv } from '../../../core/units.js';
import { loadDomains, outJson, renderTable } from './common.js';

/** 1008000 kHz → "1008 MHz", 1512500 → "1512.5 MHz": tables of OPPs read in MHz */
export const mhz = (khz: number) => `${khz / 1000} MHz`;

export function domainJson(d: ModelDomain) {
  return {
    name: d.name,
    origin: d.origin,
    kernel: d.rules,
    cpu: d.cpu,
    cpus: d.cpus,
    nrCpus: d.nrCpus,
    capacity: d.cpu ? d.capacity : null,
    coefficient: d.coefficient,
    states: d.states.map((s) => ({
      frequencyKhz: s.frequencyKhz,
      voltageUv: s.voltageUv,
      powerUw: s.powerUw,
      powerMw: s.powerMw,
      performance: s.performance,
      cost: s.cost,
      inefficient: s.inefficient,
    })),
  };
}

function describe(d: ModelDomain): string {
  const from = d.origin.kind === 'dts' ? `${d.origin.file} ${d.origin.table}` : d.origin.kind === 'opp-file' ? d.origin.file : `energy model domain ${d.origin.domain}`;
  const bits = [
    d.cpu ? `${d.nrCpus === null ? 'CPUs' : `${d.nrCpus} CPU${d.nrCpus === 1 ? '' : 's'}`}, capacity ${d.capacity}` : 'device',
    d.coefficient !== null ? `C = ${d.coefficient}` : null,
    d.rules === 'pre-6.0' ? 'pre-6.0 rules (mW, cost = power × fmax / f)' : null,
  ].filter(Boolean);
  return `${d.name}: ${d.states.length} states from ${from} (${bits.join('; ')})`;
}

export async function run(ctx: CommandContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const domains = await loadDomains(ctx, opts, true);
  const svg = opts.svg as string | undefined;
  if (svg !== undefined && domains.length !== 1) {
    throw usageError(`--svg draws one domain and ${domains.length} are selected`, `choose one with --domain (${domains.map((d) => d.name).join(', ')})`);
  }
  for (const d of domains) for (const n of d.notes) ctx.io.note(n);
  if (svg !== undefined) {
    const [{ svgPlot }, { writeFileAtomic }] = await Promise.all([import('../../../core/em/plot.js'), import('../../../core/atomic.js')]);
    const d = domains[0]!;
    writeFileAtomic(svg, svgPlot({ title: d.name, states: d.states, cpu: d.cpu }));
    ctx.io.note(`wrote ${svg}`);
  }
  if (ctx.globals.json) {
    outJson(ctx, { domains: domains.map(domainJson) });
    return;
  }
  const blocks: string[] = [];
  for (const d of domains) {
    const pre = d.rules === 'pre-6.0';
    const cols = [
      { head: '#', right: true },
      { head: 'FREQUENCY', right: true },
      { head: 'VOLTAGE', right: true },
      { head: pre ? 'POWER mW' : 'POWER µW', right: true },
      { head: pre ? 'POWER µW' : 'PRE-6.0 mW', right: true },
      { head: 'POWER', right: true },
      ...(d.cpu ? [{ head: 'PERF', right: true }, { head: 'COST', right: true }, { head: 'EFFICIENT' }] : []),
    ];
    const rows = d.states.map((s, i) => [
      String(i),
      mhz(s.frequencyKhz),
      s.voltageUv === null ? '–' : formatVoltageUv(s.voltageUv),
      pre ? String(s.powerMw ?? '–') : String(s.powerUw),
      pre ? String(s.powerUw) : s.powerMw === null ? '–' : String(s.powerMw),
      formatPower(s.powerUw),
      ...(d.cpu ? [String(s.performance), String(s.cost), s.inefficient ? 'no: inefficient' : 'yes'] : []),
    ]);
    let text = `${describe(d)}\n` + (await renderTable(ctx, cols, rows, d.states.map((s) => (s.inefficient ? 'warn' : null))));
    if (opts.plot === true) {
      const { terminalPlot, MARK_INEFFICIENT } = await import('../../../core/em/plot.js');
      const { makeColors } = await import('../../color.js');
      const c = makeColors(ctx.globals.color, ctx.io.stdoutIsTTY);
      const width = Math.max(30, Math.min(72, (process.stdout.columns ?? 80) - 16));
      text += '\n\n' + terminalPlot({ title: d.name, states: d.states, cpu: d.cpu }, { width }).split(MARK_INEFFICIENT).join(c.yellow(MARK_INEFFICIENT));
    }
    blocks.push(text);
  }
  ctx.io.out(blocks.join('\n\n'));
}
