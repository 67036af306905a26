/**
 * The parsers an option declares for its value (spec.ts `ValueParser`): one per kind of
 * value the command line takes. Each turns the text into what the runner works with (a
 * power in bigint µW, an interval in bigint µs, a CPU list as numbers) or throws a usage
 * error saying why; cli/options.ts adds the option's name and the value to the message.
 * The arithmetic is core's (core/units.ts and the kernel's own rules); this module only
 * says which parser a value takes and with which bounds.
 */
import { usageError } from '../core/errors.js';
import { parseCpuList } from '../core/cpu-list.js';
import { parseKernelEra, type KernelEra } from '../core/kernel/energy-model.js';
import { isGroupName } from '../core/persist/grant.js';
import type { Actor } from '../core/kernel/power-allocator.js';
import type { DomainIdleState } from '../core/calculators/idle.js';
import {
  parseDurationUs, parseFrequencyHz, parseIntervalUs, parsePercentBp, parsePowerSpec, parsePowerUw,
  parseTemperatureMc, parseVoltageUv, type PowerSpec,
} from '../core/units.js';
import type { CompleteKind, ValueParser } from './spec.js';

const parser = <T>(describe: string, example: string, parse: (text: string) => T, extra: { choices?: readonly string[]; complete?: CompleteKind; free?: boolean } = {}): ValueParser<T> =>
  ({ describe, example, parse, ...extra });

/** a power with a unit, in µW: 15W, 1500mW (`max`, `min` and `%` need a constraint: powerSpec) */
export const power = parser('power with a unit (15W, 1500mW)', '1W', parsePowerUw);

/** a power, or `max`, `min`, `N%` of a bound known later (set-limit, model cap) */
export const powerSpec = parser<PowerSpec>('power (25W, 2500mW, max, min, 80%)', '1W', parsePowerSpec);

interface TimeBounds { min?: string; max?: string }

/** the longest time between two passes of a loop: a Node timer holds 2^31−1 ms, and a day is plenty */
const LONGEST_INTERVAL = '24h';

function bounded(parse: (t: string) => bigint, b: TimeBounds): (t: string) => bigint {
  // parsed at the first value, not as every spec loads (a start runs no parser of the other commands)
  let bounds: { min: bigint | null; max: bigint | null; allowed: string } | undefined;
  return (t) => {
    bounds ??= {
      min: b.min === undefined ? null : parseDurationUs(b.min),
      max: b.max === undefined ? null : parseDurationUs(b.max),
      allowed: b.min !== undefined && b.max !== undefined ? `allowed: ${b.min} to ${b.max}` : b.min !== undefined ? `at least ${b.min}` : `at most ${b.max}`,
    };
    const { min, max, allowed } = bounds;
    const us = parse(t);
    if (min !== null && us < min) throw usageError(`too short (${allowed})`);
    if (max !== null && us > max) throw usageError(`too long (${allowed})`);
    return us;
  };
}

/** a duration with a unit, in µs: 28s, 2.44ms, 976us, 1m (a time window: the kernel's bounds are checked against the zone) */
export const duration = (b: TimeBounds = {}) => parser('duration (28s, 2.44ms, 976us, 1m)', b.min ?? '1s', bounded(parseDurationUs, b));

/**
 * A time between two passes of a loop, in µs: a duration, or bare seconds (`-i 1`), as sleep
 * and turbostat take it; at most a day (a timer's limit), and at least what the loop can keep.
 */
export const interval = (b: TimeBounds = {}) =>
  parser('interval (1s, 100ms, 2.5; a bare number is seconds)', b.min ?? '1s', bounded(parseIntervalUs, { max: LONGEST_INTERVAL, ...b }));

/** a temperature, in m°C: 55C, 55.5°C, 55000mC */
export const temperature = parser('temperature (55C, 55.5°C, 55000mC)', '55C', parseTemperatureMc);

/** a frequency, in Hz: 1.8GHz, 1800MHz */
export const frequency = parser('frequency (1.8GHz, 1800MHz)', '1GHz', parseFrequencyHz);

/** a voltage, in µV: 1.1V, 1100mV */
export const voltage = parser('voltage (1.1V, 1100mV)', '1V', parseVoltageUv);

/** a percentage in hundredths of a percent: 60% → 6000 */
export const percent = parser('percentage (60%, 12.5%)', '50%', (t) => parsePercentBp(t));

/** a whole number within bounds; `what` names it in the docs ("CPU capacity (1 to 1024)") */
export function integer(b: { min: number; max: number }, what = 'whole number'): ValueParser<number> {
  return parser(`${what} (${b.min} to ${b.max})`, String(b.min), (t) => {
    const s = t.trim();
    if (!/^[0-9]+$/.test(s)) throw usageError('not a whole number', `give ${b.min} to ${b.max}`);
    const n = Number(s);
    if (n < b.min || n > b.max) throw usageError(`out of range (${b.min} to ${b.max})`);
    return n;
  });
}

/** a controller gain of the thermal power allocator: an s32 in Q10 fixed point (mW per m°C × 1024), as thermal_zone_params holds it */
export const gain = parser('gain, a whole number in Q10 fixed point (mW per m°C × 1024)', '1024', (t) => {
  const s = t.trim();
  if (!/^-?[0-9]+$/.test(s)) throw usageError('not a whole number', 'a gain is in Q10 fixed point: 1024 is 1 mW per m°C');
  const n = Number(s);
  if (n < -0x80000000 || n > 0x7fffffff) throw usageError('does not fit the kernel\'s s32');
  return n;
});

/** a count of things: 1 or more */
export const count = parser('count (1 or more)', '1', (t) => {
  const s = t.trim();
  if (!/^[0-9]+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) throw usageError('not a positive whole number', 'e.g. 10');
  return Number(s);
});

/** a decimal number within bounds (a replay speed); no `max`: any number from `min` up */
export function decimal(b: { min: number; max?: number }): ValueParser<number> {
  const range = b.max === undefined ? `${b.min} or more` : `${b.min} to ${b.max}`;
  return parser(`number (${range})`, String(b.max ?? b.min + 1), (t) => {
    const s = t.trim();
    if (!/^[0-9]+(\.[0-9]+)?$/.test(s)) throw usageError('not a number', `give ${range}, e.g. 2 or 0.5`);
    const n = Number(s);
    if (n < b.min || (b.max !== undefined && n > b.max) || !Number.isFinite(n)) throw usageError(`out of range (${range})`);
    return n;
  });
}

/** dynamic-power-coefficient: a u32 above 0, as the device tree holds it (drivers/opp/of.c) */
export const coefficient = parser('dynamic-power-coefficient (436)', '436', (t) => {
  const s = t.trim();
  if (!/^[0-9]+$/.test(s)) throw usageError('not a whole number', 'the dynamic-power-coefficient of the CPU or device node, e.g. 436');
  const n = Number(s);
  if (n === 0) throw usageError('0 would give every state zero power, which the kernel refuses', 'the dynamic-power-coefficient of the domain, e.g. 436');
  if (n > 0xffffffff) throw usageError('does not fit the kernel\'s u32');
  return n;
});

/** opp-supported-hw masks: one 32-bit value per level (0x3, or 0x3,0x1), as drivers set them */
export const mask = parser('32-bit mask per level (0x3, 0x3,0x1)', '0x3', (t) => t.split(',').map((x) => {
  const s = x.trim();
  if (!/^(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(s) || Number(s) > 0xffffffff) throw usageError(`'${x}' is not a 32-bit number`, 'e.g. 0x3, or one mask per level: 0x3,0x1');
  return Number(s);
}));

/** a CPU list as the kernel prints one: 0-3,6 */
export const cpuList = parser('CPU list (0-3,6)', '0-1', (t) => {
  let l: number[];
  try {
    l = parseCpuList(t);
  } catch (err) {
    throw usageError((err as Error).message.replace(/^bad CPU list '[^']*'\s*/, 'not a CPU list ').trim(), 'use numbers and ranges: 0-3,6');
  }
  if (l.length === 0) throw usageError('no CPU in the list', 'use numbers and ranges: 0-3,6');
  return l;
});

/** a device-tree node's full path, as the kernel's DTPM table names a device: /cpus/cpu@100, /gpu@ff9a0000 */
export const dtPath = parser('device-tree path (/cpus/cpu@100)', '/cpus/cpu@0', (t) => {
  // node names as the devicetree specification writes them: letters, digits , . _ + - and @unit-address
  if (!/^(\/[A-Za-z0-9,._+@-]+)+$/.test(t)) throw usageError('not a device-tree path', 'a path from the root, one node name per level: /cpus/cpu@100 or /gpu@ff9a0000');
  return t;
});

/** a C identifier (a table's name in C source): rk3399_hierarchy */
export const cIdentifier = parser('C identifier (rk3399_hierarchy)', 'soc_hierarchy', (t) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw usageError('not a C identifier', 'letters, digits and _, not starting with a digit: rk3399_hierarchy');
  return t;
});

/** a kernel version whose energy-model rules apply: 6.9, 5.15, what `uname -r` prints, current, pre-6.0 */
export const kernelVersion = parser<KernelEra>('kernel version (6.9, 6.1, 5.15, current, pre-6.0)', '6.9', (t) => {
  const e = parseKernelEra(t);
  if (e) return e;
  // a version before 5.0 parses as a version: it is refused because it has no energy model
  const m = /^v?([0-9]{1,2})\.[0-9]{1,3}/.exec(t.trim());
  if (m && Number(m[1]) < 5) throw usageError('the energy model began in 5.0: no kernel before it has one', 'e.g. 6.9, 6.1, 5.15, current or pre-6.0');
  throw usageError('not a kernel version', 'e.g. 6.9, 6.1, 5.15, $(uname -r), current or pre-6.0');
});

/** one of a fixed set of words */
export function oneOf<const C extends readonly string[]>(choices: C): ValueParser<C[number]> {
  return parser(`one of ${choices.join(', ')}`, choices[0]!, (t) => {
    if (!(choices as readonly string[]).includes(t)) throw usageError(`not one of ${choices.join(', ')}`);
    return t as C[number];
  }, { choices });
}

/** any non-empty text (a name the command looks up itself) */
export function text(what: string, complete?: CompleteKind): ValueParser<string> {
  return parser(what, 'x', (t) => {
    if (t.trim() === '') throw usageError(`an empty ${what}`);
    return t;
  }, { free: true, ...(complete ? { complete } : {}) });
}

/** a file the command reads (its existence and kind are checked when it is read: core/files.ts) */
export const file = text('file', 'file');
/** a folder the command reads */
export const dir = text('folder', 'dir');
/** a file the command writes (core/atomic.ts checks the folder and the links) */
export const outputFile = text('output file', 'file');
/** a zone: id, name, type/name or glob, resolved against the tree */
export const zone = text('zone', 'zone');
/** a control type (intel-rapl, dtpm) */
export const controlType = text('control type');

/** an absolute path (a program a systemd unit runs: ExecStart= takes no relative path) */
export function absolutePath(example: string, complete: CompleteKind = 'file'): ValueParser<string> {
  return parser(`absolute path (${example})`, example, (t) => {
    if (!t.startsWith('/')) throw usageError('not an absolute path', `e.g. ${example}`);
    return t;
  }, { complete });
}

/** a group name as useradd(8) takes it (core/persist/grant.ts isGroupName: nothing a udev rule could misread) */
export const groupName = parser('group name (power, prometheus)', 'power', (t) => {
  if (!isGroupName(t)) throw usageError('invalid group name', 'a group name is letters, digits, _ and -, at most 32, not starting with a digit or -');
  return t;
});

/** comma-separated values, each parsed; at least one */
export function listOf<T>(item: ValueParser<T>, what = 'list'): ValueParser<T[]> {
  return parser(`${what}, comma-separated ${item.describe}`, item.example, (t) => {
    const parts = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.length === 0) throw usageError(`an empty ${what}`);
    return parts.map((p, i) => {
      try {
        return item.parse(p);
      } catch (err) {
        throw withContext(err, `#${i + 1} '${p}'`);
      }
    });
  });
}

/** NAME=VALUE (a zone, leaf or state name and its value) */
export function named<T>(value: ValueParser<T>, what = 'NAME'): ValueParser<{ name: string; value: T }> {
  return parser(`${what}=${value.describe}`, `x=${value.example}`, (t) => {
    const i = t.indexOf('=');
    if (i <= 0) throw usageError(`not ${what}=VALUE`);
    const name = t.slice(0, i).trim();
    try {
      return { name, value: value.parse(t.slice(i + 1).trim()) };
    } catch (err) {
      throw withContext(err, name);
    }
  });
}

/** the message of a part's refusal, prefixed with which part it was */
function withContext(err: unknown, where: string): unknown {
  if (err instanceof Error && 'exitCode' in err) return usageError(`${where}: ${err.message}`, (err as { hint?: string }).hint);
  return err;
}

/** a record of parts separated by colons; the first part (a name) may hold colons itself (dtpm:0:0:1) */
export function fields<T>(describe: string, example: string, arity: { min: number; max: number }, build: (parts: string[]) => T): ValueParser<T> {
  return parser(describe, example, (t) => {
    const parts = t.split(':');
    if (parts.length < arity.min) throw usageError(`not ${describe}`);
    return build(parts);
  });
}

/** a value of a record or list, parsed; its refusal says which part it was */
function part<T>(p: ValueParser<T>, text: string, where: string): T {
  try {
    return p.parse(text.trim());
  } catch (err) {
    throw withContext(err, `${where} '${text}'`);
  }
}

// ---------------------------------------------------------------- the energy model's values

/** a CPU capacity, SCHED_CAPACITY_SCALE at most: the fastest CPU is 1024 (arch_topology.c) */
export const cpuCapacity = integer({ min: 1, max: 1024 }, 'CPU capacity');

/** a number of CPUs (nr_cpus of a domain); NR_CPUS is at most 8192 (x86 MAXSMP) */
export const cpuCount = integer({ min: 1, max: 8192 }, 'number of CPUs');

/** a CPU's utilisation in capacity units, 0 to SCHED_CAPACITY_SCALE (the domain's own capacity is checked against it) */
export const utilisation = integer({ min: 0, max: 1024 }, 'utilisation');

/** a thermal instance's weight, an int in sysfs (kstrtoint); 1024 is one share */
export const ipaWeight = integer({ min: 0, max: 0x7fffffff }, 'IPA weight');

/**
 * An IPA actor, `name:requested:max[:weight]`: the name may hold colons itself (dtpm:0:0:1),
 * so the record is read from the end: a last part without a power's unit (W) is the weight.
 */
export const actor = parser<Actor>('actor name:requested:max[:weight] (gpu:1.2W:2.5W:512)', 'a:1W:2W', (t) => {
  const parts = t.split(':');
  const hint = 'e.g. gpu:1.2W:2.5W, or with an IPA weight cpu4:800mW:2.26W:512';
  const weighted = parts.length >= 4 && !/w\s*$/i.test(parts[parts.length - 1]!);
  if (parts.length < (weighted ? 4 : 3)) throw usageError('not name:requested:max[:weight]', hint);
  const weight = weighted ? part(ipaWeight, parts.pop()!, 'weight') : null;
  const maxUw = Number(part(power, parts.pop()!, 'maximum'));
  const requestUw = Number(part(power, parts.pop()!, 'request'));
  const name = parts.join(':').trim();
  if (name === '') throw usageError('an actor without a name', hint);
  return { name, requestUw, maxUw, weight };
});

/** a domain idle state, `NAME:entry:exit:residency` (the latencies and minimum residency of domain-idle-states) */
export const idleState = parser<DomainIdleState>('idle state NAME:entry:exit:residency (CLUSTER_SLEEP:400us:500us:2ms)', 'S:1us:1us:1us', (t) => {
  const parts = t.split(':');
  if (parts.length !== 4 || parts[0]!.trim() === '') throw usageError('not NAME:entry:exit:residency', 'e.g. CLUSTER_SLEEP:400us:500us:2ms');
  const us = (text: string, what: string) => Number(part(duration(), text, what));
  return { name: parts[0]!.trim(), offUs: us(parts[1]!, 'entry latency'), onUs: us(parts[2]!, 'exit latency'), residencyUs: us(parts[3]!, 'residency'), powerUw: null };
});

/**
 * An address and port to listen on: `ADDR:PORT`, `[IPv6]:PORT`, `:PORT` (every IPv4 address) or a
 * bare `PORT`; port 0 picks a free one. Whether the address is this machine's is for listen(2) to say.
 */
export function parseListen(text: string): { host: string; port: number } {
  const bad = (why: string) => usageError(why, 'e.g. 127.0.0.1:9847, 0.0.0.0:9847 or [::1]:9847');
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:([^:]*)$/.exec(text);
  if (v6) [host, portText] = [v6[1]!, v6[2]!];
  else if (/^[0-9]+$/.test(text)) [host, portText] = ['0.0.0.0', text];
  else {
    const i = text.lastIndexOf(':');
    if (i < 0) throw bad('no port (ADDR:PORT)');
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (host.includes(':')) throw bad('an IPv6 address goes in brackets: [ADDR]:PORT');
    if (host === '') host = '0.0.0.0';
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(`port ${portText || '(none)'} is not a number from 0 to 65535`);
  return { host, port: Number(portText) };
}

/** an address and port to serve on (parseListen) */
export const listenAddress = parser('address:port (127.0.0.1:9847, [::1]:9847, :9847; port 0 picks a free one)', '127.0.0.1:0', parseListen);
