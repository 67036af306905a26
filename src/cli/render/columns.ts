/**
 * Aligned columns without borders, for tables too big for cli-table3 (its layout
 * pass is quadratic in rows: 4096 zones took seconds). Same look as the
 * borderless cli-table3 tables: a header row, cells padded to the widest, multi-line
 * cells stacked, two spaces between columns. Widths ignore ANSI colour codes.
 */
const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleWidth = (s: string) => s.replace(ANSI, '').length;

export interface ColumnCell {
  content: string;
  align?: 'left' | 'right';
}

/**
 * `keepPadding`: every cell, the last one too, padded to its column and followed by two
 * spaces, as cli-table3 draws it untrimmed; otherwise lines end at their last character.
 */
export function renderColumns(head: string[], rows: Array<Array<string | ColumnCell>>, opts: { keepPadding?: boolean } = {}): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'string' ? { content: c, align: 'left' as const } : { align: 'left' as const, ...c })));
  const widths = head.map((h) => visibleWidth(h));
  for (const r of cells) r.forEach((c, i) => {
    for (const line of c.content.split('\n')) widths[i] = Math.max(widths[i] ?? 0, visibleWidth(line));
  });
  const pad = (s: string, w: number, align: 'left' | 'right') => {
    const fill = ' '.repeat(Math.max(0, w - visibleWidth(s)));
    return align === 'right' ? fill + s : s + fill;
  };
  const line = (cells: string[]) => (opts.keepPadding ? cells.map((c) => c + '  ').join('') : cells.join('  ').trimEnd());
  const out: string[] = [line(head.map((h, i) => pad(h, widths[i]!, 'left')))];
  for (const r of cells) {
    const lines = r.map((c) => c.content.split('\n'));
    const height = Math.max(...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      out.push(line(r.map((c, i) => pad(lines[i]![k] ?? '', widths[i]!, c.align))));
    }
  }
  return out.join('\n');
}
