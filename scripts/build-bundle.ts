/**
 * Build step after tsc: bundle the program (src/cli/bundle-entry.ts) into one
 * CommonJS file, dist/powercapctl.cjs, with its source map (dist/powercapctl.cjs.map:
 * `-v` traces name src/ files and lines, cli/stack-trace.ts), and each package it loads
 * on demand into one file of dist/vendor/, which the package ships, then make the
 * bundle's V8 code cache (src/cli/code-cache.ts). With them the packed package runs on
 * nothing but Node: it has no dependencies for npm to fetch (docs/startup.md). On any
 * failure it removes what it made and says so: the launcher then loads the
 * compiled modules (and the packages from node_modules), slower to start but the
 * same program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, CACHE_FILE, makeCodeCache } from '../src/cli/code-cache.js';
import { MAP_FILE } from '../src/cli/stack-trace.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = path.join(root, 'dist');
const bundle = path.join(dist, BUNDLE_FILE);
const vendor = path.join(dist, 'vendor');

function giveUp(why: string): never {
  for (const f of [BUNDLE_FILE, CACHE_FILE, MAP_FILE]) fs.rmSync(path.join(dist, f), { force: true });
  fs.rmSync(vendor, { recursive: true, force: true });
  process.stderr.write(`powercapctl build: no bundle (${why}); the launcher will load the compiled modules instead\n`);
  process.exit(0);
}

// files of earlier builds (the V8 startup snapshot this bundle replaced)
for (const f of ['powercapctl.blob', 'powercapctl.key', 'powercapctl.node']) fs.rmSync(path.join(dist, f), { force: true });

/**
 * The packages that read the terminal as they load, or are large (inquirer alone brings 900 KB of
 * encodings): each is bundled into its own file, loaded when a command first needs it.
 */
const RUNTIME_PACKAGES = ['@inquirer/prompts', 'ora', 'chalk', 'cli-table3', 'yaml'];
const RUNTIME_PACKAGE = new RegExp(`^(${RUNTIME_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
/** set by bin/powercapctl: a require rooted at the bundle */
const RUNTIME_REQUIRE = '__powercapctlRequire';

let esbuild: typeof import('esbuild');
try {
  esbuild = await import('esbuild');
} catch {
  giveUp('esbuild is not installed');
}
const fail = (err: Error): never => giveUp(`bundling failed: ${err.message.split('\n')[0]}`);

/** every package folder a build read from node_modules, for the notices (dist/vendor/LICENSES.txt) */
const bundled = new Set<string>();
const noteInputs = (meta: import('esbuild').Metafile | undefined) => {
  for (const input of Object.keys(meta?.inputs ?? {})) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) bundled.add(path.resolve(root, m[1]!));
  }
};

// ------------------------------------------------------------------ dist/vendor/
// Each package becomes the file `require(name)` would have loaded, with its dependencies inside:
// an ES module stays one (.mjs, so require() still returns its namespace), CommonJS stays
// CommonJS. One runtime package imported by another (ora's chalk) is the sibling file.
const fromRoot = createRequire(path.join(root, 'package.json'));
/** what Node would take the file for: an ES module or CommonJS */
function isEsModule(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
  }
  return false;
}
const vendorFiles = new Map<string, string>();
for (const name of RUNTIME_PACKAGES) {
  let entry: string;
  try {
    entry = fromRoot.resolve(name);
  } catch {
    giveUp(`${name} is not installed: run npm ci`);
  }
  vendorFiles.set(name, `vendor/${name.replace(/^@/, '').replace('/', '-')}.${isEsModule(entry) ? 'mjs' : 'cjs'}`);
}
fs.rmSync(vendor, { recursive: true, force: true });
for (const name of RUNTIME_PACKAGES) {
  const entry = fromRoot.resolve(name);
  const out = vendorFiles.get(name)!;
  const esm = out.endsWith('.mjs');
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: esm ? 'esm' : 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: path.join(dist, out),
    logLevel: 'silent',
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    // CommonJS inside an ES module output calls require (for Node's own modules): give it one
    banner: esm ? { js: "import { createRequire as __powercapctlCreateRequire } from 'node:module'; const require = __powercapctlCreateRequire(import.meta.url);" } : {},
    plugins: [{
      name: 'sibling-runtime-packages',
      setup(b) {
        b.onResolve({ filter: RUNTIME_PACKAGE }, (a) => {
          const file = fromRoot.resolve(a.path);
          const own = createRequire(a.importer).resolve(a.path);
          // the same copy as the one bundled on its own: the sibling file; another version: inside
          return own === file ? { path: `./${path.basename(vendorFiles.get(a.path)!)}`, external: true } : undefined;
        });
      },
    }],
  }).catch(fail);
  if (r.errors.length) giveUp(`bundling ${name} failed`);
  noteInputs(r.metafile);
}

// ------------------------------------------------------------------ dist/powercapctl.cjs
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
  metafile: true,
  // read only when -v prints a stack (cli/stack-trace.ts): no cost to a start; no sources inside, the names and lines only
  sourcemap: 'external',
  sourcesContent: false,
  // the file is one function expression, which the launcher compiles as it is (no copy of 700 KB
  // to wrap it at every start): its head holds the first line alone, so every line and column V8
  // reports is the file's own, as the map has them
  banner: { js: '(function (exports, require, module, __filename, __dirname) { // powercapctl: bin/powercapctl compiles this file and calls it' },
  footer: { js: '})' },
  // modules find the package from the bundle's own place (dist/, set by the launcher): package-root.ts walks up from it
  define: { 'import.meta.url': 'globalThis.__powercapctlBundleUrl' },
  // less to read and hash at every start; names stay, so stack traces (--verbose) still read
  minifyWhitespace: true,
  minifySyntax: true,
  // The runtime packages are loaded from dist/vendor/ when a command first needs them. A dynamic
  // import() would need a loader hook inside the launcher's vm.Script, so each becomes a shim
  // calling the require the launcher installs (Node ≥ 20.19 requires ES modules such as chalk).
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
    // `import * as fs from 'node:fs'` becomes, in a CommonJS bundle, a copy of the module's every
    // export made as the importing module loads (esbuild's __toESM): some thirty modules import
    // fs and path so, ~2 ms of every start. Each of Node's modules our sources import becomes one
    // shared module instead, copied once.
    name: 'shared-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (a) => {
        if (a.namespace === 'node-builtin') return { path: a.path, external: true };
        return a.kind === 'import-statement' && !a.importer.includes(`${path.sep}node_modules${path.sep}`) ? { path: a.path, namespace: 'node-builtin' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (a) => ({ contents: `export * from ${JSON.stringify(a.path)};`, loader: 'js' }));
    },
  }, {
    name: 'runtime-packages',
    setup(b) {
      b.onResolve({ filter: RUNTIME_PACKAGE }, (a) => ({ path: a.path, namespace: 'runtime-package' }));
      b.onLoad({ filter: /.*/, namespace: 'runtime-package' }, (a) => ({
        contents: `module.exports = globalThis.${RUNTIME_REQUIRE}(${JSON.stringify(`./${vendorFiles.get(a.path)}`)});`,
        loader: 'js',
      }));
    },
  }],
}).catch(fail);
if (result.errors.length) giveUp('bundling failed');
noteInputs(result.metafile);
// esbuild escapes what is not ASCII, except in regular expressions (where an escape would change
// their .source): the launcher reads the bundle as latin1, a plain copy, which holds for ASCII only
const nonAscii = /[^\x00-\x7f]/.exec(fs.readFileSync(bundle, 'latin1'));
if (nonAscii) giveUp(`the bundle is not ASCII at byte ${nonAscii.index}: write a regular expression's character as \\uXXXX`);

// the licences of the code the bundle and dist/vendor/ carry, as their packages ship them
const notices = [...bundled].sort().map((dir) => {
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : `License: ${pj.license ?? 'not stated'}`;
  return `${pj.name}@${pj.version}\n\n${text}\n`;
});
fs.writeFileSync(path.join(vendor, 'LICENSES.txt'), `The packages built into dist/powercapctl.cjs and dist/vendor/, and their licences.\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`);

const made = makeCodeCache(root);
if (!made.ok) process.stderr.write(`powercapctl build: no code cache (${made.why}); the bundle starts a few milliseconds slower\n`);
