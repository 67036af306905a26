/**
 * The programs the suite runs for real, each with the Debian package that installs it. A test
 * that needs one says so through `requireTool` (test/helpers.ts): where the program is missing
 * the test is skipped with one line naming the package (`missingReason`), and the reporter
 * (test/reporter.ts) ends the run with what was skipped and the one command installing it all.
 * Under POWERCAPCTL_TEST_REQUIRE_TOOLS=1 (.ci/run sets it) a missing program fails the run instead.
 *
 * No side effects: the reporter imports this file too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Tool {
  /** the name run from PATH; `or` are other names of the same program (Ubuntu's chromium-browser) */
  command: string;
  or?: string[];
  /** the Debian package that installs it */
  package: string;
}

export const TOOLS = {
  bash: { command: 'bash', package: 'bash' },
  tmux: { command: 'tmux', package: 'tmux' },
  zsh: { command: 'zsh', package: 'zsh' },
  fish: { command: 'fish', package: 'fish' },
  script: { command: 'script', package: 'bsdutils' },
  prometheus: { command: 'prometheus', package: 'prometheus' },
  promtool: { command: 'promtool', package: 'prometheus' },
  ansiblePlaybook: { command: 'ansible-playbook', package: 'ansible-core' },
  systemdAnalyze: { command: 'systemd-analyze', package: 'systemd' },
  groff: { command: 'groff', package: 'groff-base' },
  man: { command: 'man', package: 'man-db' },
  chromium: { command: 'chromium', or: ['chromium-browser'], package: 'chromium' },
  cpp: { command: 'cpp', package: 'cpp' },
  cc: { command: 'cc', package: 'gcc' },
} as const satisfies Record<string, Tool>;

/** set to 1 (by .ci/run): a missing program fails the test that needs it, naming the package */
export const REQUIRE_TOOLS = 'POWERCAPCTL_TEST_REQUIRE_TOOLS';

const found = new Map<string, string | undefined>();
/** The program's path on PATH (the first of its names found), or undefined. */
export function toolPath(tool: Tool): string | undefined {
  if (found.has(tool.command)) return found.get(tool.command);
  let hit: string | undefined;
  search: for (const name of [tool.command, ...(tool.or ?? [])]) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const file = path.resolve(dir || '.', name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) { hit = file; break search; }
      } catch { /* not here */ }
    }
  }
  found.set(tool.command, hit);
  return hit;
}

/** The one command installing these packages. */
export const installCommand = (packages: Iterable<string>) => `apt-get install -y ${[...new Set(packages)].sort().join(' ')}`;

/** The skip line for missing programs; it names each package, and `packagesOf` reads them back. */
export function missingReason(missing: Tool[]): string {
  return missing.map((t) => `${t.command} is not installed (Debian package ${t.package})`).join('; ');
}

/** The packages a skip line of `missingReason` names (none for any other skip). */
export function packagesOf(reason: string): string[] {
  return [...reason.matchAll(/(?:^|; )\S+ is not installed \(Debian package ([^)\s]+)\)/g)].map((m) => m[1]!);
}
