/**
 * Text from a source (a zone or constraint name, an attribute's text, a file name, a device-tree
 * name, a profile's string) is data, and a snapshot or a sysfs tree can hold anything: an ESC
 * sequence in a zone name would retitle or clear the terminal, colour or hide text. Such text is
 * made visible once, where it enters a rendered cell or line and before any colour is added:
 * visible() shows C0 and C1 controls, DEL, line separators and bidirectional overrides as `\x1b`,
 * `\x0d`, `\x7f`, `\u202e`. A painted line then holds no escape sequence but powercapctl's own.
 *
 * The output choke points (cli/io.ts: Io.out/warn/note/debug/log, the error reporter; the watch
 * table's frames) pass what they print through terminalSafe() as well, as a net for text a
 * command did not make visible: on stderr and on an uncoloured stdout every escape sequence is
 * shown; on a coloured stdout the palette's own codes (cli/color.ts) pass, nothing else.
 */
import { hex, visible } from '../core/control-chars.js';

export { visible, type VisibleOptions } from '../core/control-chars.js';

/** core/control-chars.ts CONTROL but the newline, which terminalSafe keeps; and the tab, kept when asked */
const SHOWN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const SHOWN_BUT_TAB = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** the same, or an SGR sequence (kept when it is one of the palette's) */
const CONTROL_OR_SGR = /\x1b\[([0-9;]*)m|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/**
 * The SGR codes cli/color.ts's palette emits through chalk (bold, dim, underline, red, green,
 * yellow, magenta, cyan and their resets): nothing that can hide text, no background, no black.
 */
const PALETTE_SGR = new Set(['1', '2', '4', '22', '24', '31', '32', '33', '35', '36', '39']);

/**
 * What an output choke point prints: `text` with newlines (and tabs when asked) kept, every other
 * control shown, and the palette's colour codes kept only when `colour` (the stream is coloured).
 */
export function terminalSafe(text: string, opts: { tabs?: boolean; colour?: boolean } = {}): string {
  // nothing but the newlines (and tabs) it keeps: the text as it is, without a call per line
  if (!(opts.tabs ? SHOWN_BUT_TAB : SHOWN).test(text)) return text;
  return text.replace(CONTROL_OR_SGR, (m: string, sgr: string | undefined) => {
    if (sgr !== undefined) return opts.colour && sgr.split(';').every((p) => PALETTE_SGR.has(p)) ? m : hex('\x1b') + m.slice(1);
    return m === '\n' || (m === '\t' && opts.tabs) ? m : hex(m);
  });
}

/** JSON text with DEL, C1 controls and bidi overrides as \u escapes (JSON.stringify escapes only C0): the same document. */
export function jsonVisible(json: string): string {
  JSON_RAW.lastIndex = 0;
  if (!JSON_RAW.test(json)) return json;
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
// outside a JSON string these characters cannot occur, so escaping them anywhere keeps the value
const JSON_RAW = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A CSV field (RFC 4180): controls shown but newlines, and quoted when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  const s = visible(text, { newlines: true });
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A TSV field: tabs, CR and LF (which would split the field or the row) shown as escapes, like every control. */
export const tsvField = (text: string): string => visible(text);
