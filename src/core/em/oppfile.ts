/**
 * OPP tables from a CSV or JSON file: one row per state with a frequency and either a
 * power or a voltage (then power comes from C·V²·f). Units are written in each value
 * (`1.8GHz`, `1130mW`, `1.2V`) or in the column name (`frequency_khz`, `power_uw`,
 * `voltage (mV)`); a bare number with no unit anywhere is refused, naming the row.
 * JSON: an array of rows, or `{ "states": […] }` / `{ "opps": […] }` (so the JSON output of
 * `model em` reads back), keys like `frequency`, `frequencyKhz`, `powerUw`, `voltage`.
 * Text without a header is one state per line, frequency then power or voltage, each with its
 * unit, separated by a comma, tab, semicolon or blanks (`408MHz 27769uW`); `#` starts a comment.
 * The one reader of OPP tables: `model` and `registry add` use it for a table file.
 */
import { readUserFile } from '../files.js';
import { invalidData, PowercapError } from '../errors.js';
import { parseFrequencyHz, parsePowerUw, parseVoltageUv } from '../units.js';

export interface FileOpp {
  /** "row 3" (CSV line 3) or "states[2]" (JSON), for messages */
  label: string;
  frequencyKhz: number;
  voltageUv: number | null;
  powerUw: number | null;
}

type Quantity = 'frequency' | 'power' | 'voltage';
/** unit suffix → the unit string the units module parses */
const UNIT_WORDS: Record<Quantity, Record<string, string>> = {
  frequency: { hz: 'Hz', khz: 'kHz', mhz: 'MHz', ghz: 'GHz' },
  power: { uw: 'uW', 'µw': 'uW', mw: 'mW', w: 'W' },
  voltage: { uv: 'uV', 'µv': 'uV', mv: 'mV', v: 'V' },
};
const QUANTITY_WORDS: Record<Quantity, RegExp> = {
  frequency: /^(frequency|freq|opp-hz|rate|f)$/,
  power: /^(power|opp-microwatt|p)$/,
  voltage: /^(voltage|volt|opp-microvolt|v|u_volt)$/,
};

/** A column header → which quantity and the unit its bare numbers are in. */
function classifyColumn(raw: string): { q: Quantity; unit: string | null } | null {
  const h = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  // explicit legacy names
  if (h === 'opp-hz') return { q: 'frequency', unit: 'Hz' };
  if (h === 'opp-microwatt') return { q: 'power', unit: 'uW' };
  if (h === 'opp-microvolt') return { q: 'voltage', unit: 'uV' };
  const m = /^([a-z_-]+?)(?:[_ ]?(?:\(([^)]*)\)|\[([^\]]*)\])|_([a-z\u00b5]+))?$/.exec(h);
  if (!m) return null;
  let word = m[1]!;
  let unitWord = (m[2] ?? m[3] ?? m[4] ?? '').trim();
  // camelCase JSON-style keys lowercased: frequencykhz, poweruw, voltageuv
  for (const q of ['frequency', 'power', 'voltage'] as const) {
    for (const u of Object.keys(UNIT_WORDS[q])) {
      if (!unitWord && word === q + u) { word = q; unitWord = u; }
      if (!unitWord && word === (q === 'frequency' ? 'freq' : q) + u) { word = q; unitWord = u; }
    }
  }
  for (const q of ['frequency', 'power', 'voltage'] as const) {
    if (!QUANTITY_WORDS[q].test(word) && word !== q) continue;
    if (!unitWord) return { q, unit: null };
    const unit = UNIT_WORDS[q][unitWord];
    return unit ? { q, unit } : null;
  }
  return null;
}

function parseQuantity(q: Quantity, value: string, unit: string | null, where: string): bigint {
  const v = value.trim();
  const withUnit = /[A-Za-z\u00b5]\s*$/.test(v) ? v : unit ? `${v}${unit}` : null;
  if (withUnit === null) {
    throw invalidData(`${where}: ${q} '${v}' has no unit`,
      `write it with a unit (${q === 'frequency' ? '1800MHz' : q === 'power' ? '1130mW' : '1100mV'}) or name the column with one (${q}_${q === 'frequency' ? 'mhz' : q === 'power' ? 'mw' : 'mv'})`);
  }
  try {
    if (q === 'frequency') return parseFrequencyHz(withUnit);
    if (q === 'power') return parsePowerUw(withUnit);
    return parseVoltageUv(withUnit);
  } catch (err) {
    // a file's bad value is invalid data (exit 6), named by its row
    const msg = err instanceof PowercapError ? err.message : String(err);
    throw invalidData(`${where}: ${msg}`);
  }
}

function toOpp(label: string, cells: Partial<Record<Quantity, { value: string; unit: string | null }>>): FileOpp {
  const f = cells.frequency;
  if (!f || f.value.trim() === '') throw invalidData(`${label}: no frequency`);
  const hz = parseQuantity('frequency', f.value, f.unit, label);
  if (hz % 1000n !== 0n) throw invalidData(`${label}: frequency ${hz} Hz is not a whole number of kHz (the energy model's unit)`);
  const p = cells.power && cells.power.value.trim() !== '' ? parseQuantity('power', cells.power.value, cells.power.unit, label) : null;
  const v = cells.voltage && cells.voltage.value.trim() !== '' ? parseQuantity('voltage', cells.voltage.value, cells.voltage.unit, label) : null;
  if (p === null && v === null) throw invalidData(`${label}: neither a power nor a voltage`, 'each row needs a power, or a voltage (whose power comes from the dynamic-power-coefficient)');
  return { label, frequencyKhz: Number(hz / 1000n), powerUw: p === null ? null : Number(p), voltageUv: v === null ? null : Number(v) };
}

function splitCsvLine(line: string): string[] {
  // no delimiter outside quotes: blanks separate the cells (`408MHz 27769uW`)
  if (!line.includes('"') && !/[,\t;]/.test(line)) return line.split(/\s+/).filter((s) => s !== '');
  // no quotes: every delimiter ends a cell (a character at a time built each cell as a chain of strings)
  if (!line.includes('"')) return line.split(/[,\t;]/).map((s) => s.trim());
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',' || c === '\t' || c === ';') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export function parseOppCsv(text: string, file: string): FileOpp[] {
  const lines = text.split(/\r?\n/);
  let header: Array<{ q: Quantity; unit: string | null } | null> | null = null;
  const rows: FileOpp[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const cells = splitCsvLine(line);
    if (header === null) {
      const cols = cells.map(classifyColumn);
      if (cols.some((c) => c !== null)) {
        header = cols;
        if (!cols.some((c) => c?.q === 'frequency')) throw invalidData(`${file}:${i + 1}: no frequency column in the header '${line}'`, 'name the columns, e.g. frequency,power or frequency_mhz,voltage_mv');
        continue;
      }
      // no header: frequency then power (or voltage, told apart by the values' units)
      header = [{ q: 'frequency', unit: null }, null];
    }
    const label = `${file}: row ${i + 1}`;
    const byQ: Partial<Record<Quantity, { value: string; unit: string | null }>> = {};
    header.forEach((h, k) => {
      const value = cells[k];
      if (value === undefined) return;
      if (h) byQ[h.q] = { value, unit: h.unit };
      else if (k === 1) {
        const q: Quantity = /v\s*$/i.test(value) ? 'voltage' : 'power';
        byQ[q] = { value, unit: null };
      }
    });
    rows.push(toOpp(label, byQ));
  }
  if (rows.length === 0) throw invalidData(`${file}: no rows`, 'one row per state: frequency and power (or voltage)');
  return rows;
}

export function parseOppJson(text: string, file: string): FileOpp[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalidData(`${file}: not valid JSON (${(err as Error).message})`);
  }
  let list: unknown = doc;
  let key = '';
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    key = ['states', 'opps', 'table'].find((k) => Array.isArray(o[k])) ?? '';
    list = key ? o[key] : undefined;
    // the JSON output of `model em`: { domains: [ { states } ] }
    if (!key && Array.isArray(o.domains) && o.domains.length === 1) {
      list = (o.domains[0] as Record<string, unknown> | null)?.states;
      key = 'domains[0].states';
    }
  }
  if (!Array.isArray(list)) throw invalidData(`${file}: expected an array of states (or { "states": [...] })`);
  const rows = list.map((row, i) => {
    const label = `${file}: ${key || 'row'}[${i}]`;
    if (!row || typeof row !== 'object') throw invalidData(`${label}: not an object`);
    const byQ: Partial<Record<Quantity, { value: string; unit: string | null }>> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
      const c = classifyColumn(k.replace(/([a-z])([A-Z])/g, '$1$2'));
      if (!c || byQ[c.q]) continue;
      if (typeof v === 'number') byQ[c.q] = { value: String(v), unit: c.unit };
      else if (typeof v === 'string') byQ[c.q] = { value: v, unit: c.unit };
      else if (v !== null) throw invalidData(`${label}: ${k} is not a number or a string`);
    }
    return toOpp(label, byQ);
  });
  if (rows.length === 0) throw invalidData(`${file}: no rows`);
  return rows;
}

export function readOppFile(file: string): FileOpp[] {
  const text = readUserFile(file, { what: 'OPP file', hint: 'give a CSV or JSON table of frequency and power or voltage' });
  const t = text.trimStart();
  return t.startsWith('[') || t.startsWith('{') ? parseOppJson(text, file) : parseOppCsv(text, file);
}
