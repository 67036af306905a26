import type { CommandSpec, OptionSpec, OptionsOf } from '../../spec.js';
import {
  actor, coefficient, cpuCapacity, cpuCount, dir, duration, file, frequency, idleState, ipaWeight, kernelVersion, listOf, mask, named,
  oneOf, outputFile, percent, power, powerSpec, temperature, text, utilisation, voltage, zone,
} from '../../option-values.js';

/*
 * Where a performance domain's table comes from, shared by em, power, energy and cap. Each
 * subcommand declares the options that do something in it and nothing else: `model power` has no
 * --capacity (the cooling model has no performance), `model energy` no --device (em_cpu_energy()
 * runs on CPUs). The options that read a device tree need one; those that shape a table read from a
 * device tree or a file do nothing to the energy model's own table, and are refused there when the
 * source turns out to be the energy model (commands/model/common.ts, refuseForEnergyModel).
 */
const domain = { flags: '-d, --domain <name>', description: 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root', value: text('domain', 'domain'),
  conflicts: { options: ['dts', 'opp-file'], message: '--domain picks a domain of the energy model: not with --dts or --opp-file' } } as const;
const dts = { flags: '--dts <file>', description: 'a device tree holding an operating-points-v2 table: .dts/.dtsi source, .dtb blob, or a directory like /sys/firmware/devicetree/base', value: text('device tree (file or folder)', 'file'),
  conflicts: { options: ['opp-file'], message: '--dts and --opp-file are two tables: give one' } } as const;
const table = { flags: '--table <name>', description: 'which OPP table of the --dts file: node name, label, or a CPU/device node using it', value: text('OPP table'),
  requires: { options: ['dts'], message: '--table chooses a table of a --dts file', hint: 'add --dts FILE' } } as const;
const oppFile = { flags: '--opp-file <file>', description: 'a CSV or JSON table: frequency and power or voltage, with units (1.8GHz, 1130mW, 1.1V)', value: file } as const;
const coefficientOpt = { flags: '-C, --coefficient <C>', description: 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives', value: coefficient } as const;
const capacity = { flags: '--capacity <n>', description: 'CPU capacity of the domain\'s fastest state (1–1024)', defaultDescription: '1024, or the energy model\'s', value: cpuCapacity } as const;
const device = { flags: '--device', description: 'a device (GPU…), not CPUs: no performance, and no cost from kernel 6.9 (automatic for non-CPU DTS tables and EM domains)',
  conflicts: { options: ['capacity', 'cpus'], hint: 'a device has no CPU capacity, and counts as one' } } as const;
const cpus = { flags: '--cpus <n>', description: 'number of CPUs in the domain (nr_cpus)', defaultDescription: 'the domain\'s CPUs when known', value: cpuCount } as const;

/** The options that read a device tree: in `model em` any device tree (--dts, --dt, the live one), elsewhere --dts. */
const DT_READERS = [
  { flags: '-I, --include <dir>', description: 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)', repeatable: true, value: dir },
  { flags: '--supported-hw <mask>', description: 'the opp-supported-hw mask the driver sets from fuses (0x3, or one per level: 0x3,0x1)', defaultDescription: 'all bits: every OPP kept, listed in a note', value: mask },
  { flags: '--opp-name <name>', description: 'read opp-microvolt-<name> (and opp-microwatt-<name>) before opp-microvolt, as dev_pm_opp_set_prop_name() does', value: text('OPP name') },
] as const;
const withDts = <O extends OptionSpec>(o: O) => ({ ...o, requires: { options: ['dts'], hint: 'it reads the device tree of --dts FILE' } }) as const;
const notWithOppFile = <O extends OptionSpec>(o: O) => ({ ...o, conflicts: { options: ['opp-file'], hint: 'it reads a device tree; an --opp-file table has none' } }) as const;
const [include, supportedHw, oppName] = DT_READERS;

/** the table options of power, energy and cap: a device tree's options need --dts */
const TABLE_OPTIONS = [domain, dts, table, withDts(include), withDts(supportedHw), withDts(oppName), oppFile] as const;

const emOptions = [
  domain, dts, table, notWithOppFile(include), notWithOppFile(supportedHw), notWithOppFile(oppName), oppFile, coefficientOpt, capacity, device, cpus,
  { flags: '--kernel <version>', description: 'the kernel whose rules apply: a version (6.9, 6.1, 5.15, $(uname -r)), current (6.12) or pre-6.0 (5.19)', defaultDescription: 'current', value: kernelVersion },
  { flags: '--dt <dir|file>', description: 'list every performance domain of this device tree (a directory like /sys/firmware/devicetree/base, a .dtb or a .dts)', value: text('device tree (file or folder)', 'file'),
    conflicts: { options: ['dts', 'opp-file'], message: '--dt lists a whole device tree: not with --dts or --opp-file (use --dts FILE --table NAME for one table)' } },
  { flags: '--plot', description: 'draw power against frequency and cost against performance in the terminal' },
  { flags: '--svg <file>', description: 'write the same chart as a standalone SVG file (atomically)', value: outputFile },
] as const satisfies readonly OptionSpec[];

const powerOptions = [
  ...TABLE_OPTIONS, coefficientOpt, cpus,
  { flags: '-f, --freq <frequency>', description: 'frequency (1.8GHz, 1800MHz)', value: frequency },
  { flags: '-V, --voltage <voltage>', description: 'voltage (1.1V, 1100mV); default: the OPP\'s at --freq', value: voltage,
    requires: { options: ['freq'], message: '--voltage goes with --freq', hint: 'e.g. --freq 1.8GHz --voltage 1.2V' } },
  { flags: '-u, --util <percent,...>', description: 'load per CPU in percent (60% for each of --cpus CPUs, or 100%,60%,0%,0%)', defaultValue: '100%', value: listOf(percent, 'load list') },
  { flags: '--static <power>', description: 'a fixed static power for the domain (150mW)', value: power,
    conflicts: { options: ['static-table'], message: '--static and --static-table are two static powers: give one' } },
  { flags: '--static-table <file>', description: 'CSV/JSON of static power by temperature (rows) and voltage (columns)', value: file,
    requires: { options: ['temp'], hint: 'e.g. --temp 55C' } },
  { flags: '-t, --temp <temperature>', description: 'temperature for --static-table (55C)', value: temperature,
    requires: { options: ['static-table'], message: '--temp reads the --static-table', hint: 'add --static-table FILE' } },
] as const satisfies readonly OptionSpec[];

const energyOptions = [
  ...TABLE_OPTIONS, coefficientOpt, capacity, cpus,
  { flags: '-u, --util <list>', description: 'utilisation of each CPU of the domain, 0 to the capacity (300,200,80,0)', value: listOf(utilisation, 'utilisation list'),
    required: { hint: 'one utilisation per CPU of the domain, 0 to the capacity: --util 300,200,80,0' } },
  { flags: '--all-states', description: 'do not skip inefficient states (a policy without skip-inefficiencies)' },
] as const satisfies readonly OptionSpec[];

/** what a bare domain takes in `model cap`: not with --zone, whose DTPM leaves bring their own tables */
const CAP_DOMAIN_OPTIONS = [...TABLE_OPTIONS, coefficientOpt, capacity, device, cpus] as const;
const capOptions = [
  { flags: '-z, --zone <zone>', description: 'a DTPM zone of the tree (id, name): the limit is written there', value: zone, complete: 'dtpm-node',
    conflicts: {
      options: ['domain', 'dts', 'opp-file', 'table', 'include', 'supported-hw', 'opp-name', 'coefficient', 'capacity', 'device', 'cpus'],
      hint: '--zone caps a DTPM tree, whose leaves bring their own tables; --domain, --dts or --opp-file (and the options that shape a table) model one bare domain',
    } },
  { flags: '-l, --limit <power>', description: 'the power limit (3W, 1500mW, max, min, 50%)', value: powerSpec, required: { hint: 'e.g. --limit 3W, 1500mW, 50% or max' } },
  ...CAP_DOMAIN_OPTIONS,
] as const satisfies readonly OptionSpec[];

const budgetOptions = [
  { flags: '-b, --budget <power>', description: 'the power to divide (3W)', value: power, required: { hint: 'e.g. --budget 3W' } },
  { flags: '-a, --actor <name:req:max[:weight]>', description: 'an actor: requested and maximum power, IPA weight (1024 for all when no actor has one; else unset = 0)', repeatable: true, value: actor,
    conflicts: { options: ['zone', 'tree', 'request', 'weight'], message: '--actor gives the actors: not with --zone, --tree, --request or --weight' } },
  { flags: '-z, --zone <zone>', description: 'DTPM node whose leaves are the actors (default: the root of the only DTPM tree)', value: zone, complete: 'dtpm-node' },
  { flags: '--tree <file>', description: 'a JSON hierarchy description instead of the source: nested {name, powerMaxUw, powerMinUw, requestUw, children}', value: file,
    conflicts: { options: ['snapshot', 'root'], message: '--tree describes the tree itself: not with --snapshot or --root' } },
  { flags: '-r, --request <name=power>', description: 'requested power of a DTPM leaf', repeatable: true, value: named(power, 'LEAF') },
  { flags: '-w, --weight <name=n>', description: 'IPA weight of a DTPM leaf (1024 for every actor when none is given; once one is, an unset weight is 0)', repeatable: true, value: named(ipaWeight, 'LEAF') },
  { flags: '--all', description: 'every leaf in the table (over 50 leaves it shows the 20 most starved and the totals)' },
] as const satisfies readonly OptionSpec[];

const idleOptions = [
  { flags: '-s, --state <name:entry:exit:residency>', description: 'a domain idle state, shallowest first (CLUSTER_SLEEP:400us:500us:2ms)', repeatable: true, value: idleState },
  { flags: '--preset <name>', description: 'idle states of a known SoC', value: oneOf(['rk3399']) },
  { flags: '-i, --idle <durations>', description: 'expected idle time, or a list of idle periods (3ms or 500us,2ms,10ms)', value: listOf(duration(), 'list of idle periods'),
    required: { hint: 'the expected idle time, or a list of idle periods: --idle 3ms or --idle 500us,2ms,10ms' } },
  { flags: '--latency <duration>', description: 'the tightest latency constraint of the domain\'s devices and CPUs', value: duration() },
  { flags: '--on-power <power>', description: 'domain power when on and idle (staying on)', value: power },
  { flags: '--off-power <name=power>', description: 'domain power in a state (CLUSTER_SLEEP=5mW)', repeatable: true, value: named(power, 'STATE') },
] as const satisfies readonly OptionSpec[];

export type EmOptions = OptionsOf<typeof emOptions>;
export type PowerOptions = OptionsOf<typeof powerOptions>;
export type EnergyOptions = OptionsOf<typeof energyOptions>;
export type CapOptions = OptionsOf<typeof capOptions>;
export type BudgetOptions = OptionsOf<typeof budgetOptions>;
export type IdleOptions = OptionsOf<typeof idleOptions>;

export const modelSpec: CommandSpec = {
  name: 'model',
  group: 'model',
  summary: 'energy-model calculators: OPP tables, power, energy, caps, budgets, cluster idle',
  description:
    'Compute what the kernel computes from an energy model, with its integer rules, without touching the system:\n' +
    'the table built from device-tree OPPs, cpufreq cooling power, the EAS energy estimate, the OPP a DTPM power\n' +
    'limit lands each leaf on, how the thermal power allocator and DTPM divide a budget, and when a cluster power\n' +
    'domain powers off. Tables come from --dts, --opp-file, or --domain with a snapshot or the live energy model.',
  examples: [
    { command: 'powercapctl model em --dts examples/help-rk3399.dts --table cluster1_opp --coefficient 436', description: 'the A72 table a 6.x kernel builds' },
    { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model cap --zone package --limit 3W', description: 'what a 3 W cap does to each leaf' },
    { command: 'powercapctl model budget --budget 2W --actor cpu:1.5W:2.26W --actor gpu:1W:2.56W', description: 'IPA against DTPM' },
  ],
  subcommands: [
    {
      name: 'em',
      group: 'model',
      summary: 'the energy-model table: frequency, voltage, power, performance, cost, inefficient states',
      description:
        'Per state: frequency (kHz), voltage, power in µW (and the mW a pre-6.0 kernel computed from the same OPP),\n' +
        'performance (capacity × f / fmax), cost (power × 10 / performance) and whether the state is inefficient.\n' +
        '--kernel VERSION follows that kernel\'s energy_model.c (6.9+, 6.0–6.8, 5.15–5.19, older; `--kernel $(uname -r)` works).\n' +
        'Without an input, every domain of the energy model (snapshot or --em-root) is shown; when the kernel\'s energy model\n' +
        'is not readable, every domain of the live device tree (/sys/firmware/devicetree/base, or POWERCAPCTL_DT); --dt reads another.',
      options: emOptions,
      examples: [
        { command: 'powercapctl model em --dts examples/help-rk3399.dts --table cpu_b0', description: 'the table for the CPUs using cpu_b0\'s OPPs (coefficient and capacity from the device tree)' },
        { command: 'powercapctl model em --opp-file examples/help-a72.csv --coefficient 436 --cpus 2 --plot', description: 'a CSV table, with the curves drawn' },
        { command: 'powercapctl model em --dt examples/help-rk3399.dts --kernel 6.1', description: 'every domain a board with this device tree registers, by 6.1\'s rules (on the board: model em --kernel $(uname -r))' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model em --domain cpu4 --svg a72.svg', description: 'a snapshot\'s domain as an SVG chart' },
      ],
      load: () => import('./em.js'),
    },
    {
      name: 'power',
      group: 'model',
      summary: 'cpufreq cooling power model: C·V²·f·load plus static (leakage) power',
      description:
        'Dynamic power C × f(MHz) × V(mV)² × load (µW, and mW as the old cooling device computed it), plus static\n' +
        'power from --static or a table of power by temperature and voltage (--static-table, interpolated). With a\n' +
        'domain and no --freq, one row per OPP.',
      options: powerOptions,
      examples: [
        { command: 'powercapctl model power -C 436 --freq 1.8GHz --voltage 1.2V --util 100% --cpus 2', description: 'two A72s flat out' },
        { command: 'powercapctl model power --dts examples/help-rk3399.dts --table cpu_b0 --util 50% --static-table examples/help-leak.csv --temp 70C', description: 'every OPP at half load, hot' },
      ],
      load: () => import('./power.js'),
    },
    {
      name: 'energy',
      group: 'model',
      summary: 'the state EAS picks for per-CPU utilisations, and its energy estimate (6.9+ and 6.0–6.8 formulas)',
      description:
        'em_cpu_energy(): max utilisation + 25 % headroom picks the first efficient state whose performance covers it;\n' +
        'energy = cost × Σutil (6.9+), or cost × Σutil / capacity with cost = power × fmax / f (6.0–6.8).\n' +
        'Both are shown, and as an average power of the domain.',
      options: energyOptions,
      examples: [
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model energy -d cpu4 --util 300,200', description: 'the two A72s at 300 and 200' },
        { command: 'powercapctl model energy --opp-file examples/help-a53.csv --coefficient 100 --capacity 381 --util 100,80,0,0', description: 'from a table' },
      ],
      load: () => import('./energy.js'),
    },
    {
      name: 'cap',
      group: 'model',
      summary: 'what a power limit does: each DTPM leaf\'s share, OPP, frequency cap, power and performance lost',
      description:
        'Runs the DTPM split of drivers/powercap/dtpm.c on a copy of the tree (nothing is written): the limit each leaf is\n' +
        'handed, the highest state whose power × nr_cpus fits, its frequency, the power applied and the performance\n' +
        'lost against the top state. With --domain (or --dts/--opp-file), the same for one bare performance domain.',
      options: capOptions,
      examples: [
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model cap --zone package --limit 3W', description: 'a 3 W cap on the rk3399 package' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model cap --domain cpu4 --limit 1.5W', description: 'the A72 cluster alone' },
        { command: 'powercapctl model cap --opp-file examples/help-a72.csv --coefficient 436 --cpus 2 --limit 50%', description: 'half the cluster\'s maximum' },
      ],
      load: () => import('./cap.js'),
    },
    {
      name: 'budget',
      group: 'model',
      summary: 'divide a budget: thermal power allocator (by demand) next to DTPM (by power_max)',
      description:
        'The power allocator of drivers/thermal/gov_power_allocator.c (weighted requests, grants capped at max, the excess shared by headroom)\n' +
        'beside DTPM\'s static split by power_max, so one sees which actor each scheme starves. Actors from --actor,\n' +
        'or the leaves of a DTPM tree (snapshot, live, or a --tree description file) with --request per leaf\n' +
        '(default: the leaf\'s power_uw reading).',
      options: budgetOptions,
      examples: [
        { command: 'powercapctl model budget -b 2W -a a72:1.8W:2.26W:1024 -a a53:0.4W:0.72W:1024 -a gpu:1.5W:2.56W:512', description: 'three actors, the GPU weighted half as much as each CPU cluster (once one actor has a weight, every actor needs one: unset is 0)' },
        { command: 'powercapctl --snapshot examples/rk3399-dtpm.json model budget -b 3W -r cpu4-cpufreq=2W', description: 'the rk3399 leaves, the A72s asking 2 W' },
      ],
      load: () => import('./budget.js'),
    },
    {
      name: 'idle',
      group: 'model',
      summary: 'which idle state the genpd CPU-domain governor picks, and the energy saved against staying on',
      description:
        'For a cluster power domain with idle states (entry/exit latency, minimum residency): the deepest state whose\n' +
        'entry latency + residency fits the idle time and whose entry + exit latency fits the latency constraint\n' +
        '(drivers/pmdomain/governor.c). With --on-power and --off-power, the energy saved: (P_on − P_off) × (T − entry − residency).',
      options: idleOptions,
      examples: [
        { command: 'powercapctl model idle --preset rk3399 --idle 1ms,2.5ms,10ms', description: 'rk3399\'s states for three idle periods' },
        { command: 'powercapctl model idle -s RET:50us:80us:300us -s OFF:400us:500us:2ms --idle 3ms --latency 600us --on-power 60mW --off-power RET=20mW --off-power OFF=2mW', description: 'energy saved under a latency constraint' },
      ],
      load: () => import('./idle.js'),
    },
  ],
};
