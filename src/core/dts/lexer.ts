/**
 * The first stage of the device-tree reader: dtc source text to tokens. Comments go, lines are
 * counted for messages, preprocessor lines (#include, #define …) become one `directive` token,
 * `label:` and `&label` / `&{/path}` are told apart from names, and a parenthesised integer
 * expression inside cells stays whole (`expr`, evaluated by evalExpr()).
 */
import { invalidData } from '../errors.js';

export type Tok = { t: 'word' | 'str' | 'punct' | 'label' | 'ref' | 'directive' | 'expr'; v: string; line: number };

const NAME_CH = /[A-Za-z0-9,._+*#?@-]/;

export function tokenize(text: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const bad = (why: string) => invalidData(`${file}:${line}: ${why}`, 'is this a device-tree source (.dts/.dtsi) file?');
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && text[i + 1] === '/') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw bad('unterminated comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '#') {
      // a preprocessor line (#include, #define …) unlike a property such as #address-cells
      const rest = /^#\s*(include|define|undef|if|ifdef|ifndef|else|elif|endif|pragma|error|warning)\b[^\n]*/.exec(text.slice(i, i + 400));
      if (rest) {
        toks.push({ t: 'directive', v: rest[0], line });
        i += rest[0].length;
        continue;
      }
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < n) { s += text[j + 1]; j += 2; continue; }
        if (text[j] === '\n') line++;
        s += text[j];
        j++;
      }
      if (j >= n) throw bad('unterminated string');
      toks.push({ t: 'str', v: s, line });
      i = j + 1;
      continue;
    }
    if (c === '&') {
      if (text[i + 1] === '{') {
        const end = text.indexOf('}', i);
        if (end < 0) throw bad('unterminated path reference');
        toks.push({ t: 'ref', v: text.slice(i + 2, end), line });
        i = end + 1;
        continue;
      }
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      if (j === i + 1) { toks.push({ t: 'punct', v: '&', line }); i++; continue; }
      toks.push({ t: 'ref', v: text.slice(i + 1, j), line });
      i = j;
      continue;
    }
    if (c === '(') {
      // a parenthesised integer expression inside cells: keep it whole
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')') { depth--; if (depth === 0) break; }
        else if (text[j] === '\n') line++;
      }
      if (j >= n) throw bad('unbalanced parenthesis');
      toks.push({ t: 'expr', v: text.slice(i + 1, j), line });
      i = j + 1;
      continue;
    }
    if (c === '/' ) {
      const m = /^\/[a-z0-9-]+\//.exec(text.slice(i, i + 40));
      if (m) { toks.push({ t: 'word', v: m[0], line }); i += m[0].length; continue; }
      // the root node `/`
      toks.push({ t: 'word', v: '/', line });
      i++;
      continue;
    }
    if ('{}<>;=,[]'.includes(c)) { toks.push({ t: 'punct', v: c, line }); i++; continue; }
    if (NAME_CH.test(c)) {
      let j = i;
      while (j < n && NAME_CH.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (text[j] === ':' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
        toks.push({ t: 'label', v: word, line });
        i = j + 1;
        continue;
      }
      toks.push({ t: 'word', v: word, line });
      i = j;
      continue;
    }
    throw bad(`unexpected character '${c}'`);
  }
  return toks;
}

// ------------------------------------------------------------------ expressions in cells

/** An integer expression as dtc evaluates it in cells (C operators and precedence); null when it names a macro. */
export function evalExpr(src: string): bigint | null {
  const toks = src.match(/0[xX][0-9a-fA-F]+|[0-9]+|<<|>>|[-+*/%|&^~()]|\S+/g) ?? [];
  let p = 0;
  const num = (t: string): bigint | null => (/^0[xX][0-9a-fA-F]+$/.test(t) ? BigInt(t) : /^[0-9]+$/.test(t) ? BigInt(t) : null);
  const primary = (): bigint | null => {
    const t = toks[p++];
    if (t === undefined) return null;
    if (t === '(') { const v = bin(0); p++; return v; }
    if (t === '-') { const v = primary(); return v === null ? null : -v; }
    if (t === '~') { const v = primary(); return v === null ? null : ~v; }
    return num(t.replace(/[uUlL]+$/, ''));
  };
  const PREC: Record<string, number> = { '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
  const bin = (min: number): bigint | null => {
    let left = primary();
    for (;;) {
      const op = toks[p];
      if (op === undefined || PREC[op] === undefined || PREC[op]! <= min - 1 || PREC[op]! < min) break;
      p++;
      const right = bin(PREC[op]! + 1);
      if (left === null || right === null) { left = null; continue; }
      if ((op === '<<' || op === '>>') && right > 63n) { left = null; continue; }
      switch (op) {
        case '|': left |= right; break;
        case '^': left ^= right; break;
        case '&': left &= right; break;
        case '<<': left <<= right; break;
        case '>>': left >>= right; break;
        case '+': left += right; break;
        case '-': left -= right; break;
        case '*': left *= right; break;
        case '/': left = right === 0n ? null : left / right; break;
        case '%': left = right === 0n ? null : left % right; break;
      }
      // dtc evaluates in unsigned 64 bits: keep every step there (no bigint grows without bound)
      if (left !== null) left = BigInt.asUintN(64, left);
    }
    return left;
  };
  try {
    const v = bin(1);
    return p === toks.length ? v : null;
  } catch {
    return null;
  }
}
