// Injected faults, for tests and for rehearsing failure handling on a copy:
//   POWERCAPCTL_FAULTS='read:*/energy_uj=EACCES;write:*/intel-rapl:1/constraint_0_power_limit_uw=EIO'
// Each rule is `read|write|list:GLOB=ERRNO`, the glob matched against '/' followed by
// the path relative to the source root (`*` crosses '/'), so one rule fits both layouts.
// A matching read returns the errno; a matching write throws it, as the kernel would.
// `after-write:GLOB=SIGNAL` (or `after-write:#N=SIGNAL`, the Nth write) reports that signal
// right after a matching write succeeds, and the CLI that installed the rules sends it to the
// process: Ctrl-C between two writes, on demand. See docs/testing.md.
import { SysfsError, usageError } from '../errors.js';
import type { DirEntry, ReadResult, Source, SourceInfo } from './types.js';
import type { DriverFacts } from './drivers.js';
import { globToRegExp } from '../glob.js';

/** The signals an after-write rule may name. */
export const FAULT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
export type FaultSignal = (typeof FAULT_SIGNALS)[number];

/** An after-write rule fired: the write it followed and the signal it names, for the CLI to send. */
export interface FaultEvent {
  signal: FaultSignal;
  /** the attribute written, relative to the source root */
  rel: string;
}

export interface FaultRule {
  op: 'read' | 'write' | 'list' | 'after-write';
  pattern: RegExp;
  /** the errno a read/write/list rule answers with ('' for after-write rules) */
  errno: string;
  /** after-write: the signal to report (SIGINT) */
  signal?: FaultSignal;
  /** after-write: fire on the Nth successful write (1-based) instead of a path pattern */
  nth?: number;
}

/** A rule's glob (the one glob translation, core/glob.ts); a malformed one names the rule. */
function faultGlob(glob: string, rule: string): RegExp {
  try {
    return globToRegExp(glob);
  } catch {
    throw usageError(`POWERCAPCTL_FAULTS: rule '${rule}': malformed [...] in its glob`, 'a glob takes *, ? and [...] (docs/testing.md)');
  }
}

export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const sig = /^after-write:(.+)=(SIG[A-Z0-9]+)$/.exec(part);
    if (sig) {
      if (!(FAULT_SIGNALS as readonly string[]).includes(sig[2]!)) throw usageError(`POWERCAPCTL_FAULTS: rule '${part}': ${sig[2]} is not a signal a rule may send`, 'one of SIGINT, SIGTERM, SIGHUP, SIGQUIT');
      const nth = /^#([0-9]+)$/.exec(sig[1]!);
      rules.push({ op: 'after-write', pattern: nth ? /^$/ : faultGlob(sig[1]!, part), errno: '', signal: sig[2] as FaultSignal, ...(nth ? { nth: Number(nth[1]) } : {}) });
      continue;
    }
    const m = /^(read|write|list):(.+)=(E[A-Z0-9]+)$/.exec(part);
    if (!m) throw usageError(`POWERCAPCTL_FAULTS: cannot parse rule '${part}'`, 'expected read|write|list:GLOB=ERRNO or after-write:GLOB|#N=SIGNAL (docs/testing.md)');
    rules.push({ op: m[1] as FaultRule['op'], pattern: faultGlob(m[2]!, part), errno: m[3]! });
  }
  return rules;
}

export class FaultySource implements Source {
  constructor(
    readonly inner: Source,
    readonly rules: FaultRule[],
    /** an after-write rule fired: the caller sends the signal (core touches no process) */
    private readonly onEvent: (e: FaultEvent) => void = () => {},
  ) {}
  get info(): SourceInfo {
    return this.inner.info;
  }
  get drivers(): DriverFacts | undefined {
    return this.inner.drivers;
  }
  private fault(op: FaultRule['op'], rel: string): string | null {
    // matched against '/' + rel so that `*/intel-rapl:0/energy_uj` works on both layouts
    const p = '/' + rel;
    return this.rules.find((r) => r.op === op && r.pattern.test(p))?.errno ?? null;
  }
  list(rel: string): DirEntry[] | null {
    const e = this.fault('list', rel);
    if (e) throw new SysfsError(e, rel);
    return this.inner.list(rel);
  }
  isDir(rel: string): boolean {
    return this.inner.isDir(rel);
  }
  read(rel: string): ReadResult {
    const e = this.fault('read', rel);
    return e ? { ok: false, errno: e } : this.inner.read(rel);
  }
  private writes = 0;
  write(rel: string, text: string): void {
    const e = this.fault('write', rel);
    if (e) throw new SysfsError(e, rel);
    this.inner.write(rel, text);
    this.writes++;
    const p = '/' + rel;
    for (const r of this.rules) {
      if (r.op !== 'after-write' || !r.signal) continue;
      if (r.nth !== undefined ? r.nth === this.writes : r.pattern.test(p)) this.onEvent({ signal: r.signal, rel });
    }
  }
}
