/** CPU lists as the kernel prints them (`0-3,6`): cpumask files, debugfs `cpus`, the command line. */

/** The largest CPU count a CPU list may name (the kernel's NR_CPUS is at most 8192). */
export const MAX_CPUS = 8192;

/** `0-3,6` → [0,1,2,3,6] */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list '${text.trim()}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    // a count read from input is bounded: no kernel has more than MAX_CPUS CPUs (NR_CPUS)
    if (b >= MAX_CPUS || a > b || out.length + (b - a + 1) > MAX_CPUS) throw new Error(`bad CPU list '${text.trim()}' (CPUs 0-${MAX_CPUS - 1}, ranges low-high)`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}
