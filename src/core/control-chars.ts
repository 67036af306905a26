/**
 * Control characters shown as escapes: a source's text (a zone name, an attribute, a file name)
 * can hold anything, and an ESC sequence, a CR or a bidi override would act on whatever reads it
 * (a terminal, a Prometheus label, a CSV cell). visible() shows C0 and C1 controls, DEL, line
 * separators and bidirectional overrides as `\x1b`, `\x0d`, `\x7f`, `\u202e`. The CLI applies it where
 * a source's text enters a rendered line (cli/visible.ts); the exposition, to every label value.
 */

/** C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and isolates */
export const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
export const hex = (c: string) => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};

export interface VisibleOptions {
  /** keep newlines (a CSV field, which quotes them; a block of lines) */
  newlines?: boolean;
  /** keep tabs (aligned output that separates columns with them) */
  tabs?: boolean;
}

/** `text` with every control character shown as an escape (`\x1b`, `\x0a`, `\u202e`): one line of data. */
export function visible(text: string, opts: VisibleOptions = {}): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, (m) => ((m === '\n' && opts.newlines) || (m === '\t' && opts.tabs) ? m : hex(m)));
}

