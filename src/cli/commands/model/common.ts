/**
 * What the model runners share: turning the domain options into a ModelDomain (file
 * inputs, or the energy model of the source), and the borderless table they print.
 * cli-table3 and colours are imported only when a table is drawn.
 */
import type { CommandContext } from '../../context.js';
import { Exit, exitForErrno, notFound, permissionDenied, SysfsError, usageError } from '../../../core/errors.js';
import { renderColumns } from '../../render/columns.js';
import type { PerfDomain } from '../../../core/em/debugfs.js';
import type { CapacitySource, DomainOptions, ModelDomain } from '../../../core/em/input.js';
import type { EmOptions } from './spec.js';

/** The table options as any model subcommand declares them (each declares its own subset: model/spec.ts). */
export type TableOptions = Partial<Pick<EmOptions,
  'domain' | 'dts' | 'table' | 'oppFile' | 'coefficient' | 'capacity' | 'device' | 'cpus' | 'kernel' | 'supportedHw' | 'oppName' | 'include'>>;

/** The options as core takes them; the preprocessor from the environment (POWERCAPCTL_CPP, which tests point elsewhere). */
export function domainInput(o: TableOptions): DomainOptions {
  return {
    dts: o.dts, table: o.table, oppFile: o.oppFile, coefficient: o.coefficient, capacity: o.capacity, device: o.device === true, cpus: o.cpus,
    era: o.kernel, supportedHw: o.supportedHw, oppName: o.oppName, include: o.include, cpp: process.env.POWERCAPCTL_CPP,
  };
}

/**
 * The options that shape a table read from a device tree or a file and do nothing to the energy
 * model's own table (its powers are the kernel's): refused when that is the source. `model power`
 * keeps the coefficient, which its cooling model needs whatever the table.
 */
const NOT_FOR_THE_ENERGY_MODEL = ['coefficient', 'supportedHw', 'oppName', 'include'] as const;
export function refuseForEnergyModel(o: TableOptions, where: string, keep: ReadonlyArray<keyof TableOptions> = []): void {
  for (const k of NOT_FOR_THE_ENERGY_MODEL) {
    const v = o[k];
    if (keep.includes(k) || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError(`${flag} does not apply to the energy model of ${where}: its table holds the kernel's powers`,
      k === 'coefficient' ? 'a coefficient turns the voltages of --dts or --opp-file into powers' : 'it reads a device tree: give --dts FILE (or --dt)');
  }
}

/** The energy model of the source (snapshot or --em-root), with a clear error when there is none. */
export async function sourceDomains(ctx: CommandContext): Promise<{ domains: PerfDomain[]; where: string }> {
  const { readEnergyModel } = await import('../../../core/em/debugfs.js');
  const where = ctx.globals.snapshot ?? ctx.emRootPath;
  let domains: PerfDomain[];
  const src = ctx.source();
  try {
    const em = src.energyModel;
    const problem = src.energyModelProblem;
    if (problem && exitForErrno(problem.errno) === Exit.PERMISSION) throw new SysfsError(problem.errno, problem.path);
    domains = em ? readEnergyModel(em) : [];
  } catch (err) {
    if (err instanceof SysfsError && exitForErrno(err.errno) === Exit.PERMISSION) {
      throw permissionDenied(`cannot read the energy model at ${err.path}: ${err.errno}`, 'debugfs is readable by root only: run with sudo, or use a snapshot (--snapshot) or --dts/--opp-file');
    }
    throw err;
  }
  if (domains.length === 0) {
    throw notFound(`no energy model in ${where}`,
      ctx.globals.snapshot ? 'this snapshot has no energyModel section: use --dts FILE or --opp-file FILE' : 'mount debugfs and run as root, give --em-root DIR, or use --dts FILE / --opp-file FILE');
  }
  return { domains, where };
}

/** The domain(s) the options name. `all`: without --domain, every domain of the energy model. */
export async function loadDomains(ctx: CommandContext, o: TableOptions, opts: { all?: boolean; keep?: ReadonlyArray<keyof TableOptions> } = {}): Promise<ModelDomain[]> {
  const input = await import('../../../core/em/input.js');
  const core = domainInput(o);
  // --dts/--opp-file/--domain/--table combinations are refused by the option specs (model/spec.ts)
  if (o.dts !== undefined) return [await input.loadDomainFromFile({ ...core, dts: o.dts })];
  if (o.oppFile !== undefined) return [await input.loadDomainFromFile({ ...core, oppFile: o.oppFile })];
  const { domains, where } = await sourceDomains(ctx);
  refuseForEnergyModel(o, where, opts.keep);
  if (o.domain !== undefined) return [input.domainFromEm(input.pickDomain(domains, o.domain, where), core, where)];
  if (opts.all || domains.length === 1) return domains.map((d) => input.domainFromEm(d, core, where));
  throw usageError(`the energy model has ${domains.length} domains: choose one with --domain`, `domains: ${domains.map((d) => d.name).join(', ')}`);
}

/** A table read from a file or a device tree (not the energy model). */
export const hasFileInput = (o: TableOptions) => o.dts !== undefined || o.oppFile !== undefined;

/** What the user reads about a domain besides its table: the notes core gave, and what the opp-supported-hw mask did. */
export function domainNotes(d: ModelDomain): string[] {
  const hw = d.supportedHw;
  if (!hw) return d.notes;
  const opps = (n: number) => `${n} OPP${n === 1 ? '' : 's'}`;
  return [...d.notes, hw.mask === null
    ? `${hw.table}: ${opps(hw.withProperty)} ${hw.withProperty === 1 ? 'has' : 'have'} opp-supported-hw: every one taken (mask: all bits; the driver sets it from fuses: give it with --supported-hw MASK)`
    : `${hw.table}: opp-supported-hw mask ${hw.mask.map((v) => `0x${v.toString(16)}`).join(',')}: ${opps(hw.skipped)} not supported, skipped`];
}

/** Where a domain's capacity came from, in words (core says it as a fact: em/input.ts CapacitySource). */
export const CAPACITY_SOURCE: Record<CapacitySource, string> = {
  given: '--capacity',
  'capacity-dmips-mhz': 'capacity-dmips-mhz × max frequency, normalised (arch_topology.c)',
  'capacity-dmips-mhz-boot': 'capacity-dmips-mhz alone: a CPU without an OPP table gets no cpufreq policy, so the boot-time values stay (arch_topology.c)',
  'energy-model': 'the energy model (performance of the top state)',
  default: 'the default',
  'default-no-dmips': 'the default: no CPU has capacity-dmips-mhz',
  'default-partial-dmips': 'the default: some CPUs lack capacity-dmips-mhz (the kernel then uses 1024 for all)',
  'default-no-cpu': 'the default (no CPU uses this table)',
  'default-no-performance': 'the default (the dump has no performance)',
};

export interface Column {
  head: string;
  right?: boolean;
}

/** Above this many rows the table is laid out here (the same layout): cli-table3 grows too slowly for 1 000 states. */
export const FAST_TABLE_ROWS = 200;

/** A borderless table like `list` prints; `rowStyle` colours whole rows (warn = inefficient). */
export async function renderTable(ctx: CommandContext, columns: Column[], rows: Array<Array<string>>, rowStyle?: Array<'warn' | 'dim' | 'ok' | 'bad' | null>): Promise<string> {
  // colour needs a terminal or FORCE_COLOR: otherwise chalk is not even loaded (color.ts decides the rest)
  const mayColour = ctx.globals.color && (ctx.io.stdoutIsTTY || process.env.FORCE_COLOR !== undefined);
  const p = mayColour ? await import('../../color.js').then((c) => c.palette(c.makeColors(ctx.globals.color, ctx.io.stdoutIsTTY))) : null;
  const style = (i: number, cell: string) => {
    const st = rowStyle?.[i] ?? null;
    return st && p ? p[st](cell) : cell;
  };
  const heading = (h: string) => (p ? p.heading(h) : h);
  if (rows.length > FAST_TABLE_ROWS) return alignTable(columns, rows, heading, p ? style : undefined);
  const { borderlessTable } = await import('../../render/table.js');
  return borderlessTable(columns.map((c) => heading(c.head)), rows.map((r, i) => r.map((cell, k) => {
    const text = style(i, cell);
    return columns[k]?.right ? { content: text, hAlign: 'right' as const } : text;
  })), { trimEnd: true });
}

/** The layout cli-table3 gives with the options above (no padding at the end of a line), without its quadratic layout pass. */
export function alignTable(columns: Column[], rows: Array<Array<string>>, heading: (h: string) => string = (h) => h, style?: (row: number, cell: string) => string): string {
  return renderColumns(
    columns.map((c) => (c.head === '' ? c.head : heading(c.head))),
    style ? rows.map((r, i) => r.map((cell) => style(i, cell))) : rows,
    { align: columns.map((c) => (c.right ? 'right' : 'left')) },
  );
}


/** --json output of the model commands: long arrays (actors, states) one element per line (cli/io.ts). */
export function outJson(ctx: CommandContext, value: unknown): void {
  ctx.io.json(value, { longArrays: 'one-per-line' });
}
