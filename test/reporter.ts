/**
 * The reporter of `npm test`: Node's spec reporter, then what was skipped and why. Tests skipped
 * for a missing program (requireTool, test/helpers.ts) are listed by Debian package, with the
 * one command that installs them all; other skips (a test that needs root) are counted by reason.
 *
 *   node --test --test-reporter=./dist/test/reporter.js dist/test/*.test.js
 */
import { spec as Spec } from 'node:test/reporters';
import { once } from 'node:events';
import { installCommand, packagesOf, REQUIRE_TOOLS } from './tools.js';

interface TestEvent { type: string; data: { skip?: string | boolean; name: string; file?: string } }

/** the lines that end the run: nothing when nothing was skipped */
export function skippedSummary(reasons: string[], required = process.env[REQUIRE_TOOLS] === '1'): string {
  if (!reasons.length) return '';
  const byReason = new Map<string, number>();
  for (const r of reasons) byReason.set(r, (byReason.get(r) ?? 0) + 1);
  const packages = reasons.flatMap(packagesOf);
  const lines = ['', 'skipped, by reason (a skipped group of tests counts once):'];
  for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${String(n).padStart(3)} × ${reason}`);
  if (packages.length) {
    lines.push(`to run the tests skipped for a missing program, install them (as root): ${installCommand(packages)}`);
    if (!required) lines.push(`(with ${REQUIRE_TOOLS}=1, as .ci/run sets it, a missing program fails the run instead)`);
  }
  return `${lines.join('\n')}\n`;
}

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string | Buffer> {
  const spec = new Spec();
  const reasons: string[] = [];
  const feed = (async () => {
    try {
      for await (const event of source) {
        if (event.type === 'test:pass' && event.data.skip) reasons.push(event.data.skip === true ? 'skipped' : event.data.skip);
        if (!spec.write(event)) await once(spec, 'drain');
      }
    } finally {
      spec.end();
    }
  })();
  for await (const chunk of spec) yield chunk;
  await feed;
  yield skippedSummary(reasons);
}
