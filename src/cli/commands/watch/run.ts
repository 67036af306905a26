/**
 * powercapctl watch: live sampling (or the replay of a recording) through the
 * core sampler, rendered as a live table, NDJSON, CSV or Prometheus text.
 */
import type { CommandContext } from '../../context.js';
import type { OpenedSource } from '../../../core/source/open.js';
import { Exit, notFound, permissionDenied, usageError } from '../../../core/errors.js';
import { formatDuration, parseDurationUs } from '../../../core/units.js';
import { readPowercapTree, type PowercapTree } from '../../../core/zones/model.js';
import { describeZone, selectZones } from '../../../core/zones/select.js';
import { planWatch, readPass, type Reading, type WatchZone } from '../../../core/watch/zones.js';
import { planSystemTotal } from '../../../core/watch/total.js';
import { Sampler, type GapReason, type PassResult, type WatchSample } from '../../../core/watch/sampler.js';
import { monotonicClock, runLiveLoop, runReplay, type PassHandler } from '../../../core/watch/loop.js';
import { Recorder, decodeRecording, selectRecorded, type RecordingDoc } from '../../../core/watch/recording.js';
import { assertWritableFile, writeFileAtomic } from '../../../core/atomic.js';
import { CSV_HEADER, CsvFormatter, NdjsonFormatter, prometheusText } from './writers.js';

type Format = 'table' | 'ndjson' | 'csv' | 'prometheus';

interface WatchOptions {
  format: Format;
  /** the wall clock at t = 0, for the RFC 3339 time of NDJSON and CSV rows (a replay: the recording's start) */
  startEpochMs?: number;
  intervalUs: bigint;
  count: number | null;
  /** --duration: the last slot of a live run (replays stop after `count` passes) */
  lastSlot: number | null;
  textfile: string | undefined;
  record: string | undefined;
  speed: number;
  type: string | undefined;
}

function parseOptions(ctx: CommandContext, opts: Record<string, unknown>): WatchOptions {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  // parsed by the option specs (watch/spec.ts): interval and duration in µs, count a whole number ≥ 1
  const intervalUs = (opts.interval as bigint | undefined) ?? parseDurationUs('1s');
  if (intervalUs < 1000n) throw usageError(`--interval ${formatDuration(intervalUs)}: too short`, 'sample at most every millisecond (e.g. --interval 100ms)');
  // a timer holds at most 2^31-1 ms (24.8 days); past that Node warns and fires at once, in a loop
  if (intervalUs > MAX_INTERVAL_US) throw usageError(`--interval ${formatDuration(intervalUs)}: too long (allowed: 1ms to 24h)`, 'e.g. --interval 1s, 30s or 1h');
  let count: number | null = null;
  let lastSlot: number | null = null;
  if (opts.count !== undefined) count = opts.count as number;
  else if (opts.duration !== undefined) count = lastSlot = Math.max(1, Number((opts.duration as bigint) / intervalUs));
  const textfile = str(opts.textfile);
  let format = str(opts.format) as Format | undefined;
  if (ctx.globals.json) {
    if (format !== undefined && format !== 'ndjson') throw usageError(`--json prints NDJSON: it cannot be combined with --format ${format}`);
    format = 'ndjson';
  }
  if (textfile !== undefined) {
    if (format !== undefined && format !== 'prometheus') throw usageError(`--textfile writes Prometheus text: it cannot be combined with --format ${format}`);
    format = 'prometheus';
  }
  format ??= ctx.io.interactive ? 'table' : 'ndjson';
  const speedText = str(opts.speed) ?? '1';
  const speed = Number(speedText);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(speedText) || !Number.isFinite(speed)) {
    throw usageError(`--speed ${speedText}: not a number`, '1 plays a recording as recorded, 10 ten times faster, 0 as fast as possible');
  }
  return { format, intervalUs, count, lastSlot, textfile, record: str(opts.record), speed, type: str(opts.type) };
}

/** The longest sampling interval (docs/security.md): a day, well inside a timer's 24.8-day range. */
const MAX_INTERVAL_US = 86_400_000_000n;

export async function run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const patterns = (args[0] as string[] | undefined) ?? [];
  const o = parseOptions(ctx, opts);
  const src = ctx.source();
  if (src.snapshot) return replay(ctx, src, patterns, o, opts);
  if (opts.speed !== undefined && opts.speed !== '1') throw usageError('--speed sets the pace of a replay: use it with --snapshot FILE');
  return live(ctx, src, patterns, o);
}

// ------------------------------------------------------------------ live

async function live(ctx: CommandContext, src: OpenedSource, patterns: string[], o: WatchOptions): Promise<void> {
  const tree = readPowercapTree(src.powercap);
  const selected = selectZones(tree, patterns, o.type);
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
      'see what the zones report with: powercapctl list',
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
  if (o.record !== undefined) {
    assertWritableFile(o.record);
    const { captureSnapshot } = await import('../../../core/snapshot/capture.js');
    recordDoc = captureSnapshot(src.powercap, {
      energyModel: ctx.energyModel(),
      rootPath: ctx.rootPath,
      emRootPath: ctx.energyModel() ? ctx.emRootPath : null,
    });
  }
  const startEpochMs = Date.now();
  if (recordDoc) recorder = new Recorder(plan.zones, o.intervalUs, new Date(startEpochMs).toISOString());

  const buffer: Reading[] = new Array<Reading>(plan.zones.length);
  await session(ctx, tree, plan.zones, { ...o, startEpochMs }, false, async (signal, onPass) =>
    runLiveLoop({
      intervalUs: o.intervalUs,
      // a duration ends at its last slot, on time, however many passes ran late
      count: o.lastSlot === null ? o.count : null,
      lastSlot: o.lastSlot,
      read: () => readPass(src.powercap, plan.zones, buffer),
      clock: monotonicClock,
      signal,
      onPass: (tUs, readings) => {
        recorder?.add(tUs, readings);
        return onPass(tUs, readings);
      },
    }),
  async () => {
    if (!recorder || !recordDoc || !o.record) return;
    recordDoc.recording = recorder.toDoc() as unknown as Record<string, unknown>;
    const { SnapshotFile } = await import('../../../core/snapshot/file.js');
    new SnapshotFile(o.record, recordDoc).save();
    ctx.io.note(`recorded ${Math.max(0, recorder.passes - 1)} samples of ${plan.zones.length} zone${plan.zones.length === 1 ? '' : 's'} in ${o.record}`);
  });
}

// ------------------------------------------------------------------ replay

async function replay(ctx: CommandContext, src: OpenedSource, patterns: string[], o: WatchOptions, opts: Record<string, unknown>): Promise<void> {
  const snap = src.snapshot!;
  if (o.record !== undefined) throw usageError('--record captures a live run; this is a replay of ' + snap.path, 'copy the snapshot file instead');
  if (opts.interval !== undefined && opts.interval !== 1_000_000n) ctx.io.warn('--interval is ignored in a replay: the recorded times are used');
  const doc = snap.doc.recording as RecordingDoc | undefined;
  if (!doc) {
    throw notFound(
      `${snap.path} holds no recording: nothing to replay`,
      'record one with: sudo powercapctl watch --record FILE (this snapshot still reads with list, tree, …)',
    );
  }
  const rec = decodeRecording(doc, snap.path);
  const tree = readPowercapTree(src.powercap);
  const { zones, readings } = selectRecorded(rec, patterns.length || o.type !== undefined ? new Set(selectZones(tree, patterns, o.type).map((z) => z.id)) : null);
  const started = Date.parse(rec.startedAt);
  await session(ctx, tree, zones, { ...o, intervalUs: rec.intervalUs, startEpochMs: Number.isNaN(started) ? 0 : started }, true, (signal, onPass) =>
    runReplay({ times: rec.times, readings, speed: o.speed, count: o.count, clock: monotonicClock, signal, onPass }),
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
  o: WatchOptions,
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

  const ac = new AbortController();
  let signalCode = 0;
  const onSigint = () => { signalCode = Exit.INTERRUPTED; ac.abort(); };
  const onSigterm = () => { signalCode = 143; ac.abort(); };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  let result: { aborted: boolean; skipped: number; passes: number; maxPassUs: bigint };
  try {
    result = await feed(ac.signal, (tUs, readings) => {
      const r = sampler.ingest(tUs, readings);
      if (r) for (const s of r.samples) if (s.gap) note(gapNote(s));
      onResult(r);
    });
  } catch (e) {
    release(); // the error is printed on the screen the user returns to
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
  }
  atEnd(result.aborted);
  await finish();
  if (result.skipped > 0) {
    // said without --verbose: the figures are fewer than asked, and the user should know why
    const slots = result.passes + result.skipped;
    ctx.io.warn(`${result.skipped} of ${slots} sample slot${slots === 1 ? '' : 's'} missed: a pass took up to ${formatDuration(result.maxPassUs)} `
      + `against a ${formatDuration(o.intervalUs)} interval (${zones.length} zone${zones.length === 1 ? '' : 's'}); sample less often (--interval) or fewer zones`);
  }
  if (signalCode) process.exitCode = signalCode;
}
