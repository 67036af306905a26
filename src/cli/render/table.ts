/**
 * The borderless cli-table3 table every command prints (list, set-limit, model): no
 * border characters, bold headings from the caller, two spaces between columns.
 * Imported lazily by renderers, so cli-table3 loads only when a table is drawn.
 */
import Table from 'cli-table3';

export type TableCell = string | { content: string; hAlign: 'left' | 'right' };

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};

/** `trimEnd`: drop the padding cli-table3 leaves after the last column. */
export function borderlessTable(head: string[], rows: TableCell[][], opts: { trimEnd?: boolean } = {}): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 }, chars: NO_BORDER });
  for (const r of rows) table.push(r);
  const out = table.toString();
  return opts.trimEnd ? out.split('\n').map((l) => l.trimEnd()).join('\n') : out;
}
