/**
 * Text from a source (a zone or constraint name, an invalid value, a file name) is data, and a
 * snapshot or a sysfs tree can hold anything: an ESC sequence in a zone name would retitle or
 * clear the terminal, or hide text. Every output choke point (Io.out/warn/note/debug, the error
 * reporter, the CSV/TSV cells) passes its text through visible(): control characters, C1
 * controls and bidirectional overrides are shown as `\x1b`, `\x07`, `\u202e`. Kept: newlines
 * (and tabs where the caller separates columns with them) and the palette's own colour codes
 * (SGR bold, dim, underline, red, green, yellow, magenta, cyan and their resets: nothing that
 * can hide text, no background, no black).
 */
const SGR_KEPT = new Set(['0', '1', '2', '4', '22', '24', '31', '32', '33', '35', '36', '39']);
// an SGR sequence, a C0/C1 control or DEL, a line/paragraph separator, a bidi override or isolate
const UNSAFE = /\x1b\[([0-9;]*)m|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};

/** `text` with every unsafe character escaped; `tabs`: keep tab characters (TSV, aligned output). */
export function visible(text: string, opts: { tabs?: boolean } = {}): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (m: string, sgr: string | undefined) => {
    if (sgr !== undefined) return sgr.split(';').every((p) => SGR_KEPT.has(p === '' ? '0' : p)) ? m : hex('\x1b') + m.slice(1);
    if (m === '\n' || (m === '\t' && opts.tabs)) return m;
    return hex(m);
  });
}
