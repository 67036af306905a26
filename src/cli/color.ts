/**
 * Colour in one module. Colour only when stdout is a TTY, never with --json,
 * NO_COLOR disables, FORCE_COLOR forces (its level), --no-color disables.
 * Imported by renderers only, so the JSON path never loads chalk.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export type Colors = ChalkInstance;

export function colorLevel(wanted: boolean, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (!wanted) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : 1) as 1 | 2 | 3;
  }
  return isTTY ? 1 : 0;
}

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
