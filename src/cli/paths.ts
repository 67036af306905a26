import * as path from 'node:path';
import { packageRoot } from '../core/package-root.js';

/** The package root, wherever the code runs from (compiled modules or the bundle). */
export const PACKAGE_ROOT = packageRoot();
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');
export const exampleFile = (name: string) => path.join(EXAMPLES_DIR, `${name}.json`);
