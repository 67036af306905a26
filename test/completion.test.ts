/**
 * Shell completions: the committed scripts are what the specs generate, each
 * passes its shell's syntax check, and completing a real line in bash (and zsh,
 * fish where installed) offers the zone ids of the tree the line points at.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, exampleCopy, ROOT, cleanEnv, example, requireTool, TOOLS } from './helpers.js';
import type { FixtureSpec } from './fixtures/sysfs.js';
import { staleFiles } from '../scripts/gen-docs.js';
import { COMPLETION_FILES } from '../src/cli/completion/index.js';

const BIN_DIR = path.join(ROOT, 'bin');

/** A small tree with a hex id (:a) and a name two control types share. */
const SPEC: FixtureSpec = {
  controlTypes: [
    {
      name: 'intel-rapl',
      zones: [
        {
          name: 'package-0',
          energyUj: 1000,
          constraints: [
            { name: 'long_term', powerLimitUw: 28000000, timeWindowUs: 27983872 },
            { name: 'short_term', powerLimitUw: 64000000, timeWindowUs: 2440 },
          ],
          children: [
            { name: 'core', energyUj: 10, constraints: [{ name: 'long_term', powerLimitUw: 0, timeWindowUs: 976 }] },
            { name: 'gpu-slice', id: 10, energyUj: 10 },
          ],
        },
      ],
    },
    {
      name: 'intel-rapl-mmio',
      zones: [{ name: 'package-0', energyUj: 1, constraints: [{ name: 'long_term', powerLimitUw: 15000000, timeWindowUs: 27983872 }] }],
    },
  ],
};
const SPEC_IDS = ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:a', 'intel-rapl-mmio:0'];

const tree = fixture(SPEC);
const laptop = exampleCopy('intel-laptop');
after(() => {
  tree.cleanup();
  laptop.cleanup();
});
// the example's zones, as tests/fixtures/specs.ts lays them out (see README "Bundled examples")
const LAPTOP_IDS = ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1', 'intel-rapl:0:2', 'intel-rapl:1', 'intel-rapl-mmio:0'];

/**
 * Complete `line` (the cursor at its end) as bash does on TAB: source the
 * script, set COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT, call the function,
 * print COMPREPLY one per line.
 */
function bashComplete(line: string, env: Record<string, string> = {}): string[] {
  const script = `
source ${JSON.stringify(path.join(ROOT, COMPLETION_FILES.bash))}
COMP_LINE=$1
COMP_POINT=\${#COMP_LINE}
read -r -a COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_powercapctl
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', line], {
    env: { ...cleanEnv(env), PATH: `${BIN_DIR}:${process.env.PATH}` },
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'completing prints nothing on stderr');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('generated files', () => {
  test('completions/ and the README command reference are what the specs generate (npm run gen)', () => {
    assert.deepEqual(staleFiles(ROOT), [], 'stale: run `npm run gen` and commit the result');
  });

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`powercapctl completion ${shell} prints ${COMPLETION_FILES[shell]}`, () => {
      const r = run(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, fs.readFileSync(path.join(ROOT, COMPLETION_FILES[shell]), 'utf8'));
    });
  }

  test('an unknown shell is a usage error (exit 2) naming the choices', () => {
    const r = run(['completion', 'ksh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bash, zsh, fish/);
    assert.equal(r.stdout, '');
  });
});

describe('syntax checks', () => {
  test('bash -n', requireTool(TOOLS.bash), () => {
    const r = spawnSync('bash', ['-n', path.join(ROOT, COMPLETION_FILES.bash)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  test('zsh -n', requireTool(TOOLS.zsh), () => {
    const r = spawnSync('zsh', ['-n', path.join(ROOT, COMPLETION_FILES.zsh)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  test('fish -n', requireTool(TOOLS.fish), () => {
    const r = spawnSync('fish', ['-n', path.join(ROOT, COMPLETION_FILES.fish)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('bash completion', requireTool(TOOLS.bash), () => {
  test('set-limit <TAB> with --root on the line: the fixture tree\'s zone ids (and names)', () => {
    const got = bashComplete(`powercapctl --root ${tree.classRoot} set-limit `);
    for (const id of SPEC_IDS) assert.ok(got.includes(id), `${id} in ${got.join(' ')}`);
    assert.ok(got.includes('core') && got.includes('gpu-slice'), 'unique names offered');
    // package-0 exists in both control types: the bare name means both copies (set as one), type/name one
    assert.ok(got.includes('intel-rapl/package-0') && got.includes('intel-rapl-mmio/package-0'));
    assert.ok(got.includes('package-0'));
  });

  test('set-limit <TAB> with --snapshot after the command: the snapshot\'s zone ids', () => {
    const got = bashComplete(`powercapctl set-limit --snapshot ${laptop.file} `);
    for (const id of LAPTOP_IDS) assert.ok(got.includes(id), `${id} in ${got.join(' ')}`);
    assert.ok(got.includes('psys'));
  });

  test('the devices layout works as --root too', () => {
    const got = bashComplete(`powercapctl --root ${tree.devicesRoot} list `);
    for (const id of SPEC_IDS) assert.ok(got.includes(id));
  });

  test('POWERCAPCTL_SNAPSHOT / POWERCAPCTL_ROOT in the environment; a flag on the line wins', () => {
    assert.ok(bashComplete('powercapctl tree ', { POWERCAPCTL_SNAPSHOT: laptop.file }).includes('intel-rapl:1'));
    assert.ok(bashComplete('powercapctl tree ', { POWERCAPCTL_ROOT: tree.classRoot }).includes('intel-rapl:0:a'));
    const got = bashComplete(`powercapctl --root ${tree.classRoot} tree `, { POWERCAPCTL_SNAPSHOT: laptop.file });
    assert.ok(got.includes('intel-rapl:0:a') && !got.includes('intel-rapl:1'));
  });

  test('a typed prefix with a colon: only the part after the last ":" is replaced (COMP_WORDBREAKS)', () => {
    // typed `intel-rapl:0:` → bash replaces the empty text after the last ':' → `0`, `a`
    assert.deepEqual(bashComplete(`powercapctl --root ${tree.classRoot} set-limit intel-rapl:0:`).sort(), ['0', 'a']);
    // typed `intel-rapl:0` → the text `0` is replaced by `0`, `0:0`, `0:a` (intel-rapl:0, intel-rapl:0:0, intel-rapl:0:a)
    assert.deepEqual(bashComplete(`powercapctl --root ${tree.classRoot} set-limit intel-rapl:0`).sort(), ['0', '0:0', '0:a']);
  });

  test('--constraint <TAB>: the constraint names of the zone on the line', () => {
    assert.deepEqual(bashComplete(`powercapctl --root ${tree.classRoot} set-limit intel-rapl:0 20W --constraint `), ['long_term', 'short_term']);
    assert.deepEqual(bashComplete(`powercapctl --root ${tree.classRoot} set-limit core 2W -c `), ['long_term']);
    assert.deepEqual(bashComplete(`powercapctl --snapshot ${laptop.file} set-limit intel-rapl:0=20W -c `), ['long_term', 'short_term', 'peak_power']);
  });

  test('commands, subcommands, options and choices', () => {
    const top = bashComplete('powercapctl ');
    for (const c of ['list', 'tree', 'set-limit', 'snapshot', 'completion', 'help']) assert.ok(top.includes(c), c);
    assert.ok(!top.includes('start'), 'hidden commands are not offered');
    assert.deepEqual(bashComplete('powercapctl snapshot '), ['save', 'check']);
    assert.deepEqual(bashComplete('powercapctl list --format '), ['table', 'json', 'tsv', 'csv']);
    assert.deepEqual(bashComplete('powercapctl list --format=t'), ['table', 'tsv']);
    assert.deepEqual(bashComplete('powercapctl completion '), ['bash', 'zsh', 'fish']);
    const opts = bashComplete('powercapctl list --');
    for (const o of ['--type', '--format', '--root', '--snapshot', '--json', '--help']) assert.ok(opts.includes(o), o);
    assert.deepEqual(bashComplete('powercapctl --snapshot examples/intel-l'), ['examples/intel-laptop.json']);
  });

  test('a broken source gives no candidates and no error', () => {
    assert.deepEqual(bashComplete('powercapctl --snapshot /nonexistent/x.json set-limit '), []);
    assert.deepEqual(bashComplete(`powercapctl --snapshot ${path.join(ROOT, 'package.json')} set-limit `), []);
  });
});

describe('zsh completion', requireTool(TOOLS.zsh), () => {
  test('set-limit <TAB> offers the snapshot\'s zone ids (completion builtins stubbed)', () => {
    const script = `
compdef() { : }
compadd() { [[ $1 == -a ]] && { print -l -- \${(P)2}; return }; shift; [[ $1 == -- ]] && shift; print -l -- "$@" }
_describe() { print -l -- "\${(@)reply%%:*}" }
_files() { print FILES }
_message() { : }
compset() { : }
source ${JSON.stringify(path.join(ROOT, COMPLETION_FILES.zsh))}
all=(\${(z)1}); words=(\${all[\${all[(I);]}+1,-1]}); [[ $1 == *' ' ]] && words+=('')  # zsh's words: the current command only
CURRENT=\${#words}
LBUFFER=$1
_powercapctl
`;
    const complete = (line: string) => {
      const r = spawnSync('zsh', ['-f', '-c', script, 'zsh', line], { env: { ...cleanEnv(), PATH: `${BIN_DIR}:${process.env.PATH}` }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    const got = complete(`powercapctl --snapshot ${laptop.file} set-limit `);
    for (const id of LAPTOP_IDS) assert.ok(got.includes(id), `${id} in ${got.join(' ')}`);
    assert.deepEqual(complete('powercapctl snapshot '), ['save', 'check']);
    assert.deepEqual(complete(`powercapctl --root ${tree.classRoot} set-limit intel-rapl:0 1W -c `), ['long_term', 'short_term']);
    // a source variable assigned in front of the command
    assert.ok(complete(`true; POWERCAPCTL_ROOT=${tree.classRoot} powercapctl tree `).includes('intel-rapl:0:a'));
  });
});

describe('fish completion', requireTool(TOOLS.fish), () => {
  test('set-limit <TAB> offers the snapshot\'s zone ids', () => {
    const complete = (line: string) => {
      const r = spawnSync('fish', ['--no-config', '-c', `source ${path.join(ROOT, COMPLETION_FILES.fish)}; complete -C $argv[1]`, line], {
        env: { ...cleanEnv(), PATH: `${BIN_DIR}:${process.env.PATH}` },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    };
    const got = complete(`powercapctl --snapshot ${laptop.file} set-limit `);
    for (const id of LAPTOP_IDS) assert.ok(got.includes(id), `${id} in ${got.join(' ')}`);
    assert.deepEqual(complete('powercapctl list --format ').sort(), ['csv', 'json', 'table', 'tsv']);
    assert.deepEqual(complete(`powercapctl --root ${tree.classRoot} set-limit core 1W --constraint `), ['long_term']);
    assert.ok(complete(`true; POWERCAPCTL_ROOT=${tree.classRoot} powercapctl tree `).includes('intel-rapl:0:a'));
  });
});

describe('__complete fast path', () => {
  test('prints one candidate per line: zones, DTPM node paths, devices, EM domains', () => {
    const rk = example('rk3399-dtpm');
    const lines = (args: string[]) => run(['__complete', ...args]).stdout.split('\n').filter(Boolean);
    assert.deepEqual(lines(['dtpm-node', '--snapshot', rk]), ['rk3399', 'rk3399/package', 'rk3399/package/cpu0-cpufreq', 'rk3399/package/cpu4-cpufreq', 'rk3399/package/ff9a0000.gpu']);
    assert.deepEqual(lines(['device', '--snapshot', rk]), ['cpu0-cpufreq', 'cpu4-cpufreq', 'ff9a0000.gpu']);
    assert.deepEqual(lines(['domain', '--snapshot', rk]), ['cpu0', 'cpu4', 'ff9a0000.gpu']);
    assert.deepEqual(lines(['zone', `--root=${tree.classRoot}`]).slice(0, 4), SPEC_IDS);
  });

  test('zones: only names that resolve to one zone, or to one package (its MSR and MMIO copies)', () => {
    const lines = (args: string[]) => run(['__complete', ...args]).stdout.split('\n').filter(Boolean);
    // two sockets: dram names two zones, also as intel-rapl/dram; set-limit would refuse it
    const xeon = lines(['zone', '--snapshot', example('xeon-2s')]);
    assert.ok(!xeon.includes('intel-rapl/dram') && !xeon.includes('dram'), xeon.join(' '));
    for (const c of xeon) assert.doesNotMatch(run(['--snapshot', example('xeon-2s'), 'set-limit', c, '10W', '-n']).stderr, /ambiguous/, c);
    // the laptop: package-0 means both copies, set as one transaction
    const laptop = lines(['zone', '--snapshot', example('intel-laptop')]);
    assert.deepEqual(laptop.slice(6), ['package-0', 'intel-rapl/package-0', 'intel-rapl-mmio/package-0', 'core', 'uncore', 'dram', 'psys']);
    assert.equal(run(['--snapshot', example('intel-laptop'), 'set-limit', 'package-0', '20W', '-n']).code, 0);
  });

  test('errors are silent: exit 0, nothing on either stream', () => {
    for (const args of [['zone', '--snapshot', '/nonexistent.json'], ['zone', '--root', '/nonexistent'], ['no-such-kind'], []]) {
      const r = run(['__complete', ...args]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
    }
  });
});
