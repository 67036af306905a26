/** Bits the three script generators share. */

export const HEADER_LINES = [
  'Generated from the command specs by `npm run gen` (scripts/gen-docs.ts); do not edit.',
  'Also printed by `powercapctl completion <shell>`. Dynamic values (zone ids and names,',
  'constraint names, DTPM nodes, devices, energy-model domains) come from the tree the',
  'line points at (--root, --snapshot, or POWERCAPCTL_ROOT/POWERCAPCTL_SNAPSHOT), through',
  '`powercapctl __complete KIND …`.',
];

/** A POSIX single-quoted word (bash, zsh). */
export const shQuote = (s: string) => (/^[A-Za-z0-9_./:@%+,=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A fish single-quoted word: backslash and quote are the only escapes. */
export const fishQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
