/**
 * What a resource manager needs back from a node each period (docs/fleet.md): the time, the
 * budget followed, the total power, each zone's power, limit and state. Built from the period
 * record; the command writes it atomically (core/atomic.ts), so a reader never sees half of it.
 */
import type { PeriodRecord, ZoneRecordState } from './controller.js';
import type { BudgetOrigin } from './budget.js';

export const BALANCE_REPORT_FORMAT = 'powercapctl-balance-report';
export const BALANCE_REPORT_VERSION = 1;

export interface BalanceReport {
  format: typeof BALANCE_REPORT_FORMAT;
  version: typeof BALANCE_REPORT_VERSION;
  /** the period's wall-clock time, RFC 3339 UTC */
  time: string;
  budgetUw: number;
  budgetOrigin: BudgetOrigin;
  /** the budget file's `until`, when it gave one */
  until: string | null;
  totalPowerUw: number | null;
  sumLimitsUw: number;
  zones: Array<{ id: string; name: string | null; powerUw: number | null; limitUw: number | null; state: ZoneRecordState }>;
}

export function balanceReport(r: PeriodRecord): BalanceReport {
  return {
    format: BALANCE_REPORT_FORMAT,
    version: BALANCE_REPORT_VERSION,
    time: new Date(r.wallMs).toISOString(),
    budgetUw: r.budget.budgetUw,
    budgetOrigin: r.budget.origin,
    until: r.budget.until ?? null,
    totalPowerUw: r.totalPowerUw,
    sumLimitsUw: r.sumLimitsUw,
    zones: r.zones.map((z) => ({ id: z.id, name: z.name, powerUw: z.powerUw, limitUw: z.newLimitUw, state: z.state })),
  };
}
