/**
 * Build step after tsc: bundle the program (src/cli/bundle-entry.ts) into one
 * CommonJS file, dist/powercapctl.cjs, which the package ships with its source map
 * (dist/powercapctl.cjs.map: `-v` traces name src/ files and lines, cli/stack-trace.ts),
 * then make its V8 code cache (src/cli/code-cache.ts). On any failure it removes them
 * and says so: the launcher then loads the compiled modules, slower to start but the
 * same program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, CACHE_FILE, makeCodeCache } from '../src/cli/code-cache.js';
import { MAP_FILE } from '../src/cli/stack-trace.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = path.join(root, 'dist');
const bundle = path.join(dist, BUNDLE_FILE);

function giveUp(why: string): never {
  for (const f of [BUNDLE_FILE, CACHE_FILE, MAP_FILE]) fs.rmSync(path.join(dist, f), { force: true });
  process.stderr.write(`powercapctl build: no bundle (${why}); the launcher will load the compiled modules instead\n`);
  process.exit(0);
}

// files of earlier builds (the V8 startup snapshot this bundle replaced)
for (const f of ['powercapctl.blob', 'powercapctl.key', 'powercapctl.node']) fs.rmSync(path.join(dist, f), { force: true });

const RUNTIME_PACKAGES = /^(@inquirer\/prompts|ora|chalk|cli-table3|yaml)$/;
/** set by bin/powercapctl: a require rooted at the bundle */
const RUNTIME_REQUIRE = '__powercapctlRequire';

let esbuild: typeof import('esbuild');
try {
  esbuild = await import('esbuild');
} catch {
  giveUp('esbuild is not installed');
}
const result = await esbuild.build({
  // the TypeScript sources (esbuild strips the types, as tsc emits them), so that the source map names src/ files
  entryPoints: [path.join(root, 'src/cli/bundle-entry.ts')],
  tsconfig: path.join(root, 'tsconfig.json'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: bundle,
  logLevel: 'silent',
  // read only when -v prints a stack (cli/stack-trace.ts): no cost to a start; no sources inside, the names and lines only
  sourcemap: 'external',
  sourcesContent: false,
  // the launcher compiles the bundle inside a function whose head it puts on the first line: that line
  // holds nothing else, so every line and column V8 reports is the file's own, as the map has them
  banner: { js: '// powercapctl: bin/powercapctl runs this file as the body of a function opened on this line' },
  // modules find the package from the bundle's own place (dist/, set by the launcher): package-root.ts walks up from it
  define: { 'import.meta.url': 'globalThis.__powercapctlBundleUrl' },
  // less to read and hash at every start; names stay, so stack traces (--verbose) still read
  minifyWhitespace: true,
  minifySyntax: true,
  // loaded from node_modules when a command first needs them (inquirer alone brings 900 KB of
  // encodings). A dynamic import() would need a loader hook inside the launcher's vm.Script, so
  // each becomes a shim calling the require the launcher installs (Node ≥ 20.19 requires ES
  // modules such as chalk, ora and inquirer).
  plugins: [{
    // commander requires child_process (for executable subcommands, which this program has none
    // of) as it loads, and with it net, dgram and streams: ~4 ms of every start. It gets the
    // module on first use instead.
    name: 'lazy-child-process',
    setup(b) {
      b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (/[\\/]commander[\\/]/.test(a.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
        contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= globalThis.${RUNTIME_REQUIRE}('node:child_process'))[k] });`,
        loader: 'js',
      }));
    },
  }, {
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

const made = makeCodeCache(root);
if (!made.ok) process.stderr.write(`powercapctl build: no code cache (${made.why}); the bundle starts a few milliseconds slower\n`);
