/**
 * The command lines a wizard session amounts to, so that what was done
 * interactively can be scripted: quoted for a POSIX shell, naming the source
 * the session worked on.
 */
import type { Globals } from '../../context.js';

/** The prompt functions the wizard flows receive (@inquirer/prompts, loaded by the runner). */
export type Prompts = typeof import('@inquirer/prompts');

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const commandLine = (words: string[]) => words.map(shellWord).join(' ');

/** `powercapctl` with the source options this session used (and sudo for a live tree when not root). */
export function toolPrefix(globals: Pick<Globals, 'root' | 'snapshot'>, isRoot: boolean = process.getuid?.() === 0): string[] {
  if (globals.snapshot !== undefined) return ['powercapctl', '--snapshot', globals.snapshot];
  const words = isRoot ? ['powercapctl'] : ['sudo', 'powercapctl'];
  if (globals.root !== undefined) words.push('--root', globals.root);
  return words;
}

export interface LimitChoice {
  zone: string;
  power: string;
  constraint?: string | undefined;
  timeWindow?: string | undefined;
}

/** `powercapctl … set-limit ZONE POWER [--constraint NAME] [--time-window DUR] --yes` */
export function setLimitCommand(prefix: string[], c: LimitChoice): string {
  const words = [...prefix, 'set-limit', c.zone, c.power];
  if (c.constraint !== undefined) words.push('--constraint', c.constraint);
  if (c.timeWindow !== undefined) words.push('--time-window', c.timeWindow);
  words.push('--yes');
  return commandLine(words);
}
