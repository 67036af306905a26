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
}

interface Pt { x: number; y: number; bad: boolean; label: string }

const fmtW = formatPowerShort;
const fmtF = formatFrequencyShort;

function powerPoints(s: PerfState[]): Pt[] {
  return s.map((x) => ({ x: x.frequencyKhz, y: x.powerUw, bad: x.inefficient, label: `${fmtF(x.frequencyKhz)}: ${fmtW(x.powerUw)}` }));
}
function costPoints(s: PerfState[]): Pt[] {
  return s.map((x) => ({ x: x.performance, y: x.cost, bad: x.inefficient, label: `${fmtF(x.frequencyKhz)}: performance ${x.performance}, cost ${x.cost}` }));
}

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
    out.push(...textChart(`${series.title}: cost against performance`, costPoints(series.states), shortDigits, shortDigits, width, height));
  }
  out.push('');
  out.push(`${MARK_EFFICIENT} state   ${MARK_INEFFICIENT} inefficient state (a faster state does the same work for less energy)`);
  return out.join('\n');
}

// ------------------------------------------------------------------ SVG

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function svgPanel(x0: number, y0: number, w: number, h: number, title: string, xTitle: string, yTitle: string, pts: Pt[],
  fmtX: (v: number) => string, fmtY: (v: number) => string, color: string): string {
  const m = { l: 78, r: 18, t: 34, b: 52 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const xmaxRaw = Math.max(...pts.map((p) => p.x), 1);
  const ymaxRaw = Math.max(...pts.map((p) => p.y), 1);
  const xs = niceStep(xmaxRaw, 5);
  const ys = niceStep(ymaxRaw, 5);
  const xmax = Math.ceil(xmaxRaw / xs) * xs;
  const ymax = Math.ceil(ymaxRaw / ys) * ys;
  const X = (v: number) => x0 + m.l + (v / xmax) * pw;
  const Y = (v: number) => y0 + m.t + ph - (v / ymax) * ph;
  const parts: string[] = [];
  parts.push(`<g class="panel">`);
  parts.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + 20}" class="title" text-anchor="middle">${esc(title)}</text>`);
  for (let v = 0; v <= ymax + ys / 1e6; v += ys) {
    parts.push(`<line x1="${X(0)}" y1="${Y(v).toFixed(1)}" x2="${X(xmax)}" y2="${Y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${X(0) - 8}" y="${(Y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${esc(v === 0 ? '0' : fmtY(v))}</text>`);
  }
  for (let v = 0; v <= xmax + xs / 1e6; v += xs) {
    parts.push(`<line x1="${X(v).toFixed(1)}" y1="${Y(0)}" x2="${X(v).toFixed(1)}" y2="${Y(0) + 5}" class="axis"/>`);
    parts.push(`<text x="${X(v).toFixed(1)}" y="${Y(0) + 20}" class="tick" text-anchor="middle">${esc(v === 0 ? '0' : fmtX(v))}</text>`);
  }
  parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(xmax)}" y2="${Y(0)}" class="axis"/>`);
  parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(0)}" y2="${Y(ymax)}" class="axis"/>`);
  parts.push(`<text x="${X(0) + pw / 2}" y="${y0 + h - 10}" class="label" text-anchor="middle">${esc(xTitle)}</text>`);
  parts.push(`<text transform="translate(${x0 + 16},${Y(0) - ph / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(yTitle)}</text>`);
  parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}"/>`);
  for (const p of pts) {
    const cx = X(p.x).toFixed(1);
    const cy = Y(p.y).toFixed(1);
    if (p.bad) {
      parts.push(`<g class="inefficient"><title>${esc(p.label)} (inefficient)</title><circle cx="${cx}" cy="${cy}" r="6" fill="#fff" stroke="#d62728" stroke-width="2"/>` +
        `<path d="M${Number(cx) - 3.5},${Number(cy) - 3.5}l7,7m0,-7l-7,7" stroke="#d62728" stroke-width="2"/></g>`);
    } else {
      parts.push(`<circle cx="${cx}" cy="${cy}" r="4.5" fill="${color}"><title>${esc(p.label)}</title></circle>`);
    }
  }
  parts.push(`</g>`);
  return parts.join('\n');
}

/** A standalone SVG document: one panel for devices, two (power, cost) for CPU domains. */
export function svgPlot(series: PlotSeries): string {
  const panelW = 520;
  const panelH = 380;
  const panels = series.cpu ? 2 : 1;
  const W = panelW * panels;
  const H = panelH + 70;
  const body: string[] = [];
  body.push(svgPanel(0, 30, panelW, panelH, 'Power against frequency', 'frequency', 'power per CPU', powerPoints(series.states), fmtF, fmtW, '#1f77b4'));
  if (series.cpu) {
    body.push(svgPanel(panelW, 30, panelW, panelH, 'Cost against performance', 'performance (capacity units)', 'cost (power × 10 / performance)', costPoints(series.states), shortDigits, shortDigits, '#2ca02c'));
  }
  const nBad = series.states.filter((s) => s.inefficient).length;
  const legendY = H - 18;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<style>.title{font-size:15px;font-weight:bold;fill:#222}.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#333}` +
      `.grid{stroke:#e4e4e4;stroke-width:1}.axis{stroke:#444;stroke-width:1}.head{font-size:17px;font-weight:bold;fill:#111}.legend{font-size:12px;fill:#333}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" class="head" text-anchor="middle">${esc(series.title)}: energy model, ${series.states.length} states</text>`,
    ...body,
    `<g class="legend"><circle cx="24" cy="${legendY - 4}" r="4.5" fill="#1f77b4"/><text x="34" y="${legendY}" class="legend">performance state</text>` +
      `<circle cx="174" cy="${legendY - 4}" r="6" fill="#fff" stroke="#d62728" stroke-width="2"/><path d="M170.5,${legendY - 7.5}l7,7m0,-7l-7,7" stroke="#d62728" stroke-width="2"/>` +
      `<text x="186" y="${legendY}" class="legend">inefficient (${nBad}): a faster state does the same work for less energy</text></g>`,
    `</svg>`,
    '',
  ].join('\n');
}
