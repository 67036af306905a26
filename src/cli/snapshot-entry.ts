/**
 * Entry point of the V8 startup snapshot (dist/powercapctl.blob, made by
 * scripts/build-snapshot.ts at build time). Evaluating the program here puts
 * commander, every command spec and the core into the heap image, so a run
 * deserialises them instead of loading some forty modules: `list --json` then
 * starts almost as fast as `node -e 0`.
 *
 * What reads the terminal or the environment when it loads (runners, chalk, ora,
 * inquirer, cli-table3) is NOT evaluated here: it stays lazy and loads at run time.
 * The launcher (bin/powercapctl) runs `node --snapshot-blob dist/powercapctl.blob -- ARGS`.
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { createRequire } from 'node:module';
import { main } from './main.js';
import { setPackageRoot } from '../core/package-root.js';
// evaluated now, into the image: the program (commander, specs, context, core), built, and the completion fast path
import { prebuildProgram } from './program.js';
import './completion/fast.js';
// the model calculators: pure at load time, and their targets are measured against --version
import './commands/model/em.js';
import './commands/model/budget.js';

prebuildProgram();

v8.startupSnapshot.setDeserializeMainFunction(() => {
  const i = process.execArgv.indexOf('--snapshot-blob');
  // the blob is PACKAGE/dist/powercapctl.blob
  const root = i >= 0 && process.execArgv[i + 1] ? path.resolve(path.dirname(process.execArgv[i + 1]!), '..') : process.cwd();
  setPackageRoot(root);
  // packages left out of the image (scripts/build-snapshot.ts) load through this, from the package's node_modules
  (globalThis as Record<string, unknown>).__powercapctlRequire = createRequire(path.join(root, 'package.json'));
  void main(process.argv.slice(1));
});
