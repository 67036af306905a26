import type { CommandContext } from '../../context.js';
import type { TreeArgs, TreeOptions } from './spec.js';
import { readPowercapTree, type PowercapTree, type Zone } from '../../../core/zones/powercap-tree.js';
import { effectiveZones } from '../../../core/limits/effective.js';
import { notFound } from '../../../core/errors.js';
import { readEnergyModel } from '../../../core/em/debugfs.js';
import { buildDtpmForest, DTPM_CONTROL_TYPE, type DtpmForest } from '../../../core/dtpm/fromTree.js';
import { leafSetPowerLimit, type DtpmNode } from '../../../core/kernel/dtpm.js';
import { controlTypeJson, mainLimitCell, NOT_LIMITED, powerLimitText, readingCell, sourceJson, treeDiagnostics, zoneIdText, zoneJson, zoneNameText } from '../../render/zones.js';
import { visible } from '../../visible.js';
import { formatFrequencyKhz, formatPower } from '../../../core/units.js';

export interface DtpmInfo {
  kind: DtpmNode['kind'];
  weight: number;
  powerMinUw: number;
  powerMaxUw: number;
  powerLimitUw: number;
  /** leaves: the frequency their stored limit caps them at */
  frequencyCapKhz: number | null;
}

export function dtpmInfo(forest: DtpmForest | null, z: Zone): DtpmInfo | null {
  const node = forest?.byZone.get(z.id);
  if (!node) return null;
  const cap = node.table && node.children.length === 0 ? leafSetPowerLimit(node.kind, node.table, node.powerLimitUw).frequencyKhz : null;
  return { kind: node.kind, weight: node.weight, powerMinUw: node.powerMinUw, powerMaxUw: node.powerMaxUw, powerLimitUw: node.powerLimitUw, frequencyCapKhz: cap };
}

export async function run(ctx: CommandContext, [top]: TreeArgs, opts: TreeOptions): Promise<void> {
  const src = ctx.source();
  // a big tree takes a second or more to read: say so on a terminal (the read is synchronous, so one frame)
  let spinner: { stop(): void } | null = null;
  if (ctx.io.interactive && ctx.io.stderrIsTTY && (src.powercap.list('')?.length ?? 0) > 256) {
    const { default: ora } = await import('ora');
    spinner = ora({ text: 'reading zones…', stream: process.stderr }).start();
  }
  let tree;
  try {
    tree = readPowercapTree(src.powercap);
  } finally {
    spinner?.stop();
  }
  const type = opts.type;
  if (type !== undefined && !tree.controlTypes.some((c) => c.name === type)) {
    throw notFound(`no control type '${type}'`, `control types here: ${tree.controlTypes.map((c) => c.name).join(', ') || 'none'}`);
  }
  // a zone, or a package's name meaning its MSR and MMIO copies (both subtrees)
  const rootZones = top !== undefined ? effectiveZones(tree, top).zones : null;
  const hasDtpm = tree.zones.some((z) => z.controlType === DTPM_CONTROL_TYPE);
  const forest = hasDtpm ? buildDtpmForest(tree, src.registry, (ctx.energyModel() ? readEnergyModel(ctx.energyModel()!) : [])) : null;

  const shown: Zone[] = [];
  const collect = (z: Zone) => { shown.push(z); z.children.forEach(collect); };
  const types = tree.controlTypes.filter((c) => (type === undefined || c.name === type) && (!rootZones || rootZones.some((z) => z.controlType === c.name)));
  const topsOf = (t: string) => (rootZones ? rootZones.filter((z) => z.controlType === t) : tree.zones.filter((z) => z.controlType === t && z.parent === null));
  for (const t of types) topsOf(t.name).forEach(collect);
  const diag = treeDiagnostics(tree, shown);
  for (const w of diag.warnings) ctx.io.warn(w);
  for (const h of diag.hints) ctx.io.note(h);

  if (ctx.globals.json) {
    const nest = (z: Zone): unknown => ({ ...zoneJson(z, tree), dtpm: dtpmInfo(forest, z), children: z.children.map(nest) });
    ctx.io.json({
      source: sourceJson(tree.source),
      controlTypes: types.map((t) => ({ ...controlTypeJson(t), zones: topsOf(t.name).map(nest) })),
    });
    return;
  }
  ctx.io.out(await renderTree(tree, types.map((t) => ({ name: t.name, enabled: t.enabled, tops: topsOf(t.name) })), forest, ctx));
}

/** One cell of a tree line after the label: its text and which side it is padded on. */
interface Cell { text: string; right?: boolean }

function renderTree(
  tree: PowercapTree,
  types: Array<{ name: string; enabled: boolean | null; tops: Zone[] }>,
  forest: DtpmForest | null,
  ctx: CommandContext,
): Promise<string> | string {
  return import('../../color.js').then(({ makeColors, palette }) => {
    const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
    const lines: Array<{ prefix: string; label: string; labelStyled: string; zone: Zone; info: DtpmInfo | null } | string> = [];
    // names and ids from the source are made visible before they are painted (render/zones.ts)
    for (const t of types) {
      lines.push(p.name(visible(t.name)) + (t.enabled === false ? p.dim('  (disabled)') : ''));
      const visit = (z: Zone, prefix: string, last: boolean) => {
        const branch = prefix + (last ? '└── ' : '├── ');
        const name = zoneNameText(z);
        const id = zoneIdText(z);
        const label = `${name ?? '(no name)'}  ${id}`;
        const info = dtpmInfo(forest, z);
        const virtual = info?.kind === 'virtual';
        lines.push({ prefix: branch, label, labelStyled: `${virtual ? p.virtual(name ?? '(no name)') : p.name(name ?? '(no name)')}  ${p.id(id)}`, zone: z, info });
        z.children.forEach((c, i) => visit(c, prefix + (last ? '    ' : '│   '), i === z.children.length - 1));
      };
      t.tops.forEach((z, i) => visit(z, '', i === t.tops.length - 1));
    }
    const rows = lines.filter((l): l is Exclude<typeof l, string> => typeof l !== 'string');
    const dtpm = dtpmFigures(rows.flatMap((r) => (r.info ? [{ zone: r.zone, info: r.info }] : [])));
    const cells = new Map(rows.map((r) => [r, r.info ? dtpm(r.zone, r.info) : [{ text: readingCell(r.zone), right: true }, { text: mainLimitCell(r.zone, tree) }]]));
    const labelWidth = Math.max(0, ...rows.map((r) => r.prefix.length + r.label.length));
    // a column is as wide as its widest cell that has a cell after it: a line's last cell is not padded
    const colWidths: number[] = [];
    for (const c of cells.values()) c.forEach((x, i) => { if (i < c.length - 1) colWidths[i] = Math.max(colWidths[i] ?? 0, x.text.length); });
    return lines
      .map((l) => {
        if (typeof l === 'string') return l;
        const pad = ' '.repeat(labelWidth - l.prefix.length - l.label.length);
        const row = cells.get(l)!;
        const cols = row.map((c, i) => (i === row.length - 1 ? c.text : c.right ? c.text.padStart(colWidths[i]!) : c.text.padEnd(colWidths[i]!))).join('  ');
        return `${p.dim(l.prefix)}${l.labelStyled}${pad}  ${cols}`.trimEnd();
      })
      .join('\n');
  });
}

/**
 * The cells of DTPM nodes: the reading, the limit, the range and the weight (and a leaf's
 * frequency cap), each number right-aligned within its words over all the nodes shown, so
 * that units and dashes line up: `limit 716.848 mW` over `limit     2.26 W`.
 */
function dtpmFigures(nodes: Array<{ zone: Zone; info: DtpmInfo }>): (z: Zone, info: DtpmInfo) => Cell[] {
  const limited = (z: Zone, info: DtpmInfo) => powerLimitText(z, info.powerLimitUw) !== NOT_LIMITED;
  const widest = (texts: string[]) => Math.max(0, ...texts.map((t) => t.length));
  const limitW = widest(nodes.filter((n) => limited(n.zone, n.info)).map((n) => formatPower(n.info.powerLimitUw)));
  const minW = widest(nodes.map((n) => formatPower(n.info.powerMinUw)));
  const weightW = widest(nodes.map((n) => String(n.info.weight)));
  return (z, info) => {
    const extra = [`weight ${String(info.weight).padStart(weightW)}`];
    if (info.frequencyCapKhz !== null) extra.push(`cap ${formatFrequencyKhz(info.frequencyCapKhz)}`);
    return [
      { text: readingCell(z), right: true },
      { text: limited(z, info) ? `limit ${formatPower(info.powerLimitUw).padStart(limitW)}` : NOT_LIMITED },
      { text: `range ${formatPower(info.powerMinUw).padStart(minW)}–${formatPower(info.powerMaxUw)}` },
      { text: extra.join('  ') },
    ];
  };
}
