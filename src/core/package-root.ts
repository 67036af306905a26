/**
 * The package's root directory (where package.json, schema/ and examples/ are),
 * found by walking up from this module: the same answer from the compiled modules
 * (dist/src/…) and from the bundle (dist/bundle/…).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Set by the startup-snapshot entry, where modules have no URL of their own. */
export function setPackageRoot(dir: string): void {
  cached = dir;
}

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    try {
      if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'powercapctl') return (cached = dir);
    } catch { /* not here */ }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('powercapctl: cannot find the package root (package.json)');
    dir = up;
  }
}
