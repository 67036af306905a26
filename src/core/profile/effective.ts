/**
 * The pairing rule of MSR and MMIO copies lives in core/limits/effective.ts, shared
 * by set-limit, apply, list and tree: one implementation.
 */
export { raplCopies, effectiveZones } from '../limits/effective.js';
