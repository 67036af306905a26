/**
 * No import cycles in src/: madge (a devDependency, pinned) walks the TypeScript sources,
 * static and dynamic imports, and the test fails naming every cycle it finds. Type-only
 * imports are skipped (.madgerc `skipTypeImports`): they vanish at compile time, and a
 * runner reads the option types its command's spec declares while the spec loads the runner.
 * madge parses TypeScript through @typescript-eslint/typescript-estree, which needs the
 * TypeScript 5 compiler API; the project's compiler is TypeScript 7 (no JS API), so the
 * TypeScript 5 that madge's own dependencies install is handed to the parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.js';

const MADGE = path.join(ROOT, 'node_modules/madge/bin/cli.js');

/** The TypeScript 5 installed beside madge's resolver (precinct, filing-cabinet or dependency-tree). */
function typescriptForMadge(): string | null {
  for (const dir of ['precinct', 'filing-cabinet', 'dependency-tree']) {
    const p = path.join(ROOT, 'node_modules', dir, 'node_modules/typescript');
    if (fs.existsSync(path.join(p, 'package.json'))) return p;
  }
  return null;
}

test('src/ has no import cycles (madge --circular --extensions ts src)', () => {
  assert.ok(fs.existsSync(MADGE), 'madge is not installed: run `npm ci` (it is a devDependency)');
  const ts5 = typescriptForMadge();
  assert.ok(ts5, 'madge needs the TypeScript 5 its dependencies install: run `npm ci`');
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, parent, ...rest) {
      if (request === 'typescript' && parent && /node_modules[\\\\/](@typescript-eslint|ts-api-utils|detective-typescript)[\\\\/]/.test(parent.filename)) {
        return resolve.call(this, ${JSON.stringify(ts5)}, parent, ...rest);
      }
      return resolve.call(this, request, parent, ...rest);
    };
    process.argv = [process.argv[0], 'madge', '--circular', '--no-spinner', '--no-color', '--extensions', 'ts', 'src'];
    require(${JSON.stringify(MADGE)});`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  assert.match(out, /Processed \d+ files/, `madge did not run:\n${out}`);
  assert.equal(r.status, 0, `import cycles in src/:\n${out}`);
  assert.match(out, /No circular dependency found/);
});
