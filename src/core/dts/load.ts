/**
 * A device tree from whatever the user has: a source file (.dts/.dtsi, run through the C
 * preprocessor as the kernel build does when it uses #include or #define and `cpp` is installed:
 * `cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -P` with the file's folder and -I DIRs),
 * a binary blob (.dtb) or a directory laid out like /sys/firmware/devicetree/base.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readUserBytes, readUserFile, userFileError } from '../files.js';
import { Exit, PowercapError } from '../errors.js';
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
    const computed = checkCppIncludes(file, text, cppIncludeDirs(file, opts));
    const pre = computed === null ? runCpp(file, opts)
      : { text: null, why: `its ${computed} names a file only cpp can work out, which powercapctl cannot check before cpp opens it` };
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

/** The -I folders cpp is given, in its search order: the source's folder, then the user's. */
const cppIncludeDirs = (file: string, opts: LoadOptions): string[] => [path.dirname(file), ...(opts.includeDirs ?? [])];

/** `#include "f"`, `<f>` (and include_next, import) at the start of a line; group 3: a computed name (a macro) */
const CPP_INCLUDE = /^[ \t]*#[ \t]*(?:include_next|include|import)\b[ \t]*(?:"([^"\n]*)"|<([^>\n]*)>|([^\n]*))/gm;
/** cpp's own limit on nested includes (libcpp: "#include nested depth 200") */
const CPP_MAX_DEPTH = 200;

/**
 * Every file cpp would open for `file`, checked before cpp runs: cpp opens an include with a
 * blocking open(2) and reads it to the end, so a FIFO would hang it and /dev/zero fill it. Each
 * include is resolved as libcpp does (`"f"`: the including file's folder, then the -I folders in
 * order; `<f>`: the -I folders; a folder of that name is passed over) and read by the user-file
 * reader, which refuses anything but a regular file by name (exit 2, core/files.ts); includes
 * inside it are followed the same way. A file that is missing or unreadable is left for cpp to
 * report. Returns `#include NAME at FILE:LINE` for an include whose name a macro gives (it
 * cannot be followed without cpp), else null.
 */
function checkCppIncludes(file: string, text: string, dirs: string[]): string | null {
  const seen = new Set<string>([path.resolve(file)]);
  const stack = [{ file, text, depth: 0 }];
  while (stack.length) {
    const at = stack.pop()!;
    for (const m of at.text.matchAll(CPP_INCLUDE)) {
      const [, quoted, angled, other] = m;
      if (quoted === undefined && angled === undefined) {
        const line = at.text.slice(0, m.index).split('\n').length;
        return `#include ${other!.trim()} at ${at.file}:${line}`;
      }
      const found = findInclude(quoted ?? angled!, quoted !== undefined ? [path.dirname(at.file), ...dirs] : dirs);
      if (found === null || seen.has(found) || at.depth >= CPP_MAX_DEPTH) continue;
      seen.add(found);
      let body: string;
      try {
        body = readUserFile(found, { what: 'included device-tree file' });
      } catch (err) {
        // not a regular file: refused by name; anything else (permission, size) cpp reports itself
        if (err instanceof PowercapError && err.exitCode === Exit.USAGE) throw err;
        continue;
      }
      stack.push({ file: found, text: body, depth: at.depth + 1 });
    }
  }
  return null;
}

/** Where cpp finds `name` among `dirs` (an absolute name: itself), or null: the first path that is there and not a folder. */
function findInclude(name: string, dirs: string[]): string | null {
  for (const p of path.isAbsolute(name) ? [name] : dirs.map((d) => path.resolve(d, name))) {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { continue; }
    if (!st.isDirectory()) return p;
  }
  return null;
}

/** cpp as scripts/Makefile.lib runs it for .dts files (dtc_cpp_flags); null text when it cannot run. */
function runCpp(file: string, opts: LoadOptions): { text: string | null; why: string } {
  const cpp = opts.cpp ?? 'cpp';
  const args = ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-P'];
  for (const d of cppIncludeDirs(file, opts)) args.push('-I', d);
  args.push(file);
  const r = spawnSync(cpp, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30000 });
  if (r.error) return { text: null, why: `${cpp} could not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}; install the cpp package)` };
  if (r.status !== 0) {
    const first = String(r.stderr).split('\n').find((l) => /error/.test(l)) ?? String(r.stderr).split('\n')[0] ?? '';
    return { text: null, why: `cpp failed (${first.replace(/^.*?error: /, '').trim()}; give include folders with -I DIR)` };
  }
  return { text: r.stdout, why: '' };
}
