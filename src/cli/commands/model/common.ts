/**
 * What the model runners share: turning the domain options into a ModelDomain (file
 * inputs, or the energy model of the source), and the borderless table they print.
 * cli-table3 and colours are imported only when a table is drawn.
 */
import type { CommandContext } from '../../context.js';
import { Exit, exitForErrno, notFound, permissionDenied, SysfsError, usageError } from '../../../core/errors.js';
import { renderColumns } from '../../render/columns.js';
import type { PerfDomain } from '../../../core/em/debugfs.js';
import type { DomainOptions, ModelDomain } from '../../../core/em/input.js';

export function domainOptions(opts: Record<string, unknown>): DomainOptions & { domain?: string | undefined } {
  const s = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  return {
    dts: s('dts'), table: s('table'), oppFile: s('oppFile'), coefficient: s('coefficient'), capacity: s('capacity'),
    device: opts.device === true, cpus: s('cpus'), kernel: s('kernel'), domain: s('domain'),
    supportedHw: s('supportedHw'), oppName: s('oppName'), include: Array.isArray(opts.include) ? (opts.include as string[]) : undefined,
  };
}

export const hasFileInput = (o: DomainOptions) => o.dts !== undefined || o.oppFile !== undefined;

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
export async function loadDomains(ctx: CommandContext, opts: Record<string, unknown>, all = false): Promise<ModelDomain[]> {
  const o = domainOptions(opts);
  const input = await import('../../../core/em/input.js');
  // --dts/--opp-file/--domain/--table combinations are refused by the option specs (model/spec.ts)
  if (hasFileInput(o)) return [await input.loadDomainFromFile(o)];
  const { domains, where } = await sourceDomains(ctx);
  if (o.domain !== undefined) return [input.domainFromEm(input.pickDomain(domains, o.domain, where), o, where)];
  if (all || domains.length === 1) return domains.map((d) => input.domainFromEm(d, o, where));
  throw usageError(`the energy model has ${domains.length} domains: choose one with --domain`, `domains: ${domains.map((d) => d.name).join(', ')}`);
}

export function originJson(d: ModelDomain) {
  return d.origin;
}

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
  if (rows.length > FAST_TABLE_ROWS) return alignTable(columns, rows, heading, style);
  const { borderlessTable } = await import('../../render/table.js');
  return borderlessTable(columns.map((c) => heading(c.head)), rows.map((r, i) => r.map((cell, k) => {
    const text = style(i, cell);
    return columns[k]?.right ? { content: text, hAlign: 'right' as const } : text;
  })));
}

/** The layout cli-table3 gives with the options above, without its quadratic layout pass. */
export function alignTable(columns: Column[], rows: Array<Array<string>>, heading: (h: string) => string = (h) => h, style: (row: number, cell: string) => string = (_i, c) => c): string {
  return renderColumns(
    columns.map((c) => (c.head === '' ? c.head : heading(c.head))),
    rows.map((r, i) => r.map((cell, k) => ({ content: style(i, cell), align: columns[k]?.right ? 'right' as const : 'left' as const }))),
    { keepPadding: true },
  );
}

/** "a,b , c" → ['a','b','c'] */
export const splitList = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** `NAME=VALUE` pairs of a repeatable option. */
export function namedValues(list: unknown, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of (list as string[] | undefined) ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`${what} '${item}' is not NAME=VALUE`);
    out.set(item.slice(0, i).trim(), item.slice(i + 1).trim());
  }
  return out;
}


/** --json output of the model commands: long arrays (actors, states) one element per line (cli/io.ts). */
export function outJson(ctx: CommandContext, value: unknown): void {
  ctx.io.json(value, { longArrays: 'one-per-line' });
}
