/**
 * One JSON contract: every --json document says what it is (`format`: powercapctl-<command>)
 * and which version of its shape it follows, and matches schema/<command>.schema.json. A key
 * renamed or dropped fails here (README "JSON output").
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';
import { validate, type Schema } from '../src/core/snapshot/validate.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import type { CommandSpec } from '../src/cli/spec.js';
import { runJsonScenarios } from './json-scenarios.js';

const schemaOf = (name: string): Schema => JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', `${name}.schema.json`), 'utf8'));
const { scenarios, cleanup } = runJsonScenarios();
after(cleanup);

describe('every --json document carries its format and version and matches its schema', () => {
  for (const s of scenarios) {
    test(`${s.args.filter((a) => !a.startsWith('/')).join(' ')} → schema/${s.schema}.schema.json`, () => {
      assert.equal(s.result.code, s.code, s.result.stderr);
      const doc = s.result.json();
      assert.equal(doc.format, `powercapctl-${s.schema}`);
      assert.equal(doc.version, 1);
      assert.deepEqual(Object.keys(doc).slice(0, 2), ['format', 'version'], 'format and version come first');
      const problem = validate(schemaOf(s.schema), doc);
      assert.equal(problem, null, `${s.schema}: ${problem}`);
    });
  }
});

describe('the schemas', () => {
  /** leaf commands that print a --json document (watch streams NDJSON rows: docs/watch.md) */
  const leaves = (list: readonly CommandSpec[], parents: string[] = []): string[][] =>
    list.flatMap((c) => (c.subcommands?.length ? leaves(c.subcommands, [...parents, c.name]) : [[...parents, c.name]]));
  const NO_DOCUMENT = new Set(['watch', 'wizard', 'completion', 'start']);

  test('every command that prints JSON has a schema, and a scenario that checks it', () => {
    // a server's one --json line, checked against its schema by the test that starts and stops it
    const covered = new Set([...scenarios.map((s) => s.schema), 'exporter' /* test/exporter.test.ts */,
      'balance', 'govern' /* NDJSON records, test/balance-cmd.test.ts */]);
    for (const words of leaves(COMMANDS)) {
      if (NO_DOCUMENT.has(words[0]!)) continue;
      const name = words.join('-');
      assert.ok(fs.existsSync(path.join(ROOT, 'schema', `${name}.schema.json`)), `schema/${name}.schema.json`);
      assert.ok(covered.has(name), `a scenario runs ${words.join(' ')} --json`);
    }
  });

  test('a renamed key fails validation: the schemas are strict', () => {
    const s = scenarios.find((x) => x.schema === 'list')!;
    const doc = s.result.json();
    doc.zones[0].energy_uj = doc.zones[0].energyUj;
    delete doc.zones[0].energyUj;
    assert.match(String(validate(schemaOf('list'), doc)), /energy/);
    const top = s.result.json();
    top.zoneList = top.zones;
    delete top.zones;
    assert.notEqual(validate(schemaOf('list'), top), null);
  });
});
