import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { count, decimal, interval, oneOf, outputFile } from '../../option-values.js';
import { typeOption, zonesArg } from '../zone-filter.js';

const args = [zonesArg] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-i, --interval <duration>', description: 'time between samples (1s, 100ms, 2.5s; a bare number is seconds); a replay keeps the recorded times', defaultValue: '1s', value: interval({ min: '1ms' }), source: 'live' },
  { flags: '-n, --count <n>', description: 'stop after N samples (default: until Ctrl-C)', value: count,
    conflicts: { options: ['duration'], message: '--count and --duration both say when to stop: give one' } },
  { flags: '-d, --duration <duration>', description: 'stop after this long (30s, 5m; a bare number is seconds); instead of --count', value: interval({ min: '1ms' }) },
  { flags: '--format <format>', description: 'output format (--json is ndjson; prometheus: one exposition per interval)', value: oneOf(['table', 'ndjson', 'csv', 'prometheus']), defaultDescription: 'table on a terminal, ndjson otherwise', conflicts: { options: ['json'], message: '--json prints NDJSON: give --format or --json, not both' } },
  { flags: '--textfile <file>', description: 'prometheus: rewrite FILE atomically each interval (for node_exporter\'s textfile collector) instead of stdout', value: outputFile, implies: { format: 'prometheus' },
    conflicts: { options: ['json'], message: '--textfile writes Prometheus text and --json NDJSON: give one' } },
  { flags: '--record <file>', description: 'also write the readings, with the tree they came from, into a snapshot FILE (replay with --snapshot FILE watch); a live run only', value: outputFile, source: 'live' },
  { flags: '--speed <factor>', description: 'replay speed of a recording (--snapshot FILE): 1 as recorded, 10 ten times faster, 0 as fast as possible', defaultValue: '1', value: decimal({ min: 0 }), source: 'snapshot' },
  typeOption,
] as const satisfies readonly OptionSpec[];

export type WatchArgs = ArgsOf<typeof args>;
export type WatchOptions = OptionsOf<typeof options>;

export const watchSpec: CommandSpec = {
  name: 'watch',
  group: 'read',
  summary: 'sample energy and power over time: live table, NDJSON, CSV or Prometheus text',
  description:
    'Read every selected zone\'s energy_uj (or power_uw for zones that report power, like DTPM) on an absolute\n' +
    'schedule and print the power over each interval, with counter wraps handled through max_energy_range_uj.\n' +
    'A reading one wrap cannot explain, an unreadable sample or a zone that vanished is a gap with a reason.\n' +
    'A "system" figure sums only zones that do not overlap (packages and server DRAM, not psys with packages,\n' +
    'not core/uncore inside packages, not the MMIO copy of a package) and says which it summed.\n' +
    'On a terminal: a live table; otherwise (or with --json) NDJSON, one object per sample per zone:\n' +
    '{ t, time, zone, name, energyDeltaUj, powerUw, intervalUs, wrapped, limitUw, atLimit } plus gap and reason for a gap\n' +
    '(t: seconds since the start; time: the wall clock, RFC 3339; energyDeltaUj: the energy of that interval, not the raw\n' +
    'counter). A zone drawing at least 97 % of the limit it is held to over the interval is at the limit (atLimit, the\n' +
    'table\'s AT LIMIT column, powercap_at_limit): the limit in force, a package\'s MSR and MMIO copies together, the\n' +
    'lowest over its constraints, re-read at most once a second; a zone not limited never is.\n' +
    '--format prometheus prints one complete exposition per interval (HELP and TYPE again each time, a blank line\n' +
    'between): a stream of expositions, not one; take one with --count 1, keep a file current with --textfile, and\n' +
    'for Prometheus to scrape, run powercapctl exporter.\n' +
    'With --snapshot FILE holding a recording (made with --record), the recording is replayed at its recorded times\n' +
    '(--speed changes the pace; --duration counts recorded time); --interval and --record belong to a live run.\n' +
    'Ctrl-C stops, prints a summary on a terminal, and exits 130.',
  args,
  options,
  examples: [
    { command: 'powercapctl --snapshot examples/watch-laptop.json watch --speed 20', description: 'no RAPL here (a VM)? replay the bundled minute of a laptop, 20 times faster' },
    { command: 'sudo powercapctl watch -n 3', description: 'every zone, once a second, three samples (a live table on a terminal; no -n: until Ctrl-C)' },
    { command: "sudo powercapctl watch 'package-*' dram -i 100ms -d 2s --json > run.ndjson", description: '2 s of 10 Hz samples for a pipeline' },
    { command: 'sudo powercapctl watch --format prometheus --count 1', description: 'one Prometheus exposition on stdout (each interval prints a whole one)' },
    { command: 'sudo powercapctl watch --format prometheus --textfile /var/lib/node_exporter/textfile/powercap.prom -i 15s', description: 'feed node_exporter\'s textfile collector' },
    { command: 'sudo powercapctl watch -i 100ms -n 20 --record run.json && powercapctl --snapshot run.json watch --speed 0 --format csv', description: 'record two seconds, replay it anywhere' },
  ],
  load: () => import('./run.js'),
};
