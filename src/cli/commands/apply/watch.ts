/**
 * apply --watch: the drift watchdog. Every interval it re-reads the limits (and
 * the profile, when its file changed), writes back any setting that something
 * else changed (firmware, the embedded controller, thermald), and logs each
 * drift on stderr (the journal, under systemd): zone, what it found, what it
 * restored. A write that keeps failing is retried with a growing delay (the
 * interval doubled per failure, at most 10 min or the interval) instead of
 * hammering a locked register. SIGTERM or Ctrl-C stops it cleanly (exit 0): the signals
 * are trapped for the whole run (cli/signals.ts), so one that arrives between two writes
 * rolls that pass back before the watchdog stops. A limit that would starve its zone is
 * written only with --force, as apply writes it: no one is there to say yes. With items for AC
 * and for battery (`when`), the power source is read on every pass: when it changes, the items
 * for the new one are applied (logged as applied, not as drift).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { PowercapError } from '../../../core/errors.js';
import { hintFor } from '../../hints.js';
import { trapHooks, trapSignals } from '../../signals.js';
import type { Profile } from '../../../core/profile/parse.js';
import { readProfile } from '../balance/profile.js';
import { reconcile, type ItemOutcome } from '../../../core/profile/reconcile.js';
import { constraintLabel } from '../../../core/limits/index.js';
import { updateState } from '../../../core/persist/state.js';
import { formatDuration } from '../../../core/units.js';
import { jsonInt } from '../../../core/units.js';
import { formatValue, rollbackLines } from '../set-limit/render.js';
import { powerSourceFor, powerSourceText } from '../../power-source.js';
import type { PowerSourceKind } from '../../../core/power-source.js';

export interface WatchOptions {
  file: string;
  only: string | undefined;
  intervalUs: bigint;
  stateFile: string | undefined;
  /** write limits that would starve their zone */
  force: boolean;
  /** hold the items for this power source, whatever the supplies say */
  powerSource: PowerSourceKind | undefined;
}

const MAX_BACKOFF_US = 600_000_000n;

/** The delay before the next pass: the interval, doubled per consecutive failure, capped. */
export function backoffUs(intervalUs: bigint, failures: number): bigint {
  if (failures <= 0) return intervalUs;
  const cap = intervalUs > MAX_BACKOFF_US ? intervalUs : MAX_BACKOFF_US;
  const d = intervalUs * 2n ** BigInt(Math.min(failures, 20));
  return d > cap ? cap : d;
}

const what = (o: ItemOutcome) =>
  `${o.step.zoneId}${o.step.zoneName ? ` (${o.step.zoneName})` : ''} ${o.step.constraint ? constraintLabel(o.step.constraint) + ' ' : ''}` +
  (o.step.attribute === 'power_limit_uw' ? 'power limit' : o.step.attribute === 'time_window_us' ? 'time window' : 'enabled');

function mtimeOf(file: string): number | null {
  try { return fs.statSync(file).mtimeMs; } catch { return null; }
}

export async function watchProfile(ctx: CommandContext, o: WatchOptions): Promise<void> {
  // the log is what --watch was asked for: on stderr, --quiet or not, names shown escaped (Io.log)
  const log = (line: string) => ctx.io.log(line);
  // a balance: or govern: section is checked, and left to its own service
  let profile: Profile = (await readProfile(o.file)).profile;
  let mtime = mtimeOf(o.file);
  const src = ctx.source();
  const profilePath = path.resolve(o.file);
  let wake: (() => void) | null = null;
  // SIGTERM (systemd stop), Ctrl-C: the pass in progress rolls back, the sleep ends, the loop stops
  const trap = trapSignals(() => wake?.());
  const stopping = () => trap.isInterrupted();
  const record = (change: Parameters<typeof updateState>[2]) => { if (o.stateFile) updateState(o.stateFile, profilePath, change); };
  record((s) => { s.watch = { pid: process.pid, startedAt: new Date().toISOString(), intervalUs: Number(o.intervalUs) }; });
  let power = powerSourceFor(ctx, profile, o.powerSource);
  log(`watching ${profile.items.length} item${profile.items.length === 1 ? '' : 's'} of ${o.file} every ${formatDuration(o.intervalUs)}${power ? ` on ${powerSourceText(power)}` : ''}`);

  let failures = 0;
  let first = true;
  try {
    while (!stopping()) {
      const m = mtimeOf(o.file);
      if (m !== mtime) {
        mtime = m;
        try {
          profile = (await readProfile(o.file)).profile;
          log(`profile ${o.file} changed: ${profile.items.length} items`);
          // what the new profile changes is applied, not drift
          first = true;
        } catch (err) {
          log(`profile ${o.file} changed but cannot be used, keeping the previous one: ${(err as Error).message}`);
        }
      }
      const now = powerSourceFor(ctx, profile, o.powerSource);
      if (now && now.kind !== power?.kind) {
        log(`power source: ${powerSourceText(now)}: applying the items for ${now.kind === 'ac' ? 'AC' : 'battery'}`);
        // what the other power source's items change is applied, not drift
        first = true;
      }
      power = now;
      try {
        const r = await reconcile(src.powercap, profile, {
          ...(o.only ? { only: o.only } : {}), ...(power ? { powerSource: power.kind } : {}),
          energyModel: () => ctx.energyModel(), hooks: trapHooks(trap), isRoot: ctx.isRoot,
          confirmRisks: async (risks) => {
            if (o.force) for (const x of risks) log(`--force: ${x}`);
            return o.force;
          },
        });
        if (r.result && !r.result.ok && r.result.interrupted) {
          log(r.result.error!.message);
          for (const line of rollbackLines(r.result.rolledBack)) log(line);
        } else if (r.result && !r.result.ok) {
          failures++;
          const wait = backoffUs(o.intervalUs, failures);
          log(`apply failed: ${r.result.error!.message}; retrying in ${formatDuration(wait)}`);
          for (const line of rollbackLines(r.result.rolledBack)) log(line);
          record((s) => { s.lastApply = { at: new Date().toISOString(), ok: false, changed: false, settings: r.items.length, changedSettings: 0, error: r.result!.error!.message }; });
        } else {
          failures = 0;
          const changed = r.items.filter((i) => i.changed);
          const at = new Date().toISOString();
          record((s) => {
            s.lastApply = { at, ok: true, changed: changed.length > 0, settings: r.items.length, changedSettings: changed.length, error: null };
            if (!first) {
              s.drifts += changed.length;
              for (const i of changed) {
                s.recentDrifts.push({
                  at, zone: i.step.zoneId, name: i.step.zoneName,
                  setting: `${i.step.constraint ? constraintLabel(i.step.constraint) + ' ' : ''}${i.step.attribute}`,
                  found: jsonInt(i.before), restored: jsonInt(i.applied),
                });
              }
            }
          });
          // logged once the state file says so, so that a reader of the log finds it there
          for (const i of changed) {
            log(`${first ? 'applied' : 'drift'}: ${what(i)} was ${formatValue(i.step, i.before)}, ${first ? 'now' : 'restored'} ${formatValue(i.step, i.applied)}`);
          }
        }
      } catch (err) {
        if (!(err instanceof PowercapError)) throw err;
        failures++;
        const hint = hintFor(err.reason, 'apply', err.hint);
        log(`cannot apply ${o.file}: ${err.message}${hint ? ` (${hint})` : ''}; retrying in ${formatDuration(backoffUs(o.intervalUs, failures))}`);
      }
      if (failures === 0) first = false;
      if (stopping()) break;
      const waitMs = Number(backoffUs(o.intervalUs, failures) / 1000n);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, waitMs);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = null;
    }
  } finally {
    trap.release();
    record((s) => { s.watch = null; });
  }
  log('stopped');
}
