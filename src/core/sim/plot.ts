/**
 * A run over time as a standalone SVG (the sim command draws it): the power each zone draws with the total
 * and the budget, the limits with their sum, and the temperature with its target when the
 * scenario has a thermal model. Drawn from the trace alone; the axes, fonts and text widths
 * are those of the energy-model plots (em/plot.ts), so both kinds of plot look alike.
 */
import { axis, esc, FONT, svgAxes, svgDocument, textWidth, type Axis } from '../em/plot.js';
import { formatPowerShort, shortDigits } from '../units.js';
import type { SimTrace } from './figures.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
const TOTAL = '#222';
const BUDGET = '#d62728';

interface Line { label: string; color: string; values: number[]; dash?: boolean; width?: number }
interface Chart { title: string; yTitle: string; lines: Line[]; y: Axis }

/** The largest value (a loop: a long run has more values than a call takes arguments). */
const maxOf = (v: readonly number[]): number => v.reduce((m, x) => (x > m ? x : m), -Infinity);

/** At most `n` points of a series: the largest value of each bucket, so short peaks stay visible. */
function decimate(t: number[], v: number[], n: number): Array<[number, number]> {
  if (t.length <= n) return t.map((x, i) => [x, v[i]!]);
  const out: Array<[number, number]> = [];
  const per = Math.ceil(t.length / n);
  for (let i = 0; i < t.length; i += per) {
    let m = v[i]!;
    for (let j = i + 1; j < Math.min(t.length, i + per); j++) if (v[j]! > m) m = v[j]!;
    out.push([t[i]!, m]);
  }
  return out;
}

const PLOT_W = 760;
const PLOT_H = 200;
const MAX_POINTS = 1200;

export interface SimPlotInput {
  title: string;
  trace: SimTrace;
  /** zone labels, in the trace's order (default: the ids) */
  labels?: string[];
}

export function simSvgPlot(input: SimPlotInput): string {
  const tr = input.trace;
  const labels = input.labels ?? tr.zones;
  const n = tr.tUs.length;
  const tS = tr.tUs.map((t, k) => (t + tr.dtUs[k]!) / 1e6);
  const sum = (cols: number[][]) => tr.tUs.map((_, k) => cols.reduce((s, c) => s + c[k]!, 0));
  const zoneLines = (cols: number[][]): Line[] => cols.map((c, i) => ({ label: labels[i]!, color: COLORS[i % COLORS.length]!, values: c }));
  const powerMax = Math.max(1, maxOf(tr.budgetUw), maxOf(sum(tr.powerUw)));
  const limitMax = Math.max(1, maxOf(tr.budgetUw), maxOf(sum(tr.limitUw)));
  const charts: Chart[] = [
    {
      title: 'Power drawn', yTitle: 'power',
      lines: [...zoneLines(tr.powerUw), { label: 'total', color: TOTAL, values: sum(tr.powerUw), width: 2.5 }, { label: 'budget', color: BUDGET, values: tr.budgetUw, dash: true }],
      y: axis(powerMax * 1.05, formatPowerShort),
    },
    {
      title: 'Limits', yTitle: 'power limit',
      lines: [...zoneLines(tr.limitUw), { label: 'sum of limits', color: TOTAL, values: sum(tr.limitUw), width: 2.5 }, { label: 'budget', color: BUDGET, values: tr.budgetUw, dash: true }],
      y: axis(limitMax * 1.05, formatPowerShort),
    },
  ];
  if (tr.temperatureMc) {
    const lines: Line[] = [{ label: 'temperature', color: '#e6550d', values: tr.temperatureMc, width: 2.5 }];
    if (tr.targetMc) lines.push({ label: 'target', color: BUDGET, values: tr.targetMc, dash: true });
    const tMax = Math.max(maxOf(tr.temperatureMc), maxOf(tr.targetMc ?? []));
    charts.push({ title: 'Temperature', yTitle: 'temperature', lines: lines.map((l) => ({ ...l, values: l.values.map((v) => v / 1000) })), y: axis(tMax / 1000 * 1.1, (v) => `${shortDigits(v)} °C`) });
  }
  const end = n > 0 ? tS[n - 1]! : 1;
  const x = axis(end, (v) => `${shortDigits(v)} s`);

  const yTickW = Math.max(...charts.flatMap((c) => c.y.labels.map((l) => textWidth(l.text, FONT.tick))));
  const left = 8 + FONT.label + 10 + yTickW + 8;
  const lastX = textWidth(x.labels[x.labels.length - 1]!.text, FONT.tick);
  const legendW = Math.max(...charts.map((c) => legendWidth(c.lines)));
  const right = Math.max(18, lastX / 2 + 10);
  const W = Math.ceil(Math.max(left + PLOT_W + right, legendW + 24, textWidth(input.title, FONT.head, true) + 24));
  const pw = W - left - right;
  const chartH = 34 + PLOT_H + 80;
  const H = 40 + charts.length * chartH + 10;

  const body: string[] = [];
  charts.forEach((c, ci) => {
    const y0 = 40 + ci * chartH;
    const X = (v: number) => left + (v / x.max) * pw;
    const Y = (v: number) => y0 + 34 + PLOT_H - (Math.min(v, c.y.max) / c.y.max) * PLOT_H;
    body.push(`<g class="chart">`);
    body.push(`<text x="${left + pw / 2}" y="${y0 + 20}" class="title" text-anchor="middle">${esc(c.title)}</text>`);
    body.push(...svgAxes({ X, Y, x, y: c.y, xTitle: 'time', yTitle: c.yTitle, left: 0, plotW: pw, plotH: PLOT_H }));
    for (const l of c.lines) {
      const pts = decimate(tS, l.values, MAX_POINTS).map(([t, v]) => `${X(t).toFixed(1)},${Y(v).toFixed(1)}`).join(' ');
      body.push(`<polyline fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.5}"${l.dash ? ' stroke-dasharray="6,4"' : ''} points="${pts}"><title>${esc(l.label)}</title></polyline>`);
    }
    body.push(legend(c.lines, 12, Y(0) + 66));
    body.push(`</g>`);
  });
  return svgDocument(W, H, input.title, body);
}

const SWATCH = 22;
const GAP = 18;

function legendWidth(lines: Line[]): number {
  return lines.reduce((s, l) => s + SWATCH + 6 + textWidth(l.label, FONT.legend) + GAP, 0);
}

function legend(lines: Line[], x0: number, y: number): string {
  let x = x0;
  const parts: string[] = [];
  for (const l of lines) {
    parts.push(`<line x1="${x}" y1="${y - 4}" x2="${x + SWATCH}" y2="${y - 4}" stroke="${l.color}" stroke-width="${l.width ?? 2}"${l.dash ? ' stroke-dasharray="6,4"' : ''}/>`);
    parts.push(`<text x="${x + SWATCH + 6}" y="${y}" class="legend">${esc(l.label)}</text>`);
    x += SWATCH + 6 + textWidth(l.label, FONT.legend) + GAP;
  }
  return `<g class="legend">${parts.join('')}</g>`;
}
