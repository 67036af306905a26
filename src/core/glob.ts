/**
 * Shell-style globs, the one translation to a regular expression: `*` any run of
 * characters (`/` included), `?` one character, `[...]` a class (`[!...]` negated), every
 * other character literal. Zone patterns (`package-*`, `intel-rapl:[0-1]`: list, tree,
 * watch, exporter) and the test fault rules of POWERCAPCTL_FAULTS (`*\/energy_uj`) both
 * match through it.
 */
import { usageError } from './errors.js';

/** The whole-string regular expression of a glob; a malformed class is a usage error (exit 2). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // `[z-a]`: a range out of order, as the shell would refuse it
    throw usageError(`invalid pattern '${glob}': a [...] range is out of order or malformed`, 'e.g. intel-rapl:[0-1] or package-*');
  }
}

/** Whether a pattern is a glob (has `*`, `?` or `[`) rather than a literal name. */
export const isGlob = (s: string): boolean => /[*?[]/.test(s);
