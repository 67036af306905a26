/**
 * A profile's `balance:` or `govern:` section as written: the settings of the loop that
 * `powercapctl balance` or `govern` runs (docs/profiles.md "Keeping a budget"), each value
 * kept as its text with its line. Only the shape is checked here (exit 6); which keys there
 * are and what their values mean are the command's own options, parsed by the options' own
 * parsers (cli/commands/balance/profile.ts), so that the file and the command line take the
 * same values. `persist install` runs the section as a service; `apply` leaves it to it.
 */
import { Exit } from '../errors.js';
import { fileLineError, type YamlModule, type YNode } from '../yaml-doc.js';

/** The commands a section is named after, and runs. */
export const LOOP_COMMANDS = ['balance', 'govern'] as const;
export type LoopCommand = (typeof LOOP_COMMANDS)[number];

/** A value of the section: one text, a list of texts (zones), or names with a text each (a weight per zone). */
export type SectionValue =
  | { kind: 'scalar'; text: string }
  | { kind: 'list'; items: Array<{ text: string; line: number }> }
  | { kind: 'map'; entries: Array<{ name: string; text: string; line: number }> };

export interface SectionEntry {
  key: string;
  /** 1-based line of the key */
  line: number;
  value: SectionValue;
}

export interface LoopSection {
  command: LoopCommand;
  /** 1-based line of `balance:` or `govern:` */
  line: number;
  entries: SectionEntry[];
}

/** A scalar's text as written (`2`, not the number 2 turned back into text), or null for a value that is not one. */
function scalarText(Y: YamlModule, node: unknown): string | null {
  if (!Y.isScalar(node)) return null;
  const v = node.value;
  if (v === null || typeof v === 'object') return null;
  return typeof v === 'string' ? v : node.source ?? String(v);
}

/**
 * The section under `key` (balance or govern) as written: a mapping whose values are a scalar, a
 * list of scalars or a mapping of names to scalars. A wrong shape is exit 6 at its line.
 */
export function readLoopSection(Y: YamlModule, file: string, command: LoopCommand, keyNode: unknown, node: unknown, lineOf: (n: unknown) => number | null): LoopSection {
  const line = lineOf(keyNode) ?? 1;
  const bad = (n: unknown, key: string, msg: string) => fileLineError(Exit.INVALID_DATA, file, lineOf(n) ?? line, key, msg, `see docs/profiles.md for the settings: the options of the ${command} command`);
  if (!Y.isMap(node)) throw bad(node ?? keyNode, command, `expected a mapping of ${command}'s settings (zones:, interval:, …)`);
  const entries: SectionEntry[] = [];
  for (const pair of node.items) {
    const key = Y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const where = `${command}.${key}`;
    const keyLine = lineOf(pair.key) ?? line;
    const v = pair.value;
    const text = scalarText(Y, v);
    let value: SectionValue;
    if (text !== null) value = { kind: 'scalar', text };
    else if (Y.isSeq(v)) {
      value = {
        kind: 'list', items: v.items.map((it) => {
          const t = scalarText(Y, it);
          if (t === null) throw bad(it, where, 'expected a list of values, one per line (`- dtpm:0:0:1`)');
          return { text: t, line: lineOf(it) ?? keyLine };
        }),
      };
    } else if (Y.isMap(v)) {
      value = {
        kind: 'map', entries: v.items.map((p) => {
          const name = scalarText(Y, p.key);
          const t = scalarText(Y, p.value);
          if (name === null || t === null) throw bad(p.value ?? p.key, where, 'expected names with a value each (`dtpm:0:0:1: 2`)');
          return { name, text: t, line: lineOf(p.key) ?? keyLine };
        }),
      };
    } else throw bad((v as YNode | null) ?? pair.key, where, 'expected a value');
    entries.push({ key, line: keyLine, value });
  }
  return { command, line, entries };
}
