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
import { FaultySource, parseFaults } from '../src/core/source/faults.js';
import { captureSnapshot } from '../src/core/snapshot/capture.js';
import { SnapshotFile } from '../src/core/snapshot/file.js';

export const EXAMPLE_TIME = new Date('2026-11-01T12:00:00.000Z');

export function buildExample(name: string): string {
  const ex = EXAMPLES[name];
  if (!ex) throw new Error(`no example '${name}'`);
  const dir = makeTempDir('powercapctl-example-');
  try {
    const t = writeFixtureTree(dir, ex.spec);
    const live = new FaultySource(new LiveSource(t.classRoot), parseFaults(t.faults));
    const doc = captureSnapshot(live, {
      energyModel: t.emRoot ? new LiveSource(t.emRoot) : null,
      rootPath: '/sys/class/powercap',
      emRootPath: t.emRoot ? '/sys/kernel/debug/energy_model' : null,
      now: EXAMPLE_TIME,
    });
    doc.host = ex.host;
    doc.description = ex.description;
    doc.origin = { ...doc.origin, generatedBy: 'scripts/build-examples.ts' };
    for (const entry of doc.dtpm?.registry ?? []) {
      const dt = ex.dtPaths?.[entry.name];
      if (dt) entry.dtPath = dt.length === 1 ? dt[0] : dt;
    }
    return new SnapshotFile(`${name}.json`, doc).serialize();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const out = fileURLToPath(new URL('../../examples/', import.meta.url));
  fs.mkdirSync(out, { recursive: true });
  for (const name of Object.keys(EXAMPLES)) {
    fs.writeFileSync(path.join(out, `${name}.json`), buildExample(name));
    process.stdout.write(`examples/${name}.json\n`);
  }
}
