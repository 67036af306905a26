import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CommandContext } from '../../context.js';
import { PowercapError } from '../../../core/errors.js';
import { readPowercapTree, type PowercapTree } from '../../../core/zones/powercap-tree.js';
import { runChecks, FINDING_IDS, type DoctorInput } from '../../../core/doctor/checks.js';
import { sourceJson } from '../../render/zones.js';
import { readUserFile } from '../../../core/files.js';
import { wordFinding } from './fixes.js';
import type { DoctorOptions } from './spec.js';

/** The kernel log: the file given; else, on a live tree, `dmesg` when this user may read it. */
function kernelLog(file: string | undefined, live: boolean): Pick<DoctorInput, 'kernelLog' | 'kernelLogMissing'> {
  if (file !== undefined) return { kernelLog: readUserFile(file, { what: 'kernel log' }) };
  // this machine's log says nothing of a snapshot's machine
  if (!live) return { kernelLog: null, kernelLogMissing: 'not-given' };
  const r = spawnSync('dmesg', [], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? { kernelLog: r.stdout } : { kernelLog: null, kernelLogMissing: 'unreadable' };
}

export async function run(ctx: CommandContext, _args: [], opts: DoctorOptions): Promise<void> {
  const live = ctx.globals.snapshot === undefined;
  const log = kernelLog(opts.kernelLog, live);
  let tree: PowercapTree | null = null;
  let info: ReturnType<CommandContext['source']>['info'] | null = null;
  try {
    const src = ctx.source();
    info = src.info;
    tree = readPowercapTree(src.powercap);
  } catch (err) {
    // no tree is a finding, not a failure; a bad snapshot is still an error
    if (!(err instanceof PowercapError) || !live) throw err;
  }
  const findings = runChecks({
    tree, where: ctx.globals.snapshot ?? ctx.rootPath, live, procDir: path.resolve(opts.proc), rootDir: path.resolve(opts.rootDir),
    ...log, uid: process.getuid?.() ?? -1, intervalUs: opts.interval,
  }).map(wordFinding);
  if (ctx.globals.json) {
    ctx.io.json({ format: 'powercapctl-doctor', version: 1, source: info ? sourceJson(info) : { kind: 'live', root: ctx.rootPath }, checks: [...FINDING_IDS], findings });
    return;
  }
  const { makeColors, palette } = await import('../../color.js');
  const p = palette(makeColors(ctx.globals.color, ctx.io.stdoutIsTTY));
  const mark = (f: { severity: string }) => (f.severity === 'error' ? p.warn('error') : f.severity === 'warning' ? p.warn('warning') : p.dim('info'));
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${mark(f)} ${p.id(f.id)}: ${f.title}`);
    for (const e of f.evidence) lines.push(`    ${p.dim('·')} ${e}`);
    lines.push(`    fix: ${f.fix}`);
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const problems = count('error') + count('warning');
  lines.push(problems === 0
    ? `no problems found (${FINDING_IDS.length} checks${findings.length ? `, ${findings.length} note${findings.length === 1 ? '' : 's'}` : ''})`
    : `${problems} problem${problems === 1 ? '' : 's'}: ${count('error')} error${count('error') === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'} (${FINDING_IDS.length} checks)`);
  ctx.io.out(lines.join('\n'));
}
