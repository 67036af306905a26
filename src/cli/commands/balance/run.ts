/**
 * powercapctl balance: the zones under a fixed budget or a resource manager's budget file
 * (core/balance/budget.ts), through the loop balance and govern share (session.ts).
 */
import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { minimumBudgetUw } from '../../../core/balance/allocate.js';
import { budgetBelowMinimum, createFileBudget, fixedBudget, readBudgetFile, type BudgetSource } from '../../../core/balance/budget.js';
import { formatPower } from '../../../core/units.js';
import type { BalanceOptions, ZoneArgs } from './spec.js';
import { planLoop, runLoop } from './session.js';

export async function run(ctx: CommandContext, [refs]: ZoneArgs, opts: BalanceOptions): Promise<void> {
  if (opts.budget === undefined && opts.budgetFile === undefined) {
    throw usageError('no budget: give --budget POWER, or --budget-file FILE that a resource manager writes', 'e.g. balance --budget 2.5W dtpm:0:0:0 dtpm:0:0:1 dtpm:0:0:2');
  }
  const plan = planLoop(ctx, refs, opts);
  const minimumUw = minimumBudgetUw(plan.zones);
  let budget: BudgetSource;
  if (opts.budgetFile !== undefined) {
    const file = opts.budgetFile;
    const fb = await createFileBudget({ file, read: () => readBudgetFile(file), fallbackUw: opts.fallbackBudget === undefined ? null : Number(opts.fallbackBudget) });
    // with no usable file and no fallback there is nothing to start from: said before anything is written
    fb.start(Date.now());
    budget = fb;
  } else {
    const uw = Number(opts.budget!);
    if (uw < minimumUw) throw budgetBelowMinimum(uw, minimumUw, formatPower);
    budget = fixedBudget(uw);
  }
  await runLoop(ctx, plan, budget, opts, { command: 'balance', thermalName: null, budgetFile: opts.budgetFile ?? null });
}
