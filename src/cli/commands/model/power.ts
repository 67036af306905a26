import type { CommandContext } from '../../context.js';
import { usageError } from '../../../core/errors.js';
import { formatMhz, formatPower, formatTemperatureMc, formatVoltageUv } from '../../../core/units.js';
import { readStaticTable, staticPower, type StaticTable } from '../../../core/calculators/cooling.js';
import { dynamicPower } from '../../../core/kernel/cpufreq-cooling.js';
import { domainNotes, hasFileInput, loadDomains, outJson, renderTable } from './common.js';
import type { PowerOptions } from './spec.js';

interface Point { frequencyKhz: number; voltageUv: number }

export async function run(ctx: CommandContext, _args: unknown[], opts: PowerOptions): Promise<void> {
  const useDomain = hasFileInput(opts) || opts.domain !== undefined;
  const freqKhz = opts.freq !== undefined ? Number(opts.freq / 1000n) : null;
  const voltUv = opts.voltage !== undefined ? Number(opts.voltage) : null;
  let coefficient = opts.coefficient ?? null;
  let nrCpus = opts.cpus ?? null;
  let points: Point[];
  let name = 'domain';
  if (useDomain) {
    // the cooling model needs a coefficient whatever the table: it applies to the energy model's domains too
    const [d] = await loadDomains(ctx, opts, { keep: ['coefficient'] });
    for (const n of domainNotes(d!)) ctx.io.note(n);
    name = d!.name;
    coefficient ??= d!.coefficient;
    nrCpus ??= d!.nrCpus;
    const states = d!.states.filter((s) => s.voltageUv !== null);
    if (freqKhz !== null) {
      const s = d!.states.find((x) => x.frequencyKhz === freqKhz);
      const v = voltUv ?? s?.voltageUv ?? null;
      if (v === null) throw usageError(`no OPP at ${formatMhz(freqKhz)} with a voltage in ${d!.name}`, `give --voltage, or one of: ${states.map((x) => formatMhz(x.frequencyKhz)).join(', ')}`);
      points = [{ frequencyKhz: freqKhz, voltageUv: v }];
    } else {
      if (states.length === 0) throw usageError(`${d!.name} has no voltages (the table gives powers)`, 'give --freq and --voltage');
      points = states.map((s) => ({ frequencyKhz: s.frequencyKhz, voltageUv: s.voltageUv! }));
    }
  } else {
    if (freqKhz === null || voltUv === null) throw usageError('give --freq and --voltage (or a table: --dts, --opp-file, --domain)', 'e.g. --freq 1.8GHz --voltage 1.2V --coefficient 436');
    points = [{ frequencyKhz: freqKhz, voltageUv: voltUv }];
  }
  if (coefficient === null) throw usageError('the dynamic-power coefficient is needed', 'give --coefficient C (dynamic-power-coefficient)');
  const loads = opts.util;
  const perCpu = loads.length === 1 ? new Array<number>(nrCpus ?? 1).fill(loads[0]!) : loads;
  if (loads.length > 1 && nrCpus !== null && loads.length !== nrCpus) {
    throw usageError(`${loads.length} loads for ${nrCpus} CPUs`, 'give one load for all CPUs, or one per CPU');
  }
  // --static (µW), --temp (m°C) and their combinations come checked and parsed from the option specs
  let table: StaticTable | null = null;
  let tempMc: number | null = null;
  if (opts.staticTable !== undefined) {
    table = readStaticTable(opts.staticTable);
    tempMc = opts.temp!;
  }
  const fixedStatic = opts.static !== undefined ? Number(opts.static) : null;
  let clamped = false;
  const rows = points.map((pt) => {
    const dyn = dynamicPower(coefficient!, pt.frequencyKhz, pt.voltageUv, perCpu);
    let staticUw = fixedStatic ?? 0;
    if (table) {
      const sp = staticPower(table, tempMc!, pt.voltageUv);
      staticUw = sp.powerUw;
      clamped ||= sp.clamped;
    }
    return { frequencyKhz: pt.frequencyKhz, voltageUv: pt.voltageUv, ...dyn, staticUw, totalUw: dyn.dynamicUw + staticUw };
  });
  if (clamped) ctx.io.warn('a temperature or voltage is outside the static power table: its edge value was used');
  if (ctx.globals.json) {
    outJson(ctx, {
      domain: useDomain ? name : null, coefficient, cpus: perCpu.length, loadsPct: perCpu.map((b) => b / 100),
      static: table ? { kind: 'table', file: opts.staticTable, temperatureMc: tempMc } : fixedStatic !== null ? { kind: 'fixed', powerUw: fixedStatic } : null,
      points: rows,
    });
    return;
  }
  const out = await renderTable(ctx, [
    { head: 'FREQUENCY', right: true }, { head: 'VOLTAGE', right: true }, { head: '1 CPU µW', right: true }, { head: 'DYNAMIC µW', right: true },
    { head: 'OLD mW', right: true }, { head: 'STATIC µW', right: true }, { head: 'TOTAL', right: true },
  ], rows.map((r) => [formatMhz(r.frequencyKhz), formatVoltageUv(r.voltageUv), String(r.rawUw), String(r.dynamicUw), String(r.dynamicMw), String(r.staticUw), formatPower(r.totalUw)]));
  const loadText = perCpu.map((b) => `${b / 100}%`).join(', ');
  ctx.io.out(`${useDomain ? `${name}: ` : ''}C = ${coefficient}, ${perCpu.length} CPU${perCpu.length === 1 ? '' : 's'} at ${loadText} (Σ ${rows[0]!.totalLoadPct}%)` +
    (table ? `, static from ${opts.staticTable!} at ${formatTemperatureMc(tempMc!)}` : fixedStatic !== null ? `, static ${formatPower(fixedStatic)}` : ', no static power') + `\n${out}`);
}
