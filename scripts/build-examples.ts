/**
 * Builds the bundled example snapshots (examples/*.json) from the fixture trees
 * in test/fixtures/specs.ts: each tree is written out as sysfs would lay it out,
 * then captured through the same code as `snapshot save`. Never typed by hand.
 * Run: npm run examples. A test fails when the committed files are stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLES } from '../test/fixtures/specs.js';
import { writeFixtureTree, makeTempDir } from '../test/fixtures/sysfs.js';
import { LiveSource } from '../src/core/source/live.js';
import { HwmonSource, PowercapWithHwmon } from '../src/core/source/hwmon.js';
import { FaultySource, parseFaults } from '../src/core/source/faults.js';
import { captureSnapshot } from '../src/core/snapshot/capture.js';
import { SnapshotFile } from '../src/core/snapshot/file.js';
import { readPowercapTree } from '../src/core/zones/powercap-tree.js';

export const EXAMPLE_TIME = new Date('2026-11-01T12:00:00.000Z');

export function buildExample(name: string): string {
  const ex = EXAMPLES[name];
  if (!ex) throw new Error(`no example '${name}'`);
  const dir = makeTempDir('powercapctl-example-');
  try {
    const t = writeFixtureTree(dir, ex.spec);
    const powercap = new LiveSource(t.classRoot);
    // GPUs as this machine's live tree shows them: hwmon zones beside powercap's
    const live = new FaultySource(t.hwmonRoot ? new PowercapWithHwmon(powercap, new HwmonSource(t.hwmonRoot), false) : powercap, parseFaults(t.faults));
    const doc = captureSnapshot(live, {
      energyModel: t.emRoot ? new LiveSource(t.emRoot) : null,
      rootPath: '/sys/class/powercap',
      emRootPath: t.emRoot ? '/sys/kernel/debug/energy_model' : null,
      hwmonRootPath: t.hwmonRoot ? '/sys/class/hwmon' : null,
      now: EXAMPLE_TIME,
    });
    doc.host = ex.host;
    doc.description = ex.description;
    doc.origin = { ...doc.origin, generatedBy: 'scripts/build-examples.ts' };
    if (ex.spec.drivers) doc.drivers = structuredClone(ex.spec.drivers);
    // the writes the driver refuses (a limit locked by firmware): a capture only reads, so the
    // snapshot learns them from the spec, as its emulated kernel needs them
    const snap = new SnapshotFile(`${name}.json`, doc);
    const zones = readPowercapTree(snap.powercap);
    for (const r of t.writeRefusals) {
      const attrs = snap.powercap.dir(zones.byId.get(r.zoneId)!.path)!.attrs!;
      const v = attrs[r.file]!;
      attrs[r.file] = typeof v === 'string' ? { text: v, writeErrno: r.errno } : { ...v, writeErrno: r.errno };
    }
    for (const entry of doc.dtpm?.registry ?? []) {
      const dt = ex.dtPaths?.[entry.name];
      if (dt) entry.dtPath = dt.length === 1 ? dt[0] : dt;
    }
    return new SnapshotFile(`${name}.json`, doc).serialize();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * examples/watch-laptop.json: the laptop with a one-minute `watch` recording, so that a user
 * on a machine without RAPL (a VM) can try `watch` by replay. The counters are synthesised:
 * idle, a 20 s build near the 15 W MMIO limit, idle again; 1 s samples with a few hundred µs
 * of jitter, as a real schedule has.
 */
export function buildWatchExample(): string {
  const doc = JSON.parse(buildExample('intel-laptop')) as Record<string, any>;
  const zones: Array<[string, string, string, string | null, bigint, number, number]> = [
    ['intel-rapl:0', 'package-0', 'intel-rapl', null, 52649883221n, 28000000, 242000000],
    ['intel-rapl:0:0', 'core', 'intel-rapl', 'intel-rapl:0', 17823556712n, 0, 242000000],
    ['intel-rapl:0:1', 'uncore', 'intel-rapl', 'intel-rapl:0', 1203349921n, 0, 242000000],
    ['intel-rapl:0:2', 'dram', 'intel-rapl', 'intel-rapl:0', 8331554772n, 0, 242000000],
    ['intel-rapl:1', 'psys', 'intel-rapl', null, 133749222101n, 0, 1000000000],
    ['intel-rapl-mmio:0', 'package-0', 'intel-rapl-mmio', null, 52651292004n, 15000000, 128000000],
  ];
  const samples = 60;
  const tUs = [1000, ...Array.from({ length: samples }, (_, i) => 1000000 + ((i * 7919) % 600) - 300)];
  const watts = (k: number): number[] => {
    const load = k >= 15 && k < 35 ? 1 : 0;
    const core = 1.2 + Math.sin(k / 3) * 0.3 + load * 9.2;
    const uncore = 0.4 + load * 1.1;
    const dram = 0.9 + load * 0.6;
    const pkg = core + uncore + 2.1 + load;
    return [pkg, core, uncore, dram, pkg + dram + 4.2, pkg];
  };
  const values = zones.map((z) => [z[4].toString()]);
  for (let k = 0; k < samples; k++) {
    const w = watts(k);
    zones.forEach((_, i) => values[i]!.push(String(Math.round(w[i]! * tUs[k + 1]!))));
  }
  doc.description = 'Intel laptop with a one-minute watch recording (idle, a 20 s build near the 15 W MMIO limit, idle): replay with --snapshot FILE watch';
  doc.recording = {
    format: 'powercapctl-watch', version: 1, startedAt: EXAMPLE_TIME.toISOString(), intervalUs: 1000000, passes: samples + 1,
    tUs: tUs.join(','),
    zones: zones.map((z, i) => ({
      id: z[0], name: z[1], controlType: z[2], parent: z[3], attr: 'energy_uj', maxEnergyRangeUj: 262143328850,
      maxPowerUw: z[6], limitUw: z[5], values: values[i]!.join(','),
    })),
  };
  return new SnapshotFile('watch-laptop.json', doc as never).serialize();
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const out = fileURLToPath(new URL('../../examples/', import.meta.url));
  fs.mkdirSync(out, { recursive: true });
  for (const name of Object.keys(EXAMPLES)) {
    fs.writeFileSync(path.join(out, `${name}.json`), buildExample(name));
    process.stdout.write(`examples/${name}.json\n`);
  }
  fs.writeFileSync(path.join(out, 'watch-laptop.json'), buildWatchExample());
  process.stdout.write('examples/watch-laptop.json\n');
}
