/**
 * powercapctl balance: the zones under a fixed budget or a resource manager's budget file
 * (core/balance/budget.ts), through the loop balance and govern share (session.ts).
 */
import type { CommandContext } from '../../context.js';
import { minimumBudgetUw } from '../../../core/balance/allocate.js';
import { budgetBelowMinimum, createFileBudget, fixedBudget, readBudgetFile, type BudgetSource } from '../../../core/balance/budget.js';
import { formatPower } from '../../../core/units.js';
import type { BalanceOptions, ZoneArgs } from './options.js';
import { planLoop, runLoop, type LoopPlan } from './session.js';
import { atSection, runOptions } from './profile.js';

export async function run(ctx: CommandContext, [given]: ZoneArgs, options: BalanceOptions): Promise<void> {
  // with --profile the zones and options are the profile's balance: section
  const { refs, opts, loop } = await runOptions('balance', given, options);
  let plan: LoopPlan;
  let budget: BudgetSource;
  try {
    plan = planLoop(ctx, refs, opts);
    const minimumUw = minimumBudgetUw(plan.zones);
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
  } catch (err) {
    throw atSection(loop, err);
  }
  await runLoop(ctx, plan, budget, opts, { command: 'balance', thermalName: null, budgetFile: opts.budgetFile ?? null });
}
