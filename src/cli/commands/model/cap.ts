import type { CommandContext } from '../../context.js';
import { notFound, usageError } from '../../../core/errors.js';
import { formatMhz, formatPower, resolvePowerSpec, type PowerSpec } from '../../../core/units.js';
import { capTree, leafCapOf, type LeafCap } from '../../../core/calculators/cap.js';
import { leafBounds, type LeafTable } from '../../../core/kernel/dtpm.js';
import { domainNotes, hasFileInput, loadDomains, outJson, renderTable } from './common.js';
import type { CapOptions } from './spec.js';

/** The limit against the bounds it may be relative to (max, min, N %). */
const limitOf = (spec: PowerSpec, minUw: number, maxUw: number): number => Number(resolvePowerSpec(spec, { minUw: BigInt(minUw), maxUw: BigInt(maxUw) }));

async function leafRows(ctx: CommandContext, leaves: LeafCap[]): Promise<string> {
  return renderTable(ctx, [
    { head: 'LEAF' }, { head: 'CPUS', right: true }, { head: 'LIMIT µW', right: true }, { head: 'OPP', right: true }, { head: 'FREQ CAP', right: true },
    { head: 'APPLIED µW', right: true }, { head: 'OF MAX', right: true }, { head: 'PERF LOST', right: true },
  ], leaves.map((l) => [
    l.name,
    l.nrCpus === null ? '–' : String(l.nrCpus),
    String(l.limitUw),
    l.stateIndex === null ? '–' : `#${l.stateIndex}`,
    l.frequencyCapKhz === null ? '–' : `${formatMhz(l.frequencyCapKhz)} / ${formatMhz(l.maxFrequencyKhz!)}`,
    String(l.appliedUw),
    l.powerMaxUw > 0 ? `${((l.appliedUw / l.powerMaxUw) * 100).toFixed(1)}%` : '–',
    l.performanceLostPct === null ? '–' : `${l.performanceLostPct.toFixed(1)}%${l.performanceBasis === 'frequency' ? ' (freq)' : ''}`,
  ]), leaves.map((l) => (l.performanceLostPct && l.performanceLostPct > 0 ? null : 'dim')));
}

export async function run(ctx: CommandContext, _args: unknown[], opts: CapOptions): Promise<void> {
  const zoneRef = opts.zone;
  // --zone and the options of a bare domain exclude each other (model/spec.ts)
  const domainMode = hasFileInput(opts) || opts.domain !== undefined;
  if (zoneRef === undefined && !domainMode) throw usageError('give --zone ZONE (a DTPM tree) or --domain NAME (one performance domain)', 'e.g. model cap --zone package --limit 3W');

  if (domainMode) {
    const [d] = await loadDomains(ctx, opts);
    const dom = d!;
    for (const n of domainNotes(dom)) ctx.io.note(n);
    let nrCpus = dom.cpu ? dom.nrCpus : 1;
    if (nrCpus === null) {
      ctx.io.warn(`${dom.name}: number of CPUs unknown: assuming 1 (give --cpus N)`);
      nrCpus = 1;
    }
    const kind = dom.cpu ? 'cpu' : 'devfreq';
    const table: LeafTable = { nrCpus, states: dom.states.map((s) => ({ frequencyKhz: s.frequencyKhz, powerUw: s.powerUw, performance: s.performance })) };
    const { minUw, maxUw } = leafBounds(kind, table);
    const limit = limitOf(opts.limit, minUw, maxUw);
    const warning = limit < minUw ? `${dom.name}: ${formatPower(limit)} is below the lowest state (${formatPower(minUw)} for ${nrCpus} CPUs): the lowest state is shown (a kernel would read before its table)` : null;
    const leaf: LeafCap = { name: dom.name, zoneId: null, kind, limitUw: limit, powerMaxUw: maxUw, warning, ...leafCapOf(kind, table, limit) };
    if (warning) ctx.io.warn(warning);
    if (ctx.globals.json) {
      outJson(ctx, { domain: dom.name, origin: dom.origin, limitUw: limit, powerMinUw: minUw, powerMaxUw: maxUw, leaves: [leaf] });
      return;
    }
    ctx.io.out(`${dom.name}: limit ${formatPower(limit)} (${limit} µW) on ${nrCpus} CPU${nrCpus === 1 ? '' : 's'}, range ${minUw}–${maxUw} µW\n` + (await leafRows(ctx, [leaf])));
    return;
  }

  const [{ readPowercapTree }, { resolveZone }, { buildDtpmForest }, { readEnergyModel }] = await Promise.all([
    import('../../../core/zones/powercap-tree.js'), import('../../../core/zones/select.js'), import('../../../core/dtpm/fromTree.js'), import('../../../core/em/debugfs.js'),
  ]);
  const src = ctx.source();
  const tree = readPowercapTree(src.powercap);
  const zone = resolveZone(tree, zoneRef!);
  const forest = buildDtpmForest(tree, src.registry, (ctx.energyModel() ? readEnergyModel(ctx.energyModel()!) : []));
  const node = forest.byZone.get(zone.id);
  if (!node) throw notFound(`${zone.id} (${zone.name ?? 'no name'}) is not a DTPM zone`, 'model cap works on the dtpm control type: see `powercapctl tree --type dtpm`');
  const limit = limitOf(opts.limit, node.powerMinUw, node.powerMaxUw);
  const r = capTree(node, limit);
  for (const l of r.leaves) if (l.warning) ctx.io.warn(l.warning);
  if (r.clampedUw !== limit) ctx.io.note(`${node.name}: ${formatPower(limit)} is outside ${formatPower(node.powerMinUw)}–${formatPower(node.powerMaxUw)}: the kernel clamps it to ${formatPower(r.clampedUw)}`);
  if (ctx.globals.json) {
    outJson(ctx, {
      zone: { id: zone.id, name: zone.name }, requestedUw: limit, clampedUw: r.clampedUw, appliedUw: r.appliedUw,
      powerMinUw: r.powerMinUw, powerMaxUw: r.powerMaxUw,
      leaves: r.leaves,
      nodes: r.steps.map((s) => ({ name: s.node.name, zoneId: s.node.zoneId, weight: s.node.weight, requestedUw: s.requestedUw, targetUw: s.targetUw, appliedUw: s.appliedUw })),
    });
    return;
  }
  ctx.io.out(`${zone.id} (${node.name}): limit ${formatPower(limit)} (${limit} µW); the leaves apply ${r.appliedUw} µW (${formatPower(r.appliedUw)}), which ${node.name} would store\n` +
    (await leafRows(ctx, r.leaves)) + '\nnothing was written: this is what the kernel would do (dtpm.c)');
}
