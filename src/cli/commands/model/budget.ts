import type { CommandContext } from '../../context.js';
import { notFound, usageError } from '../../../core/errors.js';
import { checkActors, dtpmSplit, dtpmSplitActors, type Actor } from '../../../core/calculators/budget.js';
import { divvyUpPower, type IpaGrant } from '../../../core/kernel/power-allocator.js';
import type { DtpmNode } from '../../../core/kernel/dtpm.js';
import { outJson, renderTable } from './common.js';
import { formatPowerFine as watts } from '../../../core/units.js';
import type { BudgetOptions } from './spec.js';

/** Above this many leaves a terminal shows the MOST_STARVED and the totals, unless --all. */
const BIG_BUDGET = 50;
const MOST_STARVED = 20;

const BUDGET_TREE_HINT = 'a JSON description: {"name": "soc", "children": [{"name": "cpu0", "powerMaxUw": 716848, "requestUw": 300000}]}';

/** Which allocator the IPA column follows (the rules agree from v6.1 to v6.12, the versions read). */
// ASCII only: one non-ASCII character makes V8 hold the whole --json text (3 MB on 10 000 leaves) as a
// two-byte string, twice the memory and 15 % of the run (npm run bench -- 'model budget')
const IPA_RULES = 'gov_power_allocator.c as of kernels 6.1 to 6.12: mW on u32, weights 1024 unless one is set';

interface BudgetRow {
  name: string; requestUw: number; maxUw: number; minUw: number; weight: number;
  ipa: IpaGrant;
  dtpm: { limitUw: number; appliedUw: number; frequencyCapKhz: number | null };
  shortfallUw: { ipa: number; dtpm: number };
}

/** `NAME=VALUE` pairs of a repeatable option, by name (the last one given wins). */
const byName = <T>(pairs: ReadonlyArray<{ name: string; value: T }>) => new Map(pairs.map((p) => [p.name, p.value]));

export async function run(ctx: CommandContext, _args: unknown[], opts: BudgetOptions): Promise<void> {
  // parsed by the option specs (model/spec.ts); --actor's and --tree's conflicts are checked there too
  const budgetUw = Number(opts.budget);
  const reqArgs = byName(opts.request);
  const weightArgs = byName(opts.weight);
  let actors: Actor[];
  let dtpm: Array<{ limitUw: number; appliedUw: number; frequencyCapKhz: number | null }>;
  let scope: string;

  const checkNamed = (leafNames: () => string[], under: string) => {
    if (reqArgs.size === 0 && weightArgs.size === 0) return;
    const names = new Set(leafNames());
    for (const k of [...reqArgs.keys(), ...weightArgs.keys()]) {
      if (!names.has(k)) throw notFound(`no leaf '${k}' under ${under}`, `leaves: ${[...names].slice(0, 12).join(', ')}${names.size > 12 ? ', …' : ''}`);
    }
  };
  const actorFor = (name: string, maxUw: number, minUw: number, fallbackRequest: number | undefined, fallbackWeight: number | undefined): Actor => {
    const given = reqArgs.get(name);
    const requestUw = given !== undefined ? Number(given) : fallbackRequest;
    if (requestUw === undefined) throw usageError(`no request for leaf ${name}`, `give --request ${name}=POWER (its power_uw could not be read)`);
    return { name, requestUw, maxUw, minUw, weight: weightArgs.get(name) ?? fallbackWeight ?? null };
  };

  if (opts.actor.length > 0) {
    actors = opts.actor;
    checkActors(actors);
    dtpm = dtpmSplitActors(actors, budgetUw).map((x) => ({ ...x, frequencyCapKhz: null }));
    scope = `${actors.length} actor${actors.length === 1 ? '' : 's'}`;
  } else if (opts.tree !== undefined) {
    const file = opts.tree;
    const [{ parseBudgetTree }, { readUserFile }] = await Promise.all([import('../../../core/dtpm/budget-tree.js'), import('../../../core/files.js')]);
    const { root, nodes, requests, weights } = parseBudgetTree(readUserFile(file, BUDGET_TREE_HINT), file);
    let at = root;
    if (opts.zone !== undefined) {
      const found = nodes.find((n) => n.name === opts.zone);
      if (!found) throw notFound(`no node '${opts.zone}' in ${file}`, `nodes: ${nodes.slice(0, 12).map((n) => n.name).join(', ')}${nodes.length > 12 ? ', …' : ''}`);
      at = found;
    }
    const split = dtpmSplit(at, budgetUw);
    const leaves = split.leaves;
    checkNamed(() => leaves.map((l) => l.node.name), at.name);
    actors = leaves.map((l) => actorFor(l.node.name, l.node.powerMaxUw, l.node.powerMinUw, requests.get(l.node), weights.get(l.node)));
    checkActors(actors);
    const below = split.belowMin;
    if (below.length === 1) ctx.io.warn(`${below[0]!.name} got a share below its minimum and was given the minimum`);
    else if (below.length > 1) ctx.io.warn(`${below.length} nodes got a share below their minimum and were given the minimum, first ${below[0]!.name}`);
    dtpm = leaves.map((l) => ({ limitUw: l.requestedUw, appliedUw: l.appliedUw, frequencyCapKhz: null }));
    scope = `${at.name} of ${file}`;
  } else {
    const [{ readPowercapTree }, { resolveZone }, { buildDtpmForest }, { readEnergyModel }, { capTree }] = await Promise.all([
      import('../../../core/zones/powercap-tree.js'), import('../../../core/zones/select.js'), import('../../../core/dtpm/fromTree.js'),
      import('../../../core/em/debugfs.js'), import('../../../core/calculators/cap.js'),
    ]);
    const src = ctx.source();
    const tree = readPowercapTree(src.powercap);
    const forest = buildDtpmForest(tree, src.registry, (ctx.energyModel() ? readEnergyModel(ctx.energyModel()!) : []));
    let root: DtpmNode;
    if (opts.zone !== undefined) {
      const z = resolveZone(tree, opts.zone);
      const n = forest.byZone.get(z.id);
      if (!n) throw notFound(`${z.id} is not a DTPM zone`, 'model budget divides among the leaves of a DTPM node');
      root = n;
    } else {
      if (forest.roots.length === 0) throw notFound('no DTPM tree in this source', 'give --actor name:req:max, or --tree FILE');
      if (forest.roots.length > 1) throw usageError(`${forest.roots.length} DTPM trees: choose one with --zone`, forest.roots.map((r) => r.name).join(', '));
      root = forest.roots[0]!;
    }
    // the leaves apply OPPs from their energy-model tables: the DtpmNode split of core/dtpm, on a copy
    const cap = capTree(root, budgetUw);
    checkNamed(() => cap.leaves.map((l) => l.name), root.name);
    const byName = new Map<string, DtpmNode>();
    const visit = (n: DtpmNode) => { if (n.children.length === 0) byName.set(n.name, n); n.children.forEach(visit); };
    visit(root);
    actors = cap.leaves.map((l) => {
      const node = byName.get(l.name)!;
      const reading = forest.zoneOf.get(node)?.powerUw;
      return actorFor(l.name, node.powerMaxUw, node.powerMinUw, reading === null || reading === undefined ? undefined : Number(reading), undefined);
    });
    checkActors(actors);
    for (const l of cap.leaves) if (l.warning) ctx.io.warn(l.warning);
    dtpm = cap.leaves.map((l) => ({ limitUw: l.limitUw, appliedUw: l.appliedUw, frequencyCapKhz: l.frequencyCapKhz }));
    scope = `${root.zoneId ?? ''} ${root.name}`.trim();
  }

  const ipa = divvyUpPower(actors, budgetUw);
  const shortIpa = (i: number) => Math.max(0, actors[i]!.requestUw - ipa[i]!.grantedUw);
  const shortDtpm = (i: number) => Math.max(0, actors[i]!.requestUw - dtpm[i]!.appliedUw);
  let tReq = 0;
  let tIpa = 0;
  let tDtpm = 0;
  for (let i = 0; i < actors.length; i++) { tReq += actors[i]!.requestUw; tIpa += ipa[i]!.grantedUw; tDtpm += dtpm[i]!.appliedUw; }
  const totals = { requestUw: tReq, ipaUw: tIpa, dtpmUw: tDtpm };
  const rows = new Array<BudgetRow>(actors.length);
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i]!;
    const g = ipa[i]!;
    rows[i] = {
      name: a.name, requestUw: a.requestUw, maxUw: a.maxUw, minUw: a.minUw ?? 0, weight: g.weight,
      ipa: g,
      dtpm: dtpm[i]!,
      shortfallUw: { ipa: shortIpa(i), dtpm: shortDtpm(i) },
    };
  }
  if (ctx.globals.json) {
    outJson(ctx, { budgetUw, budgetMw: Math.floor(budgetUw / 1000), ipaRules: IPA_RULES, scope, actors: rows, totals });
    return;
  }
  const mark = (short: number) => (short > 0 ? `  −${watts(short)}` : '');
  // a big budget on a terminal: the most starved leaves (by the larger of the two shortfalls), then the totals
  let shown = rows;
  if (rows.length > BIG_BUDGET && !opts.all) {
    const starved = (r: BudgetRow) => Math.max(r.shortfallUw.ipa, r.shortfallUw.dtpm);
    shown = rows.map((r, i) => ({ r, i })).sort((a, b) => starved(b.r) - starved(a.r) || a.i - b.i).slice(0, MOST_STARVED).map((x) => x.r);
  }
  const table = await renderTable(ctx, [
    { head: 'ACTOR' }, { head: 'REQUEST', right: true }, { head: 'MAX', right: true }, { head: 'WEIGHT', right: true },
    { head: 'IPA GRANT', right: true }, { head: 'DTPM', right: true }, { head: 'STARVED BY' },
  ], shown.map((r) => [
    r.name, watts(r.requestUw), watts(r.maxUw), String(r.weight),
    watts(r.ipa.grantedUw) + mark(r.shortfallUw.ipa), watts(r.dtpm.appliedUw) + mark(r.shortfallUw.dtpm),
    [r.shortfallUw.ipa > 0 ? 'IPA' : '', r.shortfallUw.dtpm > 0 ? 'DTPM' : ''].filter(Boolean).join(', ') || '–',
  ]), shown.map((r) => (r.shortfallUw.ipa > 0 || r.shortfallUw.dtpm > 0 ? 'warn' : null)));
  const starvedBy = (k: 'ipa' | 'dtpm') => rows.reduce((n, r) => n + (r.shortfallUw[k] > 0 ? 1 : 0), 0);
  const more = shown === rows ? '' :
    `the ${shown.length} most starved of ${rows.length} leaves (IPA starves ${starvedBy('ipa')}, DTPM ${starvedBy('dtpm')}); --all shows every leaf\n`;
  ctx.io.out(`budget ${watts(budgetUw)} over ${scope}: requests ${watts(totals.requestUw)}; IPA grants ${watts(totals.ipaUw)}, DTPM applies ${watts(totals.dtpmUw)}\n${table}\n${more}` +
    `IPA follows demand (${IPA_RULES}); DTPM splits by power_max whatever is asked (dtpm.c), leaves landing on an OPP at or below their share`);
}
