/**
 * One run of every command that prints --json, against copies of the bundled examples and a
 * fixture laptop tree: what test/json-contract.test.ts validates against schema/. Each entry
 * names the schema its document follows (schema/<name>.schema.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, fixture, EXAMPLES, type RunResult } from './helpers.js';
import { makeTempDir } from './fixtures/sysfs.js';
import { intelLaptop } from './fixtures/specs.js';

export interface JsonScenario {
  schema: string;
  args: string[];
  /** the exit code this run gives (apply --check: 7 when not in state) */
  code: number;
  result: RunResult;
}

export function runJsonScenarios(): { scenarios: JsonScenario[]; cleanup(): void } {
  const dir = makeTempDir();
  const live = fixture(intelLaptop);
  fs.cpSync(EXAMPLES, path.join(dir, 'examples'), { recursive: true });
  const ex = (n: string) => path.join(dir, 'examples', n);
  const copy = (n: string, to: string) => { fs.copyFileSync(ex(n), path.join(dir, to)); return path.join(dir, to); };
  const lap = copy('intel-laptop.json', 'lap.json');
  const rk = copy('rk3399-dtpm.json', 'rk.json');
  const profile = copy('profile-laptop.yaml', 'profile.yaml');
  const img = path.join(dir, 'img');
  fs.mkdirSync(img);
  const L = ['--snapshot', ex('intel-laptop.json')];
  const R = ['--snapshot', ex('rk3399-dtpm.json')];
  // [schema, arguments, exit code when not 0]
  const list: Array<[string, string[], number?]> = [
    ['list', [...L, 'list']],
    ['list', [...R, 'list']],
    ['tree', [...L, 'tree']],
    ['tree', [...R, 'tree']],
    ['set-limit', ['--snapshot', lap, 'set-limit', 'package-0', '20W', '-w', '1s']],
    ['set-limit', ['--snapshot', lap, 'set-limit', 'intel-rapl:0', '25.3W', '-n']],
    ['set-limit', ['--snapshot', rk, 'set-limit', 'package', '3W']],
    ['apply', ['--snapshot', lap, 'apply', profile, '--check'], 7],
    ['doctor', [...L, 'doctor']],
    ['model-em', [...R, 'model', 'em']],
    ['model-em', ['model', 'em', '--dts', ex('help-rk3399.dts'), '--table', 'cluster1_opp', '--coefficient', '436']],
    ['model-power', ['model', 'power', '-C', '436', '--freq', '1.8GHz', '--voltage', '1.2V', '--util', '100%', '--cpus', '2']],
    ['model-energy', [...R, 'model', 'energy', '-d', 'cpu4', '--util', '300,200']],
    ['model-cap', [...R, 'model', 'cap', '--zone', 'package', '--limit', '3W']],
    ['model-cap', [...R, 'model', 'cap', '--domain', 'cpu4', '--limit', '1.5W']],
    ['model-budget', ['model', 'budget', '-b', '2W', '-a', 'a72:1.8W:2.26W', '-a', 'gpu:1.5W:2.56W:512']],
    ['model-budget', [...R, 'model', 'budget', '-b', '3W', '-r', 'cpu4-cpufreq=2W']],
    ['model-idle', ['model', 'idle', '--preset', 'rk3399', '--idle', '1ms,2.5ms,10ms']],
    ['sim', ['sim', ex('sim-rk3399-moving.yaml'), '--policy', 'static,balance']],
    ['sim', ['sim', ex('sim-rk3399-govern.yaml')]],
    ['registry-list', [...R, 'registry', 'list']],
    ['registry-add', ['--snapshot', rk, 'registry', 'add', 'power-supply-charge', '--power-min', '0.25W', '--power-max', '4W']],
    ['create-node', ['--snapshot', rk, 'create-node', 'rk3399/package/power-supply-charge']],
    ['delete-node', ['--snapshot', rk, 'delete-node', 'rk3399/package/power-supply-charge']],
    ['registry-remove', ['--snapshot', rk, 'registry', 'remove', 'power-supply-charge']],
    ['dtpm-check', [...R, 'dtpm', 'check'], 1],
    ['dtpm-export', ['--snapshot', rk, 'dtpm', 'export', '-o', path.join(dir, 'desc.json')]],
    ['dtpm-new', ['dtpm', 'new', path.join(dir, 'board.json'), '--hostname', 'myboard']],
    ['dtpm-import', ['--snapshot', rk, 'dtpm', 'import', '--replace', path.join(dir, 'desc.json')]],
    ['snapshot-save', ['--root', live.classRoot, 'snapshot', 'save', path.join(dir, 'host.json')]],
    ['snapshot-check', ['snapshot', 'check', ex('rk3399-dtpm.json')]],
    ['profile-save', [...L, 'profile', 'save', path.join(dir, 'saved.yaml')]],
    // persist acts on the live tree its units act on: the fixture's
    ['persist-install', ['--root', live.classRoot, 'persist', 'install', profile, '--root-dir', img]],
    ['persist-status', ['persist', 'status', '--root-dir', img]],
    ['persist-remove', ['persist', 'remove', '--root-dir', img]],
    ['grant-read', ['grant-read', 'prometheus', '--root-dir', img, '--tmpfiles']],
  ];
  const scenarios = list.map(([schema, args, code]) => ({ schema, args, code: code ?? 0, result: run(['--json', ...args], { cwd: dir }) }));
  return { scenarios, cleanup: () => { live.cleanup(); fs.rmSync(dir, { recursive: true, force: true }); } };
}
