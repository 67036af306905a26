/**
 * YAML (and JSON, which is YAML) documents a user writes, read with line numbers: profiles and
 * simulation scenarios. The `yaml` package is loaded only when such a file is read. Every
 * mistake is one line, `FILE:LINE: KEY: what is wrong`.
 */
import { PowercapError, Exit } from './errors.js';

export type YamlModule = typeof import('yaml');
export interface YNode { range?: [number, number, number] | null }

/** `profile.yaml:4: limits[0].power: …`: the one line that names file, line and key. */
export function fileLineError(code: PowercapError['exitCode'], file: string, line: number | null, key: string | null, msg: string, hint?: string): PowercapError {
  const where = `${file}${line ? `:${line}` : ''}: ${key ? `${key}: ` : ''}`;
  return new PowercapError(code, `${where}${msg}`, hint);
}

export interface LinedDocument {
  Y: YamlModule;
  doc: import('yaml').Document.Parsed;
  /** the 1-based line a node starts on */
  lineOf(node: unknown): number | null;
}

/** A syntax error in the words of the file's language: a .json file is JSON to its author, though one parser reads both. */
function syntaxError(text: string, file: string, yamlMessage: string): string {
  const yaml = yamlMessage.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (!/\.json$/i.test(file)) return `YAML syntax error: ${yaml}`;
  try {
    JSON.parse(text);
  } catch (err) {
    // V8's words, less the position (the line is said before) and the quoted excerpt
    const why = (err as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, '');
    return `JSON syntax error: ${why}`;
  }
  return `JSON syntax error: ${yaml}`;
}

/** Parse a document (duplicate keys refused); a syntax error is exit 6 at its line, called JSON in a .json file. */
export async function parseLinedYaml(text: string, file: string): Promise<LinedDocument> {
  const Y: YamlModule = await import('yaml');
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineOf = (n: unknown): number | null => ((n as YNode | null)?.range ? lc.linePos((n as YNode).range![0]).line : null);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    const msg = e.code === 'DUPLICATE_KEY' ? 'a key is given twice in one mapping' : syntaxError(text, file, e.message);
    throw fileLineError(Exit.INVALID_DATA, file, line, null, msg);
  }
  return { Y, doc, lineOf };
}
