/**
 * Entry point of the bundle, dist/powercapctl.cjs: esbuild puts the program
 * (commander, every spec, every command, the core) into that one CommonJS file
 * (scripts/build-bundle.ts), which bin/powercapctl compiles with V8's code cache.
 * One file and a cache instead of some forty ES modules: `list --json` starts
 * close to `node -e 0` (docs/startup.md).
 */
export { main } from './main.js';
