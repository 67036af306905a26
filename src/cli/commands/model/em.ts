import type { CommandContext } from '../../context.js';
import type { ModelDomain } from '../../../core/em/input.js';
import * as fs from 'node:fs';
import { notFound, PowercapError, usageError } from '../../../core/errors.js';
import { formatMhz, formatPower, formatVoltageUv } from '../../../core/units.js';
import { CAPACITY_SOURCE, domainInput, domainNotes, hasFileInput, loadDomains, sourceDomains, outJson, renderTable } from './common.js';
import { eraRules, eraSummary } from '../../../core/kernel/energy-model.js';
import { formatCpuList } from '../../../core/em/debugfs.js';
import type { EmOptions } from './spec.js';

/** A state's performance as the table holds it: none for a dump from a kernel that stored none. */
const shownPerformance = (d: ModelDomain, performance: number) => (d.hasPerformance ? performance : null);

export function domainJson(d: ModelDomain) {
  return {
    name: d.name,
    origin: d.origin,
    kernel: d.era.name,
    capacitySource: d.cpu ? d.capacitySource : null,
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
      performance: shownPerformance(d, s.performance),
      cost: s.cost,
      inefficient: s.inefficient,
    })),
  };
}

function describe(d: ModelDomain): string {
  const o = d.origin;
  const from = o.kind === 'dts' ? `${o.file} ${o.table}` : o.kind === 'opp-file' ? o.file : o.kind === 'device-tree' ? `${o.node} (${o.table})` : `energy model domain ${o.domain}`;
  const cpus = d.cpus ? ` ${formatCpuList(d.cpus)}` : '';
  const bits = [
    d.cpu ? `${d.nrCpus === null ? 'CPUs' : `${d.nrCpus} CPU${d.nrCpus === 1 ? '' : 's'}${cpus}`}, capacity ${d.capacity} from ${CAPACITY_SOURCE[d.capacitySource]}` : 'device',
    d.coefficient !== null ? `C = ${d.coefficient}` : null,
    eraSummary(d.era),
    d.cpu && !d.hasPerformance ? 'no performance in the dump (a kernel before 6.9)' : null,
  ].filter(Boolean);
  return `${d.name}: ${d.states.length} state${d.states.length === 1 ? '' : 's'} from ${from} (${bits.join('; ')})`;
}

export async function run(ctx: CommandContext, _args: unknown[], opts: EmOptions): Promise<void> {
  const { domains, refused, header } = await emDomains(ctx, opts);
  if (header && !ctx.globals.json) ctx.io.note(header);
  const svg = opts.svg;
  if (svg !== undefined && domains.length !== 1) {
    throw usageError(`--svg draws one domain and ${domains.length} are selected`, `choose one with --domain (${domains.map((d) => d.name).join(', ')})`);
  }
  for (const d of domains) for (const n of domainNotes(d)) ctx.io.note(n);
  if (svg !== undefined) {
    const [{ svgPlot }, { writeFileAtomic }] = await Promise.all([import('../../../core/em/plot.js'), import('../../../core/atomic.js')]);
    const d = domains[0]!;
    writeFileAtomic(svg, svgPlot({ title: d.name, states: d.states, cpu: d.cpu, performance: d.hasPerformance }));
    ctx.io.note(`wrote ${svg}`);
  }
  if (ctx.globals.json) {
    outJson(ctx, { domains: domains.map(domainJson), ...(refused ? { source: header, refused } : {}) });
    return;
  }
  const blocks: string[] = [];
  for (const d of domains) {
    const pre = !eraRules(d.era).microwatts;
    const cols = [
      { head: '#', right: true },
      { head: 'FREQUENCY', right: true },
      { head: 'VOLTAGE', right: true },
      { head: pre ? 'POWER mW' : 'POWER µW', right: true },
      { head: pre ? 'POWER µW' : 'PRE-6.0 mW', right: true },
      { head: 'POWER', right: true },
      ...(d.cpu ? [{ head: 'PERF', right: true }, { head: 'COST', right: true }, { head: 'EFFICIENT' }] : []),
    ];
    const rows = d.states.map((s, i) => {
      const row = [
        String(i),
        formatMhz(s.frequencyKhz),
        s.voltageUv === null ? '–' : formatVoltageUv(s.voltageUv),
        pre ? String(s.powerMw ?? '–') : String(s.powerUw),
        pre ? String(s.powerUw) : s.powerMw === null ? '–' : String(s.powerMw),
        formatPower(s.powerUw),
      ];
      // pushed, not spread: a spread allocates an iterator per row (1 000 states)
      if (d.cpu) row.push(String(shownPerformance(d, s.performance) ?? '–'), String(s.cost), s.inefficient ? 'no: inefficient' : 'yes');
      return row;
    });
    let text = `${describe(d)}\n` + (await renderTable(ctx, cols, rows, d.states.map((s) => (s.inefficient ? 'warn' : null))));
    if (opts.plot) {
      const { terminalPlot, MARK_INEFFICIENT } = await import('../../../core/em/plot.js');
      const { makeColors } = await import('../../color.js');
      const c = makeColors(ctx.globals.color, ctx.io.stdoutIsTTY);
      const width = Math.max(30, Math.min(72, (process.stdout.columns ?? 80) - 16));
      text += '\n\n' + terminalPlot({ title: d.name, states: d.states, cpu: d.cpu, performance: d.hasPerformance }, { width }).split(MARK_INEFFICIENT).join(c.yellow(MARK_INEFFICIENT));
    }
    blocks.push(text);
  }
  for (const r of refused ?? []) blocks.push(`${r.name} (${r.node}): no energy model: ${r.reason}`);
  ctx.io.out(blocks.join('\n\n'));
}

/** The live device tree: POWERCAPCTL_DT, else /sys/firmware/devicetree/base. */
export const liveDtPath = () => process.env.POWERCAPCTL_DT ?? '/sys/firmware/devicetree/base';

/**
 * What `model em` shows: a --dts/--opp-file table, a domain; with --dt every domain of that tree;
 * with no input the kernel's energy model (debugfs) where it is readable, else the live device tree.
 */
async function emDomains(ctx: CommandContext, opts: EmOptions): Promise<{ domains: ModelDomain[]; refused: Array<{ name: string; node: string; reason: string }> | null; header: string | null }> {
  const input = await import('../../../core/em/input.js');
  const fromDt = async (file: string, why: string) => {
    const r = await input.loadDtDomains(file, domainInput(opts));
    for (const n of r.notes) ctx.io.note(n);
    let domains = r.domains;
    const want = opts.domain;
    if (want !== undefined) {
      const pick = domains.find((d) => d.name === want || (d.cpus && new RegExp(`^cpu(${d.cpus.join('|')})(-cpufreq)?$`).test(want)));
      if (!pick) throw notFound(`no domain '${want}' in ${r.how}`, `domains: ${[...domains.map((d) => d.name), ...r.refused.map((x) => x.name)].join(', ')}`);
      domains = [pick];
    }
    if (domains.length === 0 && r.refused.length === 0) throw notFound(`${r.how} has no performance domain (no CPU or device with an operating-points-v2 table)`);
    return { domains, refused: want !== undefined ? [] : r.refused, header: `source: ${r.how}${why}` };
  };
  if (opts.dt !== undefined) return fromDt(opts.dt, '');
  if (hasFileInput(opts) || ctx.globals.snapshot !== undefined) return { domains: await loadDomains(ctx, opts, { all: true }), refused: null, header: null };
  try {
    await sourceDomains(ctx);
  } catch (err) {
    // no energy model to read (absent, empty, root only): the live device tree serves, when there is one
    if (!(err instanceof PowercapError) || (err.exitCode !== 3 && err.exitCode !== 4)) throw err;
    const live = liveDtPath();
    if (!fs.existsSync(live)) throw err;
    return fromDt(live, ` (the kernel's energy model is not readable: ${err.message})`);
  }
  return { domains: await loadDomains(ctx, opts, { all: true }), refused: null, header: `source: the kernel's energy model (${ctx.emRootPath})` };
}
