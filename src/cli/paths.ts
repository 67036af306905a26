import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** The package root (this file is dist/src/cli/paths.js once built). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');
export const exampleFile = (name: string) => path.join(EXAMPLES_DIR, `${name}.json`);
