/**
 * What balance and govern say about a period record (core/balance/controller.ts): the events as
 * warnings, the writes as text. The live view, the log lines and stderr read these; the record
 * itself is what --json prints.
 */
import type { BalanceEvent, PeriodRecord, WriteRecord } from '../../../core/balance/controller.js';
import type { BudgetFileProblem, BudgetReading } from '../../../core/balance/budget.js';
import { formatDuration, formatPower, formatPowerReading, formatTemperatureMc } from '../../../core/units.js';
import { visible } from '../../visible.js';

const GAP_WORDS: Record<string, string> = {
  unreadable: 'could not be read', vanished: 'vanished', invalid: 'read text that is not an integer', 'no-baseline': 'has no earlier reading',
  'multiple-wraps': 'was not read for long enough that its counter could have wrapped more than once', backwards: 'counter went backwards (a reset?)',
  implausible: 'counter jumped further than the zone can draw',
};

/** A warning for an event worth telling a person (null: one the record keeps for the curious). */
export function eventWarning(e: BalanceEvent): string | null {
  switch (e.kind) {
    case 'external-change':
      return `${visible(e.id)}: its limit was changed by another program (${formatPower(e.expectedUw)} expected, ${formatPower(e.foundUw)} found): `
        + 'no longer managed, and left as it is at the end; its limit counts against the budget';
    case 'limit-unreadable':
      return `${visible(e.id)}: its limit cannot be read (${e.errno}): left as it is this period`;
    case 'power-gap':
      return `${visible(e.id)}: no power this period: it ${GAP_WORDS[e.reason] ?? e.reason}`;
    case 'write-failed':
      return `${visible(e.id)}: the kernel refused its new limit (${e.errno})`;
    case 'raises-held':
      return `a lowered limit could not be written (${visible(e.because)}): no limit raised this period, so the budget holds`;
    case 'budget-below-minimum':
      return `the budget left to share, ${formatPower(e.budgetUw)}, is below the zones' total minimum ${formatPower(e.minimumUw)}: each zone is held at its minimum`;
    case 'kernel-settled':
    case 'write-lost':
      return null;
  }
}

const PROBLEM_WORDS: Record<BudgetFileProblem['kind'], string> = {
  missing: 'is missing', unreadable: 'cannot be read', invalid: 'is not valid', lapsed: 'has lapsed',
};

/** Why the budget file is not followed this period, and what is followed instead (null: it is). */
export function budgetProblem(file: string, b: BudgetReading): string | null {
  const p = b.problem;
  if (!p) return null;
  const why = p.kind === 'lapsed' ? `its until: ${p.detail} has passed` : p.detail ?? p.errno ?? '';
  const instead = b.origin === 'fallback' ? 'the fallback budget' : 'the last good budget';
  return `the budget file ${visible(file)} ${PROBLEM_WORDS[p.kind]}${why ? ` (${visible(why)})` : ''}: following ${instead}, ${formatPower(b.budgetUw)}`;
}

/** `dtpm:0:0:1 2.26 W → 445.205 mW` (and the kernel's value when it kept another). */
export function writeText(w: WriteRecord): string {
  const kept = w.readBackUw !== null && w.readBackUw !== w.toUw ? ` (kept ${formatPower(w.readBackUw)})` : '';
  const failed = w.errno ? ` (refused: ${w.errno})` : '';
  return `${visible(w.id)} ${formatPower(w.fromUw)} → ${formatPower(w.toUw)}${kept}${failed}`;
}

/** The budget and where it comes from: `2.5 W`, `1.5 W from the budget file`, `2.41 W (skin-therm 44.8 °C, target 45 °C)`. */
export function budgetText(r: PeriodRecord, thermalName: string | null): string {
  const b = r.budget;
  const g = b.governor;
  if (g) {
    const t = g.temperatureMc === null ? 'unreadable' : formatTemperatureMc(g.temperatureMc);
    const mode = g.mode === 'maximum' ? ', below switch-on: the maximum' : g.mode === 'hold' ? ', held' : '';
    return `${formatPower(b.budgetUw)} (${visible(thermalName ?? 'temperature')} ${t}, target ${formatTemperatureMc(g.controlTempMc)}${mode})`;
  }
  const from = b.origin === 'file' ? ' from the budget file' : b.origin === 'fallback' ? ' (fallback)' : b.origin === 'last-good' ? ' (last good)' : '';
  return `${formatPower(b.budgetUw)}${from}`;
}

/** A log line for a period that wrote (not on a terminal, without --json). */
export function periodLine(r: PeriodRecord, thermalName: string | null): string {
  const power = r.totalPowerUw === null ? '–' : formatPowerReading(r.totalPowerUw);
  const verb = r.dryRun ? 'would write' : 'wrote';
  return `${formatDuration(r.tUs)}  budget ${budgetText(r, thermalName)}  power ${power}  ${verb} ${r.writes.map(writeText).join(', ')}`;
}
