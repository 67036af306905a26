/**
 * Setting limits safely: plan (validate everything before the first write), then
 * apply as one transaction with read-back and rollback. Used by `set-limit` and
 * by the interactive wizard. See docs/set-limit.md.
 */
export {
  planChanges, pickConstraint, pickConstraints, expectedStore, quantizeRaplLimit, limitRisk, powerBounds, constraintLabel, isRaplType,
  type LimitRequest, type LimitAttribute, type Plan, type PlanStep, type DependentFile,
} from './plan.js';
export {
  applyPlan, rollback, describeStep,
  type ApplyResult, type ApplyHooks, type ApplyOptions, type AppliedChange, type RollbackEntry, type FileValue,
} from './apply.js';
export { writeErrorToPowercap, type WriteErrorContext } from './write-error.js';
export { raplCopies, effectiveZones, effectiveLimit, otherCopy } from './effective.js';
