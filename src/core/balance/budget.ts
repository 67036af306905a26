/**
 * Where balance's budget comes from, period by period: a fixed power, a budget file written by a
 * resource manager (docs/fleet.md), or govern's controller (govern/governor.ts). Each source
 * answers `next()` once a period with the budget and the facts behind it, which go into the
 * period record as they are.
 *
 * A budget file is a small YAML or JSON mapping, re-read every period:
 *   budget: 1.5W                      # a power with its unit
 *   until: 2026-11-01T13:00:00Z       # optional, RFC 3339: after it the budget has lapsed
 * A missing, unreadable, invalid or lapsed file keeps the budget in force (the last good one),
 * or the fallback when one is given and lower: a stale file never raises a limit. A fresh file
 * is followed at the next period, whichever way it moves.
 */
import { PowercapError, Exit, invalidData, notFound, usageError } from '../errors.js';
import { readUserFile } from '../files.js';
import { parsePowerUw } from '../units.js';
import type { GovernorStep } from '../govern/step.js';

export type BudgetOrigin = 'fixed' | 'file' | 'last-good' | 'fallback' | 'govern';

/** Why the budget file could not be followed this period. */
export interface BudgetFileProblem {
  kind: 'missing' | 'unreadable' | 'invalid' | 'lapsed';
  /** errno of a failed read */
  errno?: string;
  /** what is wrong with the content (invalid), or the `until` passed (lapsed) */
  detail?: string;
}

export interface BudgetReading {
  budgetUw: number;
  origin: BudgetOrigin;
  /** the budget file's problem this period, if any */
  problem?: BudgetFileProblem;
  /** the `until` of the budget file in force (RFC 3339), if it has one */
  until?: string;
  /** govern: the controller's step (govern/governor.ts) */
  governor?: GovernorStep;
}

/** What a budget source knows of the period. */
export interface BudgetContext {
  tUs: number;
  /** the wall clock (ms since the epoch), for a budget file's `until` */
  wallMs: number;
  /** Σ minimum and Σ maximum of the zones managed */
  minimumUw: number;
  maximumUw: number;
  /** Σ power measured over the last period (null when some zone had no reading) */
  powerUw: number | null;
  /** some zone drew (nearly) all its limit over the last period: the zones use what they are given */
  saturated: boolean;
}

export interface BudgetSource {
  readonly kind: 'fixed' | 'file' | 'govern';
  next(ctx: BudgetContext): BudgetReading;
}

export function fixedBudget(budgetUw: number): BudgetSource {
  return { kind: 'fixed', next: () => ({ budgetUw, origin: 'fixed' }) };
}

/** The message (no flag named) for a budget below what the zones need. */
export function budgetBelowMinimum(budgetUw: number, minimumUw: number, formatPower: (uw: number) => string): PowercapError {
  return usageError(`the budget ${formatPower(budgetUw)} is below the zones' total minimum ${formatPower(minimumUw)}`,
    'give a larger budget, or fewer zones (each zone cannot be limited below its minimum)');
}

// ------------------------------------------------------------------ budget file

export interface BudgetFileContent {
  budgetUw: number;
  /** ms since the epoch, null when the file gives no `until` */
  untilMs: number | null;
  untilText: string | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

type YamlModule = typeof import('yaml');

/** Parse a budget file's text: `budget:` a power, optional `until:` RFC 3339. Throws exit 6 saying what is wrong. */
export function parseBudgetFile(Y: YamlModule, text: string, file: string): BudgetFileContent {
  const bad = (why: string) => invalidData(`${file}: ${why}`, 'a budget file holds `budget: 1.5W` and, optionally, `until: 2026-11-01T13:00:00Z`');
  let doc: unknown;
  try {
    doc = Y.parse(text, { uniqueKeys: true });
  } catch (err) {
    throw bad(`not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('expected a mapping with `budget:`');
  const m = doc as Record<string, unknown>;
  if (!('budget' in m)) throw bad('no `budget:`');
  const b = m.budget;
  if (typeof b !== 'string' && typeof b !== 'number') throw bad('`budget:` is not a power');
  let budgetUw: number;
  try {
    budgetUw = Number(parsePowerUw(String(b)));
  } catch (err) {
    throw bad(`budget: ${(err as Error).message}`);
  }
  let untilMs: number | null = null;
  let untilText: string | null = null;
  if (m.until !== undefined && m.until !== null) {
    const u = m.until instanceof Date ? m.until.toISOString() : String(m.until);
    if (!RFC3339.test(u) || Number.isNaN(Date.parse(u))) throw bad(`until: '${u}' is not an RFC 3339 time (2026-11-01T13:00:00Z)`);
    untilMs = Date.parse(u);
    untilText = u;
  }
  return { budgetUw, untilMs, untilText };
}

/** One read of the budget file: its text, or the errno the read gave (and what was wrong, when the errno alone does not say). */
export type BudgetFileRead = { ok: true; text: string } | { ok: false; errno: string; detail?: string };

/** A budget file is a line or two: anything larger is not one. */
const BUDGET_FILE_MAX_BYTES = 64 * 1024;

/** Read the budget file on disk, as any file a user names (core/files.ts: regular files only, capped). */
export function readBudgetFile(file: string): BudgetFileRead {
  try {
    return { ok: true, text: readUserFile(file, { what: 'budget file', maxBytes: BUDGET_FILE_MAX_BYTES }) };
  } catch (err) {
    if (!(err instanceof PowercapError)) throw err;
    const errno = err.exitCode === Exit.NOT_FOUND ? 'ENOENT' : err.exitCode === Exit.PERMISSION ? 'EACCES' : 'EINVAL';
    return { ok: false, errno, detail: err.message };
  }
}

export interface FileBudgetOptions {
  file: string;
  /** reads the file (the CLI: the file on disk, each period; sim: the scenario's file at the virtual time) */
  read: () => BudgetFileRead;
  fallbackUw: number | null;
}

/**
 * A budget file followed period by period. Create it with `createFileBudget` (it loads the YAML
 * parser), then `start()` reads it once: with no usable file and no fallback there is no budget
 * to start from (exit 3 missing, 6 invalid or lapsed).
 */
export class FileBudget implements BudgetSource {
  readonly kind = 'file' as const;
  /** the budget in force: the last good one, or the fallback */
  private currentUw: number | null = null;
  private lastText: string | null = null;
  private lastContent: BudgetFileContent | null = null;
  private lastError: PowercapError | null = null;

  constructor(private readonly Y: YamlModule, readonly o: FileBudgetOptions) {}

  /** The file's content, or its problem (the text is parsed only when it changed). */
  private load(): { content: BudgetFileContent } | { problem: BudgetFileProblem; error: PowercapError } {
    const r = this.o.read();
    if (!r.ok) {
      const missing = r.errno === 'ENOENT';
      const error = missing
        ? notFound(`budget file not found: ${this.o.file}`, 'the resource manager writes it; give a fallback budget to start without it')
        : new PowercapError(r.errno === 'EACCES' || r.errno === 'EPERM' ? Exit.PERMISSION : Exit.FAILED, r.detail ?? `cannot read the budget file ${this.o.file}: ${r.errno}`);
      return { problem: { kind: missing ? 'missing' : 'unreadable', errno: r.errno }, error };
    }
    if (r.text !== this.lastText) {
      this.lastText = r.text;
      try {
        this.lastContent = parseBudgetFile(this.Y, r.text, this.o.file);
        this.lastError = null;
      } catch (err) {
        if (!(err instanceof PowercapError)) throw err;
        this.lastContent = null;
        this.lastError = err;
      }
    }
    if (this.lastContent === null) return { problem: { kind: 'invalid', detail: this.lastError!.message }, error: this.lastError! };
    return { content: this.lastContent };
  }

  /**
   * The first reading, before the loop starts: with no usable file and no fallback there is no
   * budget to start from, and this throws (exit 3 missing, 6 invalid or lapsed, 4 unreadable).
   */
  start(wallMs: number): BudgetReading {
    return this.next({ tUs: 0, wallMs, minimumUw: 0, maximumUw: 0, powerUw: null, saturated: true });
  }

  next(ctx: BudgetContext): BudgetReading {
    const got = this.load();
    if ('content' in got) {
      const c = got.content;
      if (c.untilMs === null || ctx.wallMs <= c.untilMs) {
        this.currentUw = c.budgetUw;
        return { budgetUw: c.budgetUw, origin: 'file', ...(c.untilText ? { until: c.untilText } : {}) };
      }
      return this.stale({ kind: 'lapsed', detail: c.untilText! }, invalidData(`the budget in ${this.o.file} lapsed at ${c.untilText}`, 'the resource manager renews it; give a fallback budget to start without it'));
    }
    return this.stale(got.problem, got.error);
  }

  /** No usable file this period: the budget in force, or the fallback when it is lower (or nothing else is known). */
  private stale(problem: BudgetFileProblem, error: PowercapError): BudgetReading {
    const fb = this.o.fallbackUw;
    if (this.currentUw === null) {
      if (fb === null) throw error;
      this.currentUw = fb;
      return { budgetUw: fb, origin: 'fallback', problem };
    }
    if (fb !== null && fb < this.currentUw) {
      this.currentUw = fb;
      return { budgetUw: fb, origin: 'fallback', problem };
    }
    return { budgetUw: this.currentUw, origin: this.currentUw === fb ? 'fallback' : 'last-good', problem };
  }
}

export async function createFileBudget(o: FileBudgetOptions): Promise<FileBudget> {
  const Y: YamlModule = await import('yaml');
  return new FileBudget(Y, o);
}
