/**
 * Build step after tsc: bundle src/cli/snapshot-entry into one CommonJS file
 * (dist/powercapctl.cjs, which the package ships) and make the startup image from
 * it (src/cli/startup-image.ts). On any failure it removes the image and says so:
 * the launcher then runs the compiled modules, slower but the same program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_FILES, makeStartupImage } from '../src/cli/startup-image.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = path.join(root, 'dist');
const bundle = path.join(dist, IMAGE_FILES.bundle);

function giveUp(why: string): never {
  for (const f of [IMAGE_FILES.blob, IMAGE_FILES.key, 'powercapctl.node']) fs.rmSync(path.join(dist, f), { force: true });
  process.stderr.write(`powercapctl build: no startup snapshot (${why}); the launcher will load the compiled modules instead\n`);
  process.exit(0);
}

const RUNTIME_PACKAGES = /^(@inquirer\/prompts|ora|chalk|cli-table3|yaml)$/;
/** must match src/cli/snapshot-entry.ts */
const RUNTIME_REQUIRE = '__powercapctlRequire';

let esbuild: typeof import('esbuild');
try {
  esbuild = await import('esbuild');
} catch {
  giveUp('esbuild is not installed');
}
const result = await esbuild.build({
  entryPoints: [path.join(dist, 'src/cli/snapshot-entry.js')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: bundle,
  logLevel: 'silent',
  // modules find the package through setPackageRoot() in the image, not import.meta.url
  define: { 'import.meta.url': 'undefined' },
  // loaded from node_modules when a command first needs them: they read the terminal as they
  // load, and leaving them out keeps the image small (inquirer alone brings 900 KB of encodings).
  // In an image `require` knows only built-ins and import() is unavailable, so each becomes a
  // shim calling the package-rooted require that snapshot-entry installs at start (Node ≥ 20.19
  // requires ES modules such as chalk, ora and inquirer).
  plugins: [{
    name: 'runtime-packages',
    setup(b) {
      b.onResolve({ filter: RUNTIME_PACKAGES }, (a) => ({ path: a.path, namespace: 'runtime-package' }));
      b.onLoad({ filter: /.*/, namespace: 'runtime-package' }, (a) => ({
        contents: `module.exports = globalThis.${RUNTIME_REQUIRE}(${JSON.stringify(a.path)});`,
        loader: 'js',
      }));
    },
  }],
}).catch((err: Error) => giveUp(`bundling failed: ${err.message.split('\n')[0]}`));
if (result.errors.length) giveUp('bundling failed');

const made = makeStartupImage(root);
if (!made.ok) giveUp(made.why);
// the stamp of earlier builds (the node's path), no longer read
fs.rmSync(path.join(dist, 'powercapctl.node'), { force: true });
