/**
 * The startup image (a V8 startup snapshot) that bin/powercapctl starts from:
 * `node --build-snapshot` evaluates the bundle dist/powercapctl.cjs (made by
 * scripts/build-snapshot.ts with esbuild) and saves the heap as
 * dist/powercapctl.blob. Node refuses an image made by another Node, under other
 * V8 flags or on a CPU with other features (exit 14), so the image is stored with
 * a key, dist/powercapctl.key: the launcher's own account of those inputs
 * (`bin/powercapctl __startup-key`), and the launcher uses the image only when
 * its key for the running Node is the same.
 *
 * Run as a script (the package's postinstall), it makes the image in an installed
 * package, where esbuild is absent but the bundle ships: a global install from
 * the packed tarball then starts as fast as a checkout. It never fails the
 * install: without an image the launcher loads the compiled modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const IMAGE_FILES = { bundle: 'powercapctl.cjs', blob: 'powercapctl.blob', key: 'powercapctl.key' } as const;

/** Make dist/powercapctl.blob and its key from dist/powercapctl.cjs; on failure remove both and say why. */
export function makeStartupImage(packageDir: string): { ok: true } | { ok: false; why: string } {
  const dist = path.join(packageDir, 'dist');
  const bundle = path.join(dist, IMAGE_FILES.bundle);
  const blob = path.join(dist, IMAGE_FILES.blob);
  const keyFile = path.join(dist, IMAGE_FILES.key);
  const fail = (why: string) => {
    for (const f of [blob, keyFile]) fs.rmSync(f, { force: true });
    return { ok: false as const, why };
  };
  if (!fs.existsSync(bundle)) return fail(`${bundle} is missing`);
  // the image's key must describe the Node that built it: put this one first on PATH for the launcher
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  try {
    fs.rmSync(keyFile, { force: true });
    const r = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', bundle], { cwd: dist, encoding: 'utf8', env });
    if (r.status !== 0 || !fs.existsSync(blob)) return fail(`node --build-snapshot exited ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`);
    const k = spawnSync('sh', [path.join(packageDir, 'bin', 'powercapctl'), '__startup-key'], { encoding: 'utf8', env });
    if (k.status !== 0 || !k.stdout.trim()) return fail(`the launcher gave no key (exit ${k.status})`);
    // the key last: a launcher that sees it finds a complete image
    fs.writeFileSync(keyFile, k.stdout);
    return { ok: true };
  } catch (err) {
    return fail((err as Error).message);
  }
}

// `node dist/src/cli/startup-image.js` (postinstall): make the image, or say in one line why not
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const r = makeStartupImage(packageDir);
  if (!r.ok) process.stderr.write(`powercapctl: no startup image (${r.why}); it runs from the compiled modules, a little slower to start\n`);
}
