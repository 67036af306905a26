import type { ArgsOf, ArgSpec, CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import { duration, integer, interval, listenAddress } from '../../option-values.js';
import { typeOption, zonesArg } from '../zone-filter.js';

const args = [zonesArg] as const satisfies readonly ArgSpec[];

const options = [
  { flags: '-l, --listen <addr:port>', description: 'address and port to serve on ([::]:9847 for IPv6; port 0 picks a free one)', defaultValue: '127.0.0.1:9847', value: listenAddress },
  { flags: '-i, --interval <duration>', description: 'time between samples (1s, 500ms, 15s; a bare number is seconds); a snapshot\'s recording keeps its recorded times', defaultValue: '1s', value: interval({ min: '10ms' }), source: 'live' },
  { flags: '--limits-interval <duration>', description: 'time between re-reads of limits, windows and enabled state (never more often than the samples)', defaultValue: '60s', value: interval({ min: '10ms' }) },
  typeOption,
  { flags: '--max-connections <n>', description: 'connections served at once; more are closed on accept', defaultValue: '64', value: integer({ min: 1, max: 100000 }) },
  { flags: '--client-timeout <duration>', description: 'time a client gets to send its request; idle connections close after it too', defaultValue: '10s', value: duration({ min: '100ms', max: '24h' }) },
] as const satisfies readonly OptionSpec[];

export type ExporterArgs = ArgsOf<typeof args>;
export type ExporterOptions = OptionsOf<typeof options>;

export const exporterSpec: CommandSpec = {
  name: 'exporter',
  group: 'read',
  summary: 'serve power, energy and limits over HTTP for Prometheus',
  description:
    'An HTTP server for Prometheus: GET /metrics answers in the text format, or in OpenMetrics when the scraper asks\n' +
    'for it (Prometheus does); / is a short page linking to it; other paths are 404, other methods 405.\n' +
    'It samples on its own absolute schedule with the same wrap-proof sampler as watch, so a scrape never waits on\n' +
    'sysfs and every scraper sees the values of the same pass. Exported: each zone\'s energy (a counter in joules that\n' +
    'never goes down across hardware wraps) and power, the non-overlapping system total with the zones it summed, each\n' +
    'constraint\'s limit, time window and max power, enabled state, the effective limit of a package exposed through\n' +
    'both MSR and MMIO, whether each zone is at its limit (powercap_at_limit: 97 % of the limit in force over the\n' +
    'interval, as watch marks it), and the exporter\'s own cost. Zones are found at start. Without root, energy is absent and\n' +
    'powercapctl_exporter_energy_unreadable_info says why. On a snapshot, a watch --record recording in it is replayed\n' +
    'at its recorded pace (its last values stay served after it); without one, energy and power are left out (a\n' +
    'snapshot holds one reading of each counter) and powercapctl_exporter_snapshot_info says why. Slow or broken\n' +
    'clients are cut off by --client-timeout and --max-connections. SIGTERM stops it (exit 0), Ctrl-C exits 130;\n' +
    'a port in use or an address that is not this machine\'s exits 1, a port below 1024 without privilege 4, a\n' +
    'malformed --listen 2. See docs/fleet.md.',
  args,
  options,
  examples: [
    { command: 'sudo powercapctl exporter', description: 'serve http://127.0.0.1:9847/metrics, sampling every second' },
    { command: "sudo powercapctl exporter --listen 0.0.0.0:9847 -i 5s 'package-*' dram", description: 'packages and DRAM for a Prometheus on another host' },
    { command: 'powercapctl --snapshot examples/intel-laptop.json exporter --listen 127.0.0.1:0 --json', description: 'a snapshot\'s limits on a free port (the JSON line says which); no energy or power: it holds no recording' },
    { command: 'powercapctl --snapshot examples/watch-laptop.json exporter --listen 127.0.0.1:0', description: 'replay the bundled minute of a laptop for a Prometheus to scrape' },
  ],
  load: () => import('./run.js'),
};
