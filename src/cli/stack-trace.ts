/**
 * Stack traces for `-v`: frames in the bundle (dist/powercapctl.cjs, minified) are written as the
 * src/ file, line and column they came from, through the source map the build ships beside it
 * (scripts/build-bundle.ts). Node applies source maps to modules it loads itself, not to the
 * vm.Script the launcher compiles, so they are applied here, and only when a trace is printed:
 * a start reads nothing more.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';

export const MAP_FILE = 'powercapctl.cjs.map';

/** A V8 frame's location: `file:line:column`, alone or in parentheses. */
const FRAME = /([^\s()]+\.cjs):([0-9]+):([0-9]+)/g;

/**
 * `stack` with every location in a bundle that has a source map beside it written as its source
 * (`src/cli/main.ts:12:3`, relative to the package); a frame the map does not cover, or a bundle
 * without a map, is left as it is.
 */
export function mapStack(stack: string): string {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  const load = (file: string) => {
    if (!maps.has(file)) {
      try {
        const payload = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload;
        maps.set(file, { map: new SourceMap(payload), dir: path.dirname(file) });
      } catch {
        maps.set(file, null);
      }
    }
    return maps.get(file)!;
  };
  return stack.replace(FRAME, (whole, file: string, line: string, column: string) => {
    const m = load(file);
    if (!m) return whole;
    const e = m.map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!e.originalSource || e.originalLine === undefined || e.originalColumn === undefined) return whole;
    // the map's sources are relative to it (../src/cli/main.ts): shown from the package root
    const source = path.relative(path.dirname(m.dir), path.resolve(m.dir, e.originalSource));
    return `${source}:${e.originalLine + 1}:${e.originalColumn + 1}`;
  });
}
