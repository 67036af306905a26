/**
 * Energy curves for people: power against frequency and cost against performance,
 * inefficient states marked. A terminal chart (plain characters; the CLI colours the
 * markers) and a standalone SVG that opens in a browser. No terminal or colour code here.
 */
import type { PerfState } from '../kernel/energy-model.js';
import { formatFrequencyShort, formatPowerShort, shortDigits } from '../units.js';

export interface PlotSeries {
  title: string;
  states: PerfState[];
  /** CPU domains have performance and cost; devices only power */
  cpu: boolean;
  /** false: the table holds no performance (a dump from a kernel before 6.9): cost is drawn against frequency */
  performance?: boolean;
}

interface Pt { x: number; y: number; bad: boolean; label: string }

const fmtW = formatPowerShort;
const fmtF = formatFrequencyShort;

function powerPoints(s: PerfState[]): Pt[] {
  return s.map((x) => ({ x: x.frequencyKhz, y: x.powerUw, bad: x.inefficient, label: `${fmtF(x.frequencyKhz)}: ${fmtW(x.powerUw)}` }));
}
function costPoints(series: PlotSeries): Pt[] {
  if (series.performance === false) return series.states.map((x) => ({ x: x.frequencyKhz, y: x.cost, bad: x.inefficient, label: `${fmtF(x.frequencyKhz)}: cost ${x.cost}` }));
  return series.states.map((x) => ({ x: x.performance, y: x.cost, bad: x.inefficient, label: `${fmtF(x.frequencyKhz)}: performance ${x.performance}, cost ${x.cost}` }));
}
/** what the cost is drawn against */
const costAxis = (series: PlotSeries) => (series.performance === false ? 'frequency' : 'performance');

/** Round step for about `n` ticks over [0, max]. */
function niceStep(max: number, n: number): number {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

// ------------------------------------------------------------------ terminal

export const MARK_EFFICIENT = '●';
export const MARK_INEFFICIENT = '×';

function textChart(title: string, pts: Pt[], fmtX: (v: number) => string, fmtY: (v: number) => string, width: number, height: number): string[] {
  const xmin = 0;
  const xmax = Math.max(...pts.map((p) => p.x), 1);
  const ymax = Math.max(...pts.map((p) => p.y), 1);
  const grid: string[][] = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  const col = (x: number) => Math.min(width - 1, Math.round(((x - xmin) / (xmax - xmin)) * (width - 1)));
  const row = (y: number) => Math.min(height - 1, height - 1 - Math.round((y / ymax) * (height - 1)));
  // the curve between states, then the states on top
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const steps = Math.max(Math.abs(col(b.x) - col(a.x)), Math.abs(row(b.y) - row(a.y)));
    for (let k = 1; k < steps; k++) {
      const x = a.x + ((b.x - a.x) * k) / steps;
      const y = a.y + ((b.y - a.y) * k) / steps;
      grid[row(y)]![col(x)] = '·';
    }
  }
  for (const p of pts) grid[row(p.y)]![col(p.x)] = p.bad ? MARK_INEFFICIENT : MARK_EFFICIENT;
  const yLabels = new Map<number, string>([[0, fmtY(ymax)], [Math.floor((height - 1) / 2), fmtY(ymax / 2)], [height - 1, '0']]);
  const lw = Math.max(...[...yLabels.values()].map((s) => s.length));
  const lines = [`${' '.repeat(lw + 1)}${title}`];
  for (let r = 0; r < height; r++) {
    const lab = yLabels.get(r) ?? '';
    lines.push(`${lab.padStart(lw)} ${yLabels.has(r) ? '┤' : '│'}${grid[r]!.join('').replace(/\s+$/, '')}`);
  }
  lines.push(`${' '.repeat(lw)} └${'─'.repeat(width)}`);
  const left = '0';
  const right = fmtX(xmax);
  const mid = fmtX(xmax / 2);
  const axis = new Array<string>(width + 2).fill(' ');
  const put = (at: number, s: string) => { for (let k = 0; k < s.length && at + k < axis.length; k++) if (at + k >= 0) axis[at + k] = s[k]!; };
  put(1, left);
  put(Math.floor(width / 2) - Math.floor(mid.length / 2) + 1, mid);
  put(width + 1 - right.length, right);
  lines.push(`${' '.repeat(lw)}${axis.join('').replace(/\s+$/, '')}`);
  return lines;
}

/** Both charts, one under the other. */
export function terminalPlot(series: PlotSeries, opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 60;
  const height = opts.height ?? 12;
  const out: string[] = [];
  out.push(...textChart(`${series.title}: power against frequency`, powerPoints(series.states), fmtF, fmtW, width, height));
  if (series.cpu) {
    out.push('');
    out.push(...textChart(`${series.title}: cost against ${costAxis(series)}`, costPoints(series), series.performance === false ? fmtF : shortDigits, shortDigits, width, height));
  }
  out.push('');
  out.push(`${MARK_EFFICIENT} state   ${MARK_INEFFICIENT} inefficient state (a faster state does the same work for less energy)`);
  return out.join('\n');
}

// ------------------------------------------------------------------ SVG

/** XML text and attribute escaping (shared with sim/plot.ts) */
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const FONT = { head: 17, title: 15, tick: 11, label: 12, legend: 12 };
/**
 * A text's width in px, from above: DejaVu Sans (the first font asked for, and the
 * widest of the list) runs about 0.63 em a character in digits and capitals, bold
 * about 0.7 em. The canvas is sized with this so no label is clipped; the tests
 * measure the real boxes in a browser.
 */
export function textWidth(s: string, size: number, bold = false): number {
  return [...s].length * size * (bold ? 0.72 : 0.64);
}

export interface Axis { max: number; step: number; labels: Array<{ v: number; text: string }> }

export function axis(maxRaw: number, fmt: (v: number) => string): Axis {
  const step = niceStep(maxRaw, 5);
  const max = Math.ceil(maxRaw / step) * step;
  const labels: Axis['labels'] = [];
  for (let v = 0; v <= max + step / 1e6; v += step) labels.push({ v, text: v === 0 ? '0' : fmt(v) });
  return { max, step, labels };
}

interface Panel { title: string; xTitle: string; yTitle: string; pts: Pt[]; x: Axis; y: Axis; color: string }

/** the plot area's size; the margins around it come from the labels */
const PLOT_W = 420;
const PLOT_H = 290;

function margins(p: Panel): { l: number; r: number; t: number; b: number } {
  const yTicks = Math.max(...p.y.labels.map((l) => textWidth(l.text, FONT.tick)));
  const lastX = textWidth(p.x.labels[p.x.labels.length - 1]!.text, FONT.tick);
  return {
    // the rotated axis title, a gap, the tick labels, the tick gap
    l: 8 + FONT.label + 10 + yTicks + 8,
    // the last x tick is centred on the axis end: half of it sticks out
    r: Math.max(18, lastX / 2 + 10),
    t: 34,
    b: 52,
  };
}

/** the panel's width: at least its plot area with margins, and its title */
function panelWidth(p: Panel): number {
  const m = margins(p);
  return Math.ceil(Math.max(m.l + PLOT_W + m.r, textWidth(p.title, FONT.title, true) + 20, textWidth(p.xTitle, FONT.label) + m.l + 20));
}

/** Where a chart's axes go: value → pixel, both axes, their titles; `left` is the chart's left edge. */
export interface AxesFrame {
  X: (v: number) => number;
  Y: (v: number) => number;
  x: Axis;
  y: Axis;
  xTitle: string;
  yTitle: string;
  left: number;
  plotW: number;
  plotH: number;
}

/** The grid, the ticks and their labels, both axes and their titles (the y title rotated along the left edge). */
export function svgAxes(a: AxesFrame): string[] {
  const { X, Y } = a;
  const parts: string[] = [];
  for (const { v, text } of a.y.labels) {
    parts.push(`<line x1="${X(0)}" y1="${Y(v).toFixed(1)}" x2="${X(a.x.max)}" y2="${Y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${X(0) - 8}" y="${(Y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${esc(text)}</text>`);
  }
  for (const { v, text } of a.x.labels) {
    parts.push(`<line x1="${X(v).toFixed(1)}" y1="${Y(0)}" x2="${X(v).toFixed(1)}" y2="${Y(0) + 5}" class="axis"/>`);
    parts.push(`<text x="${X(v).toFixed(1)}" y="${Y(0) + 20}" class="tick" text-anchor="middle">${esc(text)}</text>`);
  }
  parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(a.x.max)}" y2="${Y(0)}" class="axis"/>`);
  parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(0)}" y2="${Y(a.y.max)}" class="axis"/>`);
  parts.push(`<text x="${X(0) + a.plotW / 2}" y="${Y(0) + 42}" class="label" text-anchor="middle">${esc(a.xTitle)}</text>`);
  parts.push(`<text transform="translate(${a.left + 8 + FONT.label - 2},${Y(0) - a.plotH / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(a.yTitle)}</text>`);
  return parts;
}

/** A standalone SVG document: the fonts and colours of every plot, a white canvas, the head centred at the top. */
export function svgDocument(W: number, H: number, head: string, content: readonly string[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<style>.title{font-size:${FONT.title}px;font-weight:bold;fill:#222}.tick{font-size:${FONT.tick}px;fill:#555}.label{font-size:${FONT.label}px;fill:#333}` +
      `.grid{stroke:#e4e4e4;stroke-width:1}.axis{stroke:#444;stroke-width:1}.head{font-size:${FONT.head}px;font-weight:bold;fill:#111}.legend{font-size:${FONT.legend}px;fill:#333}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" class="head" text-anchor="middle">${esc(head)}</text>`,
    ...content,
    `</svg>`,
    '',
  ].join('\n');
}

function svgPanel(x0: number, y0: number, w: number, p: Panel): string {
  const m = margins(p);
  const pw = w - m.l - m.r;
  const ph = PLOT_H;
  const X = (v: number) => x0 + m.l + (v / p.x.max) * pw;
  const Y = (v: number) => y0 + m.t + ph - (v / p.y.max) * ph;
  const parts: string[] = [];
  parts.push(`<g class="panel">`);
  parts.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + 20}" class="title" text-anchor="middle">${esc(p.title)}</text>`);
  parts.push(...svgAxes({ X, Y, x: p.x, y: p.y, xTitle: p.xTitle, yTitle: p.yTitle, left: x0, plotW: pw, plotH: ph }));
  parts.push(`<polyline fill="none" stroke="${p.color}" stroke-width="2" points="${p.pts.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
  for (const q of p.pts) {
    const cx = X(q.x).toFixed(1);
    const cy = Y(q.y).toFixed(1);
    if (q.bad) {
      parts.push(`<g class="inefficient"><title>${esc(q.label)} (inefficient)</title><circle cx="${cx}" cy="${cy}" r="6" fill="#fff" stroke="#d62728" stroke-width="2"/>` +
        `<path d="M${Number(cx) - 3.5},${Number(cy) - 3.5}l7,7m0,-7l-7,7" stroke="#d62728" stroke-width="2"/></g>`);
    } else {
      parts.push(`<circle cx="${cx}" cy="${cy}" r="4.5" fill="${p.color}"><title>${esc(q.label)}</title></circle>`);
    }
  }
  parts.push(`</g>`);
  return parts.join('\n');
}

/**
 * A standalone SVG document: one panel for devices (their power is the device's), two
 * (power per CPU, cost) for CPU domains. The canvas is as large as its labels need; the
 * legend names inefficient states only when the table has some.
 */
export function svgPlot(series: PlotSeries): string {
  const power = powerPoints(series.states);
  const panels: Panel[] = [{
    title: 'Power against frequency', xTitle: 'frequency', yTitle: series.cpu ? 'power per CPU' : 'power of the device',
    pts: power, x: axis(Math.max(...power.map((q) => q.x), 1), fmtF), y: axis(Math.max(...power.map((q) => q.y), 1), fmtW), color: '#1f77b4',
  }];
  if (series.cpu) {
    const cost = costPoints(series);
    const byFrequency = series.performance === false;
    panels.push({
      title: `Cost against ${costAxis(series)}`, xTitle: byFrequency ? 'frequency' : 'performance (capacity units)', yTitle: byFrequency ? 'cost (as the kernel wrote it)' : 'cost (power × 10 / performance)',
      pts: cost, x: axis(Math.max(...cost.map((q) => q.x), 1), byFrequency ? fmtF : shortDigits), y: axis(Math.max(...cost.map((q) => q.y), 1), shortDigits), color: '#2ca02c',
    });
  }
  const nBad = series.states.filter((s) => s.inefficient).length;
  const head = `${series.title}${series.cpu ? '' : ' (device)'}: energy model, ${series.states.length} state${series.states.length === 1 ? '' : 's'}`;
  const legendGood = 'performance state';
  const legendBad = `inefficient (${nBad}): a faster state does the same work for less energy`;
  const badX = 34 + textWidth(legendGood, FONT.legend) + 24;
  const legendW = nBad > 0 ? badX + 12 + textWidth(legendBad, FONT.legend) + 16 : 34 + textWidth(legendGood, FONT.legend) + 16;

  const widths = panels.map(panelWidth);
  const W = Math.ceil(Math.max(widths.reduce((a, b) => a + b, 0), legendW, textWidth(head, FONT.head, true) + 24));
  // panels share out what the legend or the head add
  const extra = (W - widths.reduce((a, b) => a + b, 0)) / panels.length;
  const panelH = 34 + PLOT_H + 52;
  const H = 30 + panelH + 40;
  const body: string[] = [];
  let x = 0;
  panels.forEach((p, i) => {
    const w = widths[i]! + extra;
    body.push(svgPanel(x, 30, w, p));
    x += w;
  });
  const legendY = H - 16;
  const legend = [`<circle cx="24" cy="${legendY - 4}" r="4.5" fill="${panels[0]!.color}"/><text x="34" y="${legendY}" class="legend">${legendGood}</text>`];
  if (nBad > 0) {
    const cx = badX;
    legend.push(`<circle cx="${cx}" cy="${legendY - 4}" r="6" fill="#fff" stroke="#d62728" stroke-width="2"/><path d="M${cx - 3.5},${legendY - 7.5}l7,7m0,-7l-7,7" stroke="#d62728" stroke-width="2"/>` +
      `<text x="${cx + 12}" y="${legendY}" class="legend">${esc(legendBad)}</text>`);
  }
  return svgDocument(W, H, head, [...body, `<g class="legend">${legend.join('')}</g>`]);
}
