/**
 * Aligned columns without borders, for tables too big for cli-table3 (its layout
 * pass is quadratic in rows: 4096 zones took seconds). Same look as the
 * borderless cli-table3 tables: a header row, cells padded to the widest, multi-line
 * cells stacked, two spaces between columns. Widths ignore ANSI colour codes.
 */
const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleWidth = (s: string) => (s.includes('\x1b') ? s.replace(ANSI, '').length : s.length);

export interface ColumnCell {
  content: string;
  align?: 'left' | 'right';
}

/**
 * `keepPadding`: every cell, the last one too, padded to its column and followed by two
 * spaces, as cli-table3 draws it untrimmed; otherwise lines end at their last character.
 * `align`: each column's alignment for a cell given as a string (else left).
 */
export function renderColumns(head: string[], rows: Array<Array<string | ColumnCell>>, opts: { keepPadding?: boolean; align?: ReadonlyArray<'left' | 'right'> } = {}): string {
  const alignOf = (c: string | ColumnCell, i: number): 'left' | 'right' => (typeof c === 'string' ? opts.align?.[i] ?? 'left' : c.align ?? 'left');
  // a table of 1 000 rows is 10 000 cells: no object, array or split per cell unless it has several lines
  const widths = head.map((h) => visibleWidth(h));
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      const text = contentOf(r[i]!);
      const w = text.includes('\n') ? Math.max(...text.split('\n').map(visibleWidth)) : visibleWidth(text);
      widths[i] = Math.max(widths[i] ?? 0, w);
    }
  }
  const pad = (s: string, w: number, align: 'left' | 'right') => {
    const fill = ' '.repeat(Math.max(0, w - visibleWidth(s)));
    return align === 'right' ? fill + s : s + fill;
  };
  const line = (cells: string[]) => (opts.keepPadding ? cells.map((c) => c + '  ').join('') : cells.join('  ').trimEnd());
  const out: string[] = [line(head.map((h, i) => pad(h, widths[i]!, 'left')))];
  for (const r of rows) {
    if (r.length === 0) continue;
    if (!r.some((c) => contentOf(c).includes('\n'))) {
      let text = '';
      for (let i = 0; i < r.length; i++) {
        const cell = pad(contentOf(r[i]!), widths[i]!, alignOf(r[i]!, i));
        text += opts.keepPadding ? cell + '  ' : i === 0 ? cell : '  ' + cell;
      }
      out.push(opts.keepPadding ? text : text.trimEnd());
      continue;
    }
    const lines = r.map((c) => contentOf(c).split('\n'));
    const height = Math.max(...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      out.push(line(r.map((c, i) => pad(lines[i]![k] ?? '', widths[i]!, alignOf(c, i)))));
    }
  }
  return out.join('\n');
}

const contentOf = (c: string | ColumnCell): string => (typeof c === 'string' ? c : c.content);
