/**
 * powercapctl exporter: one read of the tree, then the watch sampling loop
 * feeding the collector, and the HTTP server serving its exposition, until
 * SIGTERM (exit 0) or Ctrl-C (exit 130).
 */
import type { CommandContext } from '../../context.js';
import { notFound } from '../../../core/errors.js';
import { signalExit, trapSignals } from '../../signals.js';
import { formatDuration } from '../../../core/units.js';
import { readPowercapTree, type PowercapTree, type Zone } from '../../../core/zones/powercap-tree.js';
import { describeZone, selectZones } from '../../../core/zones/select.js';
import { planWatch, type Reading, type WatchPlan, type WatchZone } from '../../../core/watch/zones.js';
import { planSystemTotal } from '../../../core/watch/total.js';
import { runLiveLoop, runReplay } from '../../../core/watch/loop.js';
import { decodeRecording, selectRecorded, type DecodedRecording, type RecordingDoc } from '../../../core/watch/recording.js';
import type { OpenedSource } from '../../../core/source/open.js';
import { ExporterCollector, type SnapshotFeed } from '../../../core/exporter/collector.js';
import { createExporterServer, formatHostPort, listen } from '../../../core/exporter/server.js';
import { monotonicClock, monotonicUs, processCost } from '../../clock.js';
import { commandLine } from '../../hints.js';
import { VERSION } from '../../version.js';
import type { ExporterArgs, ExporterOptions } from './spec.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The zones summed into the system figure: the rule of watch's system line (a single zone is its own total here: a fleet always gets one). */
function systemTotal(zones: WatchZone[], tree: PowercapTree): string[] {
  if (zones.length === 0) return [];
  return planSystemTotal(
    zones.map((z) => ({ ...z, hasConstraints: (tree.byId.get(z.id)?.constraints.length ?? 1) > 0 })),
    {
      childNames: (id) => tree.byId.get(id)?.children.map((c) => c.name ?? '') ?? [],
      nameOf: (id) => tree.byId.get(id)?.name ?? null,
    },
  ).summed;
}

/**
 * Where power and energy come from: a live tree is sampled; a snapshot's `watch --record`
 * recording is replayed as watch replays it (recorded times, at --speed 1); a snapshot
 * without one holds a single reading of each counter, which measures nothing, so power
 * and energy are left out rather than exported as 0 W.
 */
type Feed =
  | { kind: 'live'; plan: WatchPlan }
  | { kind: 'replay'; plan: WatchPlan; rec: DecodedRecording }
  | { kind: 'none'; plan: WatchPlan };

function feedOf(src: OpenedSource, tree: PowercapTree, selected: Zone[]): Feed {
  const doc = src.snapshot?.doc.recording as RecordingDoc | undefined;
  if (!src.snapshot) return { kind: 'live', plan: planWatch(selected, tree.byId) };
  if (!doc) return { kind: 'none', plan: { zones: [], skipped: [] } };
  const rec = selectRecorded(decodeRecording(doc, src.snapshot.path), new Set(selected.map((z) => z.id)));
  return { kind: 'replay', plan: { zones: rec.zones, skipped: [] }, rec };
}

export async function run(ctx: CommandContext, [patterns]: ExporterArgs, opts: ExporterOptions): Promise<void> {
  const { host, port } = opts.listen;
  // limits are re-read on a pass: never more often than the passes come
  const limitsIntervalUs = opts.limitsInterval < opts.interval ? opts.interval : opts.limitsInterval;
  const startedMs = Date.now();
  const src = ctx.source();
  const tree = readPowercapTree(src.powercap);
  const selected = selectZones(tree, patterns, opts.type);
  if (selected.length === 0) throw notFound('no powercap zones to export: this machine exposes none', `VMs and containers usually have none; see what there is with: ${commandLine(ctx.globals, 'list')}`);
  const feed = feedOf(src, tree, selected);
  const plan = feed.plan;
  const summed = systemTotal(plan.zones, tree);
  const denied = plan.skipped.filter((s) => s.reason === 'permission');
  if (denied.length) {
    const names = denied.slice(0, 4).map((s) => describeZone(s.zone)).join(', ') + (denied.length > 4 ? `, … (${denied.length} in all)` : '');
    ctx.io.warn(`energy_uj is readable by root only: no energy or power for ${names}; limits are still served (run as root for energy)`);
  }
  const file = src.snapshot?.path ?? '';
  let snapshot: SnapshotFeed | undefined;
  let sampledText: string;
  if (feed.kind === 'none') {
    const why = 'a snapshot holds one reading of each counter, which measures no power';
    snapshot = { file, energy: 'absent', reason: `${why}: energy and power are left out; serve a snapshot recorded with watch --record to replay one` };
    ctx.io.warn(`${file} holds no recording: energy and power are left out (${why}); limits are served. Record one with: sudo powercapctl watch --record FILE`);
    sampledText = `no energy or power: ${file} holds no recording`;
  } else if (feed.kind === 'replay') {
    const spanUs = feed.rec.times.length ? feed.rec.times[feed.rec.times.length - 1]! - feed.rec.times[0]! : 0n;
    snapshot = { file, energy: 'replayed', reason: `the watch recording of ${feed.rec.startedAt}, replayed at its recorded pace; its last values stay once it ends` };
    ctx.io.note(`replaying the recording in ${file}: ${Math.max(0, feed.rec.times.length - 1)} samples of ${plan.zones.length} zone${plan.zones.length === 1 ? '' : 's'} over ${formatDuration(spanUs)}, as recorded; its last values stay served after it ends`);
    sampledText = `${plan.zones.length} of ${selected.length} zones replayed from the recording in ${file}`;
  } else {
    sampledText = `${plan.zones.length} of ${selected.length} zones sampled every ${formatDuration(opts.interval)} from ${ctx.rootPath}`;
  }

  const collector = new ExporterCollector({
    source: src.powercap, tree, zones: selected, plan, summed,
    intervalUs: feed.kind === 'replay' ? feed.rec.intervalUs : opts.interval, limitsIntervalUs: limitsIntervalUs, version: VERSION, startedMs,
    ...(snapshot ? { snapshot } : {}),
    nowUs: monotonicUs, processCost,
  });
  const homePage =
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>powercapctl exporter</title></head>\n<body>\n' +
    '<h1>powercapctl exporter</h1>\n' +
    `<p>${escapeHtml(sampledText)}; limits re-read every ${escapeHtml(formatDuration(limitsIntervalUs))}.</p>\n` +
    '<p><a href="metrics">Metrics</a></p>\n</body></html>\n';
  const server = createExporterServer({
    exposition: (om, gzip) => collector.exposition(om, gzip),
    homePage,
    maxConnections: opts.maxConnections,
    clientTimeoutMs: Number(opts.clientTimeout / 1000n),
    onClientError: (m) => ctx.io.debug(m),
  });

  // SIGTERM is how a service manager stops it: exit 0; another fatal signal (Ctrl-C, SIGHUP, SIGQUIT) exits 128+N
  const ac = new AbortController();
  const trap = trapSignals(() => ac.abort());
  // the first pass (the baseline) is taken at once; the server starts meanwhile
  // a replay compares each pass with the limits recorded with it (watch --record), as watch's replay does
  const recorded = feed.kind === 'replay' ? feed.rec.limits : null;
  let pass = 0;
  const onPass = (tUs: bigint, readings: Reading[]) => collector.ingest(tUs, readings, recorded?.[pass++]);
  const loop = feed.kind === 'replay'
    ? runReplay({ times: feed.rec.times, readings: feed.rec.readings, speed: 1, count: null, clock: monotonicClock, signal: ac.signal, onPass })
      .then((r) => { if (!r.aborted) ctx.io.note(`the recording in ${file} ended after ${Math.max(0, r.passes - 1)} samples: serving its last values`); return r; })
    : runLiveLoop({ intervalUs: opts.interval, count: null, read: () => collector.read(), clock: monotonicClock, signal: ac.signal, onPass });
  try {
    const address = await listen(server, host, port);
    const url = `http://${formatHostPort(address.address, address.port)}/metrics`;
    if (ctx.globals.json) {
      ctx.io.out(JSON.stringify({
        format: 'powercapctl-exporter', version: 1, url,
        listen: { address: address.address, port: address.port },
        intervalUs: Number(opts.interval), limitsIntervalUs: Number(limitsIntervalUs),
        sampled: plan.zones.map((z) => z.id), summed,
        unreadable: denied.map((s) => s.zone.id),
        zones: selected.map((z) => z.id),
      }));
    } else {
      ctx.io.note(`serving ${url}: ${sampledText}`);
    }
    await new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    ac.abort();
    trap.release();
    await loop;
    if (server.listening) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    }
  }
  ctx.io.debug(`stopped after ${collector.passes} passes`);
  if (trap.signal && trap.signal !== 'SIGTERM') process.exitCode = signalExit(trap.signal);
}
