/**
 * A device tree from whatever the user has: a source file (.dts/.dtsi, run through the C
 * preprocessor as the kernel build does when it uses #include or #define and `cpp` is installed:
 * `cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -P` with the file's folder and -I DIRs),
 * a binary blob (.dtb) or a directory laid out like /sys/firmware/devicetree/base.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readUserBytes, userFileError } from '../files.js';
import { isFdt, parseFdt, readDtDirectory } from './fdt.js';
import { parseDts, type ParsedDts } from './parser.js';

export interface LoadOptions {
  /** -I DIR: include folders for cpp and for the reader's own #include */
  includeDirs?: string[];
  /** the cpp to run (the CLI passes POWERCAPCTL_CPP, which tests point elsewhere); default `cpp` on PATH */
  cpp?: string;
}

export interface LoadedTree extends ParsedDts {
  kind: 'dts' | 'dtb' | 'directory';
  /** how the source was read, for output */
  how: string;
}

const needsCpp = (text: string) => /^\s*#\s*(include|define|if|ifdef|ifndef)\b/m.test(text);

export function loadDeviceTree(file: string, opts: LoadOptions = {}): LoadedTree {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (err) {
    throw userFileError(file, err, { what: 'device-tree file', hint: 'give a .dts/.dtsi/.dtb file or a directory like /sys/firmware/devicetree/base' });
  }
  if (st.isDirectory()) return { ...readDtDirectory(file), kind: 'directory', how: `the device tree in ${file}` };
  let buf: Buffer;
  // a regular file only (a FIFO or a device is refused, never read until it ends), size capped
  buf = readUserBytes(file, { what: 'device-tree file', hint: 'give the path of a .dts/.dtsi/.dtb file' });
  if (isFdt(buf)) return { ...parseFdt(buf, file), kind: 'dtb', how: `the blob ${file}` };
  const text = buf.toString('utf8');
  if (needsCpp(text)) {
    const pre = runCpp(file, opts);
    if (pre.text !== null) {
      const parsed = parseDts(pre.text, file, { includeDirs: opts.includeDirs ?? [] });
      return { ...parsed, kind: 'dts', how: `${file} through cpp` };
    }
    const parsed = parseDts(text, file, { includeDirs: opts.includeDirs ?? [] });
    parsed.notes.unshift(`${file} uses the C preprocessor and ${pre.why}: read without it (macros from headers are not expanded; what cannot be parsed outside the nodes in use is skipped)`);
    return { ...parsed, kind: 'dts', how: file };
  }
  return { ...parseDts(text, file, { includeDirs: opts.includeDirs ?? [] }), kind: 'dts', how: file };
}

/** cpp as scripts/Makefile.lib runs it for .dts files (dtc_cpp_flags); null text when it cannot run. */
function runCpp(file: string, opts: LoadOptions): { text: string | null; why: string } {
  const cpp = opts.cpp ?? 'cpp';
  const args = ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-P', '-I', path.dirname(file)];
  for (const d of opts.includeDirs ?? []) args.push('-I', d);
  args.push(file);
  const r = spawnSync(cpp, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30000 });
  if (r.error) return { text: null, why: `${cpp} could not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}; install the cpp package)` };
  if (r.status !== 0) {
    const first = String(r.stderr).split('\n').find((l) => /error/.test(l)) ?? String(r.stderr).split('\n')[0] ?? '';
    return { text: null, why: `cpp failed (${first.replace(/^.*?error: /, '').trim()}; give include folders with -I DIR)` };
  }
  return { text: r.stdout, why: '' };
}
