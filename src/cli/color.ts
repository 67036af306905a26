/**
 * Colour in one module. Colour only when stdout is a TTY, never with --json,
 * NO_COLOR disables, FORCE_COLOR forces (its level), --no-color disables.
 * Imported by renderers only, so the JSON path never loads chalk (the level, colorLevel, lives
 * in io.ts for that reason: Io lets the palette's codes through only to a coloured stdout, and
 * cli/visible.ts names those codes). Text from a source is made visible before it is painted.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { colorLevel } from './io.js';

export { colorLevel };

export type Colors = ChalkInstance;

export function makeColors(wanted: boolean, isTTY: boolean): Colors {
  return new Chalk({ level: colorLevel(wanted, isTTY) });
}

/** The palette: one meaning, one colour. */
export function palette(c: Colors) {
  return {
    id: c.cyan,
    name: c.bold,
    dim: c.dim,
    ok: c.green,
    warn: c.yellow,
    bad: c.red,
    virtual: c.magenta,
    heading: c.bold.underline,
  };
}
