/**
 * powercapctl watch: live sampling (or the replay of a recording) through the
 * core sampler, rendered as a live table, NDJSON, CSV or Prometheus text.
 */
import type { CommandContext } from '../../context.js';
import { signalExit, trapSignals } from '../../signals.js';
import type { OpenedSource } from '../../../core/source/open.js';
import { notFound, permissionDenied } from '../../../core/errors.js';
import { formatDuration } from '../../../core/units.js';
import { readPowercapTree, type PowercapTree } from '../../../core/zones/powercap-tree.js';
import { describeZone, selectZones } from '../../../core/zones/select.js';
import { planWatch, readPass, type Reading, type WatchZone } from '../../../core/watch/zones.js';
import { planSystemTotal } from '../../../core/watch/total.js';
import { Sampler, type GapReason, type PassResult, type WatchSample } from '../../../core/watch/sampler.js';
import { runLiveLoop, runReplay, type PassHandler } from '../../../core/watch/loop.js';
import { Recorder, decodeRecording, selectRecorded, type RecordingDoc } from '../../../core/watch/recording.js';
import { assertWritableFile, writeFileAtomic } from '../../../core/atomic.js';
import { monotonicClock } from '../../clock.js';
import { LimitReader } from '../../../core/exporter/limits.js';
import type { ZoneLimit } from '../../../core/limits/effective.js';
import { WATCH_LIMITS_EVERY_US } from '../../../core/watch/at-limit.js';
import { commandLine } from '../../hints.js';
import type { WatchArgs, WatchOptions } from './spec.js';
import { CSV_HEADER, CsvFormatter, NdjsonFormatter, prometheusText } from './writers.js';

type Format = NonNullable<WatchOptions['format']>;

/** What a session needs to know, from the options and the source. */
interface Session {
  format: Format;
  /** the wall clock at t = 0, for the RFC 3339 time of NDJSON and CSV rows (a replay: the recording's start) */
  startEpochMs: number;
  /** the time between passes: the option's on a live run, the recording's in a replay */
  intervalUs: bigint;
  textfile: string | undefined;
  /** the limit each zone is held to at the pass taken at `tUs`, for "at the limit" (called once per pass, in order) */
  limits: (tUs: bigint) => readonly ZoneLimit[];
}

/**
 * The limits of the watched zones as the exporter's reader reads them (a package's other copy
 * too), re-read every `everyUs` (null: never, a snapshot's do not change).
 */
function limitsOf(src: OpenedSource, tree: PowercapTree, zones: readonly WatchZone[], everyUs: bigint | null): Session['limits'] {
  const reader = new LimitReader(src.powercap, [], tree, zones.map((z) => tree.byId.get(z.id) ?? null));
  return (tUs) => {
    if (everyUs !== null) reader.refreshIfDue(tUs, everyUs);
    return reader.inForce();
  };
}

/** The passes to take after the baseline: --count, or --duration in intervals (at least one); null: until Ctrl-C. */
const passesFor = (opts: WatchOptions, intervalUs: bigint): number | null =>
  opts.count ?? (opts.duration === undefined ? null : Math.max(1, Number(opts.duration / intervalUs)));

export async function run(ctx: CommandContext, [patterns]: WatchArgs, opts: WatchOptions): Promise<void> {
  // --textfile has set the format to prometheus (its spec says so); --json means NDJSON
  const format: Format = opts.format ?? (ctx.globals.json || !ctx.io.interactive ? 'ndjson' : 'table');
  const src = ctx.source();
  return src.snapshot ? replay(ctx, src, patterns, opts, format) : live(ctx, src, patterns, opts, format);
}

// ------------------------------------------------------------------ live

async function live(ctx: CommandContext, src: OpenedSource, patterns: string[], opts: WatchOptions, format: Format): Promise<void> {
  const tree = readPowercapTree(src.powercap);
  const selected = selectZones(tree, patterns, opts.type);
  const plan = planWatch(selected, tree.byId);
  const denied = plan.skipped.filter((s) => s.reason === 'permission');
  if (plan.zones.length === 0) {
    if (denied.length) {
      throw permissionDenied(
        `energy_uj is readable by root only: nothing to watch (${denied.length} zone${denied.length === 1 ? '' : 's'} without permission)`,
        'run with sudo; see README "Running without root" (powercap_sys.c: 0400 since CVE-2020-8694)',
      );
    }
    throw notFound(
      selected.length ? `none of the selected zones reports energy_uj or power_uw: nothing to watch` : 'no powercap zones to watch',
      `see what the zones report with: ${commandLine(ctx.globals, 'list')}`,
    );
  }
  if (denied.length) {
    const names = denied.slice(0, 4).map((s) => describeZone(s.zone)).join(', ') + (denied.length > 4 ? `, … (${denied.length} in all)` : '');
    ctx.io.warn(`energy_uj is readable by root only: not watching ${names}; run with sudo to watch them`);
  }
  const noReading = plan.skipped.filter((s) => s.reason === 'no-reading');
  if (noReading.length && patterns.length) ctx.io.note(`no energy or power to watch in ${noReading.map((s) => describeZone(s.zone)).join(', ')}`);

  let recorder: Recorder | null = null;
  let recordDoc: import('../../../core/snapshot/file.js').SnapshotDoc | null = null;
  const record = opts.record;
  if (record !== undefined) {
    assertWritableFile(record);
    const { captureSnapshot } = await import('../../../core/snapshot/capture.js');
    recordDoc = captureSnapshot(src.powercap, {
      energyModel: ctx.energyModel(),
      rootPath: ctx.rootPath,
      emRootPath: ctx.energyModel() ? ctx.emRootPath : null,
      hwmonRootPath: src.hwmonRoot,
    });
  }
  const startEpochMs = Date.now();
  if (recordDoc) recorder = new Recorder(plan.zones, opts.interval, new Date(startEpochMs).toISOString());

  const buffer: Reading[] = new Array<Reading>(plan.zones.length);
  const passes = passesFor(opts, opts.interval);
  // the limits of each pass are recorded with its readings, so that a replay marks what this run marked
  const limits = limitsOf(src, tree, plan.zones, WATCH_LIMITS_EVERY_US);
  let passLimits: readonly ZoneLimit[] = [];
  const limitsOfPass = (tUs: bigint) => (passLimits = limits(tUs));
  await session(ctx, tree, plan.zones, { format, startEpochMs, intervalUs: opts.interval, textfile: opts.textfile, limits: limitsOfPass }, false, async (signal, onPass) =>
    runLiveLoop({
      intervalUs: opts.interval,
      // a duration ends at its last slot, on time, however many passes ran late
      count: opts.duration === undefined ? passes : null,
      lastSlot: opts.duration === undefined ? null : passes,
      read: () => readPass(src.powercap, plan.zones, buffer),
      clock: monotonicClock,
      signal,
      onPass: (tUs, readings) => {
        onPass(tUs, readings);
        recorder?.add(tUs, readings, passLimits);
      },
    }),
  async () => {
    if (!recorder || !recordDoc || record === undefined) return;
    recordDoc.recording = recorder.toDoc() as unknown as Record<string, unknown>;
    const { SnapshotFile } = await import('../../../core/snapshot/file.js');
    new SnapshotFile(record, recordDoc).save();
    ctx.io.note(`recorded ${Math.max(0, recorder.passes - 1)} samples of ${plan.zones.length} zone${plan.zones.length === 1 ? '' : 's'} in ${record}`);
  });
}

// ------------------------------------------------------------------ replay

async function replay(ctx: CommandContext, src: OpenedSource, patterns: string[], opts: WatchOptions, format: Format): Promise<void> {
  const snap = src.snapshot!;
  const doc = snap.doc.recording as RecordingDoc | undefined;
  if (!doc) {
    throw notFound(
      `${snap.path} holds no recording: nothing to replay`,
      'record one with: sudo powercapctl watch --record FILE (this snapshot still reads with list, tree, …)',
    );
  }
  const rec = decodeRecording(doc, snap.path);
  const tree = readPowercapTree(src.powercap);
  const { zones, readings, limits: recorded } = selectRecorded(rec, patterns.length || opts.type !== undefined ? new Set(selectZones(tree, patterns, opts.type).map((z) => z.id)) : null);
  const started = Date.parse(rec.startedAt);
  // --duration counts recorded time: passes of the recording's own interval
  const count = passesFor(opts, rec.intervalUs);
  // the limits the live run recorded with each pass; an older recording's: the snapshot's, which do not change
  let pass = 0;
  const limits = recorded ? () => recorded[pass++]! : limitsOf(src, tree, zones, null);
  const s: Session = { format, intervalUs: rec.intervalUs, startEpochMs: Number.isNaN(started) ? 0 : started, textfile: opts.textfile, limits };
  await session(ctx, tree, zones, s, true, (signal, onPass) =>
    runReplay({ times: rec.times, readings, speed: opts.speed, count, clock: monotonicClock, signal, onPass }),
  async () => {});
}

// ------------------------------------------------------------------ session

type Feed = (signal: AbortSignal, onPass: PassHandler) => Promise<{ aborted: boolean; skipped: number; passes: number; maxPassUs: bigint }>;

const REASON_TEXT: Record<GapReason, string> = {
  unreadable: 'could not be read',
  vanished: 'vanished (its files are gone: hot-unplug or module unload?); the other zones go on',
  invalid: 'read text that is not an integer',
  'no-baseline': 'has no earlier reading to compare with',
  'multiple-wraps': 'was not sampled for long enough that its counter could have wrapped more than once',
  backwards: 'counter went backwards without a plausible wrap (a reset?)',
  implausible: 'counter jumped further than the zone can draw',
};

function gapNote(s: WatchSample): string {
  const z = s.zone.name ? `${s.zone.id} (${s.zone.name})` : s.zone.id;
  const why = s.gap === 'unreadable' && s.errno ? `${REASON_TEXT.unreadable} (${s.errno})` : REASON_TEXT[s.gap!];
  return `zone ${z} ${why}: gap in the samples`;
}

async function session(
  ctx: CommandContext,
  tree: PowercapTree,
  zones: WatchZone[],
  o: Session,
  isReplay: boolean,
  feed: Feed,
  finish: () => Promise<void>,
): Promise<void> {
  const totalPlan = zones.length > 1
    ? planSystemTotal(
      zones.map((z) => ({ ...z, hasConstraints: (tree.byId.get(z.id)?.constraints.length ?? 1) > 0 })),
      {
        childNames: (id) => tree.byId.get(id)?.children.map((c) => c.name ?? '') ?? [],
        nameOf: (id) => tree.byId.get(id)?.name ?? null,
      },
    )
    : { summed: [], excluded: [] };
  const total = totalPlan.summed;
  const index = new Map(zones.map((z, i) => [z.id, i]));
  const sampler = new Sampler(zones, total.map((id) => index.get(id)!));

  const colors = { color: ctx.globals.color, isTTY: ctx.io.stdoutIsTTY };
  const out = (s: string) => { if (s) process.stdout.write(s); };
  const notes: string[] = [];
  const noted = new Set<string>();
  let onResult: (r: PassResult | null) => void;
  let atEnd: (interrupted: boolean) => void = () => {};
  const table = o.format === 'table' ? await import('./table.js') : null;
  let redrawer: InstanceType<typeof import('./table.js').Redrawer> | null = null;

  const note = (msg: string) => {
    if (noted.has(msg)) return;
    noted.add(msg);
    if (table) notes.push(msg);
    else ctx.io.warn(msg);
  };

  let release = () => {};
  if (table) {
    const tty = ctx.io.stdoutIsTTY;
    redrawer = new table.Redrawer(out, tty);
    const restore = () => redrawer!.restore();
    process.once('exit', restore);
    // each frame fits the terminal as it is now (table.ts); a resize (SIGWINCH) redraws at once
    const draw = () => redrawer!.frame(table.frameLines(sampler, {
      summed: total, excluded: totalPlan.excluded, notes, replay: isReplay,
      rows: tty ? process.stdout.rows ?? 0 : 0, columns: tty ? process.stdout.columns ?? 0 : 0,
    }, colors));
    const onResize = () => { redrawer!.clear(); draw(); };
    if (tty) process.stdout.on('resize', onResize);
    onResult = draw;
    release = () => {
      process.stdout.removeListener('resize', onResize);
      redrawer!.restore();
      process.removeListener('exit', restore);
    };
    atEnd = (interrupted) => {
      release();
      out(table.renderSummary(sampler, total, interrupted, colors, totalPlan.excluded, ctx.io.stdoutIsTTY ? process.stdout.columns ?? 0 : 0));
    };
  } else if (o.format === 'ndjson') {
    const f = new NdjsonFormatter(zones, total, totalPlan.excluded, o.startEpochMs);
    onResult = (r) => { if (r) out(f.pass(r)); };
  } else if (o.format === 'csv') {
    const f = new CsvFormatter(zones, total, o.startEpochMs);
    out(CSV_HEADER + '\n');
    onResult = (r) => { if (r) out(f.pass(r)); };
  } else {
    const file = o.textfile;
    if (file !== undefined) assertWritableFile(file);
    onResult = (r) => {
      const text = prometheusText(sampler, r, total);
      if (file !== undefined) writeFileAtomic(file, text);
      else if (r) out(text + '\n');
    };
  }

  // a fatal signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) ends the loop cleanly: the summary, then exit 128+N
  const ac = new AbortController();
  const trap = trapSignals(() => ac.abort());
  let result: { aborted: boolean; skipped: number; passes: number; maxPassUs: bigint };
  try {
    result = await feed(ac.signal, (tUs, readings) => {
      const r = sampler.ingest(tUs, readings, o.limits(tUs));
      if (r) for (const s of r.samples) if (s.gap) note(gapNote(s));
      onResult(r);
    });
  } catch (e) {
    release(); // the error is printed on the screen the user returns to
    throw e;
  } finally {
    trap.release();
  }
  atEnd(result.aborted);
  await finish();
  if (result.skipped > 0) {
    // said without --verbose: the figures are fewer than asked, and the user should know why
    const slots = result.passes + result.skipped;
    ctx.io.warn(`${result.skipped} of ${slots} sample slot${slots === 1 ? '' : 's'} missed: a pass took up to ${formatDuration(result.maxPassUs)} `
      + `against a ${formatDuration(o.intervalUs)} interval (${zones.length} zone${zones.length === 1 ? '' : 's'}); sample less often (--interval) or fewer zones`);
  }
  if (trap.signal) process.exitCode = signalExit(trap.signal);
}
