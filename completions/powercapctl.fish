# fish completion for powercapctl
# Generated from the command specs by `npm run gen` (scripts/gen-docs.ts); do not edit.
# Also printed by `powercapctl completion <shell>`. Dynamic values (zone ids and names,
# constraint names, DTPM nodes, devices, energy-model domains) come from the tree the
# line points at (--root, --snapshot, or POWERCAPCTL_ROOT/POWERCAPCTL_SNAPSHOT), through
# `powercapctl __complete KIND …`.
#
# Install: powercapctl completion fish > ~/.config/fish/completions/powercapctl.fish

# subcommands of a command path, as name<TAB>description
function __powercapctl_subs
    switch "$argv[1]"
        case ''
            printf '%s\t%s\n' 'list' 'one row per zone: energy, power, limits, time windows' 'tree' 'the zone hierarchy, with power, limits and DTPM weights' 'set-limit' 'set a power limit (and time window, enabled) on one or more zones, as one transaction' 'apply' 'bring the limits into a profile\'s state (YAML or JSON), as one transaction; --check compares only' 'balance' 'keep zones under a power budget, moving it to where it is drawn' 'govern' 'hold a temperature by driving the budget balance splits among the zones' 'watch' 'sample energy and power over time: live table, NDJSON, CSV or Prometheus text' 'exporter' 'serve power, energy and limits over HTTP for Prometheus' 'model' 'energy-model calculators: OPP tables, power, energy, caps, budgets, cluster idle' 'sim' 'try balance, govern or the kernel\'s static split on a simulated plant' 'registry' 'the power devices a DTPM hierarchy is built from (list, add, remove)' 'create-node' 'add a node to a DTPM hierarchy by name (a registered device, or a virtual node)' 'delete-node' 'remove a node from a DTPM hierarchy (its device goes back to the registry)' 'dtpm' 'DTPM hierarchies: new board snapshots, import/export of descriptions, checks' 'snapshot' 'save the live tree to a snapshot file, or check one' 'profile' 'write the current limits as a profile, for apply and persist install' 'persist' 'keep a profile applied: systemd units and a udev rule for boot, resume and AC changes' 'grant-read' 'let a group read energy_uj (udev rule or tmpfiles.d), after printing the side-channel trade-off' 'doctor' 'check why limits do not hold or readings fail, each finding with its evidence and fix' 'wizard' 'interactive: cap a zone, or build a DTPM hierarchy on a snapshot, step by step' 'completion' 'print the shell completion script for bash, zsh or fish' 'help' 'show help for a command'
        case 'model'
            printf '%s\t%s\n' 'em' 'the energy-model table: frequency, voltage, power, performance, cost, inefficient states' 'power' 'cpufreq cooling power model: C·V²·f·load plus static (leakage) power' 'energy' 'the state EAS picks for per-CPU utilisations, and its energy estimate (6.9+ and 6.0–6.8 formulas)' 'cap' 'what a power limit does: each DTPM leaf\'s share, OPP, frequency cap, power and performance lost' 'budget' 'divide a budget: thermal power allocator (by demand) next to DTPM (by power_max)' 'idle' 'which idle state the genpd CPU-domain governor picks, and the energy saved against staying on'
        case 'registry'
            printf '%s\t%s\n' 'list' 'list the registered devices (the default)' 'add' 'register a device in a snapshot (names are unique)' 'remove' 'unregister a device from a snapshot (refused while it is placed)'
        case 'dtpm'
            printf '%s\t%s\n' 'new' 'create an empty snapshot (no zones, no registry) to model a board, atomically' 'export' 'write the hierarchy as a JSON description or as the kernel per-SoC table' 'import' 'build the hierarchy a description file gives (JSON or kernel table)' 'check' 'check a hierarchy: empty virtual nodes, shares below minimum, missing energy models, limits above the parent'
        case 'snapshot'
            printf '%s\t%s\n' 'save' 'capture the live tree (and energy model) into FILE, atomically' 'check' 'validate a snapshot file against the schema'
        case 'profile'
            printf '%s\t%s\n' 'save' 'write the current limits to FILE (YAML, or JSON when FILE ends in .json; - for stdout)'
        case 'persist'
            printf '%s\t%s\n' 'install' 'install the profile, units and udev rule (without FILE: the limits set now)' 'status' 'installed or not, enabled, the last apply and the drifts the watchdog restored' 'remove' 'remove the units, the udev rule and their enablement links (the profile stays unless --purge)'
    end
end

# options of a command path (its own, then the global ones), as name<TAB>description
function __powercapctl_opts
    switch "$argv[1]"
        case ''
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help' '--version' 'print the version'
        case 'list'
            printf '%s\t%s\n' '-t' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '--type' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '--format' 'output format (--json is --format json)' '-h' 'show help' '--help' 'show help'
        case 'tree'
            printf '%s\t%s\n' '-t' 'only this control type' '--type' 'only this control type' '-h' 'show help' '--help' 'show help'
        case 'set-limit'
            printf '%s\t%s\n' '-c' 'constraint by name (long_term, short_term, peak_power) or number' '--constraint' 'constraint by name (long_term, short_term, peak_power) or number' '-w' 'also set the constraint\'s time window (28s, 2.44ms, 976us)' '--time-window' 'also set the constraint\'s time window (28s, 2.44ms, 976us)' '--enable' 'also write 1 to the zone\'s enabled file' '--disable' 'also write 0 to the zone\'s enabled file' '-n' 'print the plan (zone, constraint, old → new) and write nothing' '--dry-run' 'print the plan (zone, constraint, old → new) and write nothing' '-y' 'do not ask for confirmation on a terminal' '--yes' 'do not ask for confirmation on a terminal' '-f' 'write a value outside the constraint\'s min/max, or a limit of 0 or below 10 % of max, without asking (says what it overrides)' '--force' 'write a value outside the constraint\'s min/max, or a limit of 0 or below 10 % of max, without asking (says what it overrides)' '--only' 'a package name means both copies (MSR and MMIO): set only this control type\'s copy (intel-rapl)' '-h' 'show help' '--help' 'show help'
        case 'apply'
            printf '%s\t%s\n' '--check' 'compare only: exit 0 when in state, 7 when not; nothing is written' '-f' 'write a limit of 0 or below 10 % of max without asking (a terminal asks; otherwise refused)' '--force' 'write a limit of 0 or below 10 % of max without asking (a terminal asks; otherwise refused)' '--only' 'only zones of this control type (intel-rapl: the MSR copy of a package, not MMIO)' '--power-source' 'apply the items for this power source (when: ac, when: battery) instead of the one the power supplies report (--power-supply-root)' '--watch' 'keep applying: re-read the limits every interval (30s, 5m; 100ms to 24h), restore drift, log it on stderr; a live tree only' '--state' 'record the last apply and the drifts seen here (read by persist status)' '-h' 'show help' '--help' 'show help'
        case 'balance'
            printf '%s\t%s\n' '-b' 'the power the zones share (their limits never add up past it)' '--budget' 'the power the zones share (their limits never add up past it)' '--budget-file' 'follow the budget a resource manager writes in FILE (budget: 1.5W, optional until: RFC 3339), re-read each period' '--fallback-budget' 'the budget while the budget file is missing, unreadable, invalid or lapsed (never above the last good one)' '--under' 'also manage every leaf under this node (a DTPM parent: dtpm:0:0)' '-i' 'time between two periods (read, decide, write)' '--interval' 'time between two periods (read, decide, write)' '-w' 'share of a zone among the saturated ones (and of the headroom), default 1' '--weight' 'share of a zone among the saturated ones (and of the headroom), default 1' '--min' 'never limit this zone below POWER (at least its own minimum)' '-c' 'RAPL constraint to write' '--constraint' 'RAPL constraint to write' '-n' 'read and decide every period, write nothing' '--dry-run' 'read and decide every period, write nothing' '-d' 'stop after this long (default: until SIGTERM or Ctrl-C)' '--duration' 'stop after this long (default: until SIGTERM or Ctrl-C)' '--keep' 'at the end, leave the limits as they are instead of restoring the ones found at the start' '--report' 'rewrite FILE atomically each period with the budget, the total and each zone\'s power, limit and state (docs/fleet.md)' '--profile' 'take the zones and options from the profile\'s balance: section (docs/profiles.md; the service persist install writes runs this)' '-h' 'show help' '--help' 'show help'
        case 'govern'
            printf '%s\t%s\n' '--thermal-zone' 'the thermal zone to hold: its type (skin-therm, x86_pkg_temp), thermal_zoneN or N' '--target' 'the temperature to hold (the kernel\'s control_temp)' '--thermal-root' 'thermal zones folder (env POWERCAPCTL_THERMAL_ROOT)' '--sustainable-power' 'the power the device dissipates at the target, feed-forward of the controller' '--switch-on' 'below it the zones get their maximum and the controller resets; the gains are set from target − switch-on' '--ambient' 'the temperature with no load, for the check that the target is above it' '--k-po' 'proportional gain while over the target (Q10: 1024 = 1 mW per m°C)' '--k-pu' 'proportional gain while under the target (Q10)' '--k-i' 'integral gain (Q10)' '--k-d' 'derivative gain (Q10)' '--integral-cutoff' 'the error is integrated only while the temperature is above target − cutoff (0C: only over the target, as the kernel)' '--under' 'also manage every leaf under this node (a DTPM parent: dtpm:0:0)' '-i' 'time between two periods (read, decide, write)' '--interval' 'time between two periods (read, decide, write)' '-w' 'share of a zone among the saturated ones (and of the headroom), default 1' '--weight' 'share of a zone among the saturated ones (and of the headroom), default 1' '--min' 'never limit this zone below POWER (at least its own minimum)' '-c' 'RAPL constraint to write' '--constraint' 'RAPL constraint to write' '-n' 'read and decide every period, write nothing' '--dry-run' 'read and decide every period, write nothing' '-d' 'stop after this long (default: until SIGTERM or Ctrl-C)' '--duration' 'stop after this long (default: until SIGTERM or Ctrl-C)' '--keep' 'at the end, leave the limits as they are instead of restoring the ones found at the start' '--report' 'rewrite FILE atomically each period with the budget, the total and each zone\'s power, limit and state (docs/fleet.md)' '--profile' 'take the zones and options from the profile\'s govern: section (docs/profiles.md; the service persist install writes runs this)' '-h' 'show help' '--help' 'show help'
        case 'watch'
            printf '%s\t%s\n' '-i' 'time between samples (1s, 100ms, 2.5s; a bare number is seconds); a replay keeps the recorded times' '--interval' 'time between samples (1s, 100ms, 2.5s; a bare number is seconds); a replay keeps the recorded times' '-n' 'stop after N samples (default: until Ctrl-C)' '--count' 'stop after N samples (default: until Ctrl-C)' '-d' 'stop after this long (30s, 5m; a bare number is seconds); instead of --count' '--duration' 'stop after this long (30s, 5m; a bare number is seconds); instead of --count' '--format' 'output format (--json is ndjson; prometheus: one exposition per interval)' '--textfile' 'prometheus: rewrite FILE atomically each interval (for node_exporter\'s textfile collector) instead of stdout' '--record' 'also write the readings, with the tree they came from, into a snapshot FILE (replay with --snapshot FILE watch); a live run only' '--speed' 'replay speed of a recording (--snapshot FILE): 1 as recorded, 10 ten times faster, 0 as fast as possible' '-t' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '--type' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '-h' 'show help' '--help' 'show help'
        case 'exporter'
            printf '%s\t%s\n' '-l' 'address and port to serve on ([::]:9847 for IPv6; port 0 picks a free one)' '--listen' 'address and port to serve on ([::]:9847 for IPv6; port 0 picks a free one)' '-i' 'time between samples (1s, 500ms, 15s; a bare number is seconds); a snapshot\'s recording keeps its recorded times' '--interval' 'time between samples (1s, 500ms, 15s; a bare number is seconds); a snapshot\'s recording keeps its recorded times' '--limits-interval' 'time between re-reads of limits, windows and enabled state (never more often than the samples)' '-t' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '--type' 'only zones of this control type (intel-rapl, intel-rapl-mmio, dtpm, …)' '--max-connections' 'connections served at once; more are closed on accept' '--client-timeout' 'time a client gets to send its request; idle connections close after it too' '-h' 'show help' '--help' 'show help'
        case 'model'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'model em'
            printf '%s\t%s\n' '-d' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--domain' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--dts' 'a device tree holding an operating-points-v2 table: .dts/.dtsi source, .dtb blob, or a directory like /sys/firmware/devicetree/base' '--table' 'which OPP table of the --dts file: node name, label, or a CPU/device node using it' '-I' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--include' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--supported-hw' 'the opp-supported-hw mask the driver sets from fuses (0x3, or one per level: 0x3,0x1)' '--opp-name' 'read opp-microvolt-<name> (and opp-microwatt-<name>) before opp-microvolt, as dev_pm_opp_set_prop_name() does' '--opp-file' 'a CSV or JSON table: frequency and power or voltage, with units (1.8GHz, 1130mW, 1.1V)' '-C' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--coefficient' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--capacity' 'CPU capacity of the domain\'s fastest state (1–1024)' '--device' 'a device (GPU…), not CPUs: no performance, and no cost from kernel 6.9 (automatic for non-CPU DTS tables and EM domains)' '--cpus' 'number of CPUs in the domain (nr_cpus)' '--kernel' 'the kernel whose rules apply: a version (6.9, 6.1, 5.15, $(uname -r)), current (6.12) or pre-6.0 (5.19)' '--dt' 'list every performance domain of this device tree (a directory like /sys/firmware/devicetree/base, a .dtb or a .dts)' '--plot' 'draw power against frequency and cost against performance in the terminal' '--svg' 'write the same chart as a standalone SVG file (atomically)' '-h' 'show help' '--help' 'show help'
        case 'model power'
            printf '%s\t%s\n' '-d' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--domain' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--dts' 'a device tree holding an operating-points-v2 table: .dts/.dtsi source, .dtb blob, or a directory like /sys/firmware/devicetree/base' '--table' 'which OPP table of the --dts file: node name, label, or a CPU/device node using it' '-I' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--include' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--supported-hw' 'the opp-supported-hw mask the driver sets from fuses (0x3, or one per level: 0x3,0x1)' '--opp-name' 'read opp-microvolt-<name> (and opp-microwatt-<name>) before opp-microvolt, as dev_pm_opp_set_prop_name() does' '--opp-file' 'a CSV or JSON table: frequency and power or voltage, with units (1.8GHz, 1130mW, 1.1V)' '-C' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--coefficient' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--cpus' 'number of CPUs in the domain (nr_cpus)' '-f' 'frequency (1.8GHz, 1800MHz)' '--freq' 'frequency (1.8GHz, 1800MHz)' '-V' 'voltage (1.1V, 1100mV); default: the OPP\'s at --freq' '--voltage' 'voltage (1.1V, 1100mV); default: the OPP\'s at --freq' '-u' 'load per CPU in percent (60% for each of --cpus CPUs, or 100%,60%,0%,0%)' '--util' 'load per CPU in percent (60% for each of --cpus CPUs, or 100%,60%,0%,0%)' '--static' 'a fixed static power for the domain (150mW)' '--static-table' 'CSV/JSON of static power by temperature (rows) and voltage (columns)' '-t' 'temperature for --static-table (55C)' '--temp' 'temperature for --static-table (55C)' '-h' 'show help' '--help' 'show help'
        case 'model energy'
            printf '%s\t%s\n' '-d' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--domain' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--dts' 'a device tree holding an operating-points-v2 table: .dts/.dtsi source, .dtb blob, or a directory like /sys/firmware/devicetree/base' '--table' 'which OPP table of the --dts file: node name, label, or a CPU/device node using it' '-I' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--include' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--supported-hw' 'the opp-supported-hw mask the driver sets from fuses (0x3, or one per level: 0x3,0x1)' '--opp-name' 'read opp-microvolt-<name> (and opp-microwatt-<name>) before opp-microvolt, as dev_pm_opp_set_prop_name() does' '--opp-file' 'a CSV or JSON table: frequency and power or voltage, with units (1.8GHz, 1130mW, 1.1V)' '-C' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--coefficient' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--capacity' 'CPU capacity of the domain\'s fastest state (1–1024)' '--cpus' 'number of CPUs in the domain (nr_cpus)' '-u' 'utilisation of each CPU of the domain, 0 to the capacity (300,200,80,0)' '--util' 'utilisation of each CPU of the domain, 0 to the capacity (300,200,80,0)' '--all-states' 'do not skip inefficient states (a policy without skip-inefficiencies)' '-h' 'show help' '--help' 'show help'
        case 'model cap'
            printf '%s\t%s\n' '-z' 'a DTPM zone of the tree (id, name): the limit is written there' '--zone' 'a DTPM zone of the tree (id, name): the limit is written there' '-l' 'the power limit (3W, 1500mW, max, min, 50%)' '--limit' 'the power limit (3W, 1500mW, max, min, 50%)' '-d' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--domain' 'an energy-model domain (cpu4, a CPU of it such as cpu5, ff9a0000.gpu) from the snapshot or --em-root' '--dts' 'a device tree holding an operating-points-v2 table: .dts/.dtsi source, .dtb blob, or a directory like /sys/firmware/devicetree/base' '--table' 'which OPP table of the --dts file: node name, label, or a CPU/device node using it' '-I' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--include' 'an include folder for the device tree\'s #include (cpp -I, as the kernel build passes)' '--supported-hw' 'the opp-supported-hw mask the driver sets from fuses (0x3, or one per level: 0x3,0x1)' '--opp-name' 'read opp-microvolt-<name> (and opp-microwatt-<name>) before opp-microvolt, as dev_pm_opp_set_prop_name() does' '--opp-file' 'a CSV or JSON table: frequency and power or voltage, with units (1.8GHz, 1130mW, 1.1V)' '-C' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--coefficient' 'dynamic-power-coefficient (power from C·V²·f); default: the one the DTS gives' '--capacity' 'CPU capacity of the domain\'s fastest state (1–1024)' '--device' 'a device (GPU…), not CPUs: no performance, and no cost from kernel 6.9 (automatic for non-CPU DTS tables and EM domains)' '--cpus' 'number of CPUs in the domain (nr_cpus)' '-h' 'show help' '--help' 'show help'
        case 'model budget'
            printf '%s\t%s\n' '-b' 'the power to divide (3W)' '--budget' 'the power to divide (3W)' '-a' 'an actor: requested and maximum power, IPA weight (1024 for all when no actor has one; else unset = 0)' '--actor' 'an actor: requested and maximum power, IPA weight (1024 for all when no actor has one; else unset = 0)' '-z' 'DTPM node whose leaves are the actors (default: the root of the only DTPM tree)' '--zone' 'DTPM node whose leaves are the actors (default: the root of the only DTPM tree)' '--tree' 'a JSON hierarchy description instead of the source: nested {name, powerMaxUw, powerMinUw, requestUw, children}' '-r' 'requested power of a DTPM leaf' '--request' 'requested power of a DTPM leaf' '-w' 'IPA weight of a DTPM leaf (1024 for every actor when none is given; once one is, an unset weight is 0)' '--weight' 'IPA weight of a DTPM leaf (1024 for every actor when none is given; once one is, an unset weight is 0)' '--all' 'every leaf in the table (over 50 leaves it shows the 20 most starved and the totals)' '-h' 'show help' '--help' 'show help'
        case 'model idle'
            printf '%s\t%s\n' '-s' 'a domain idle state, shallowest first (CLUSTER_SLEEP:400us:500us:2ms)' '--state' 'a domain idle state, shallowest first (CLUSTER_SLEEP:400us:500us:2ms)' '--preset' 'idle states of a known SoC' '-i' 'expected idle time, or a list of idle periods (3ms or 500us,2ms,10ms)' '--idle' 'expected idle time, or a list of idle periods (3ms or 500us,2ms,10ms)' '--latency' 'the tightest latency constraint of the domain\'s devices and CPUs' '--on-power' 'domain power when on and idle (staying on)' '--off-power' 'domain power in a state (CLUSTER_SLEEP=5mW)' '-h' 'show help' '--help' 'show help'
        case 'sim'
            printf '%s\t%s\n' '-p' 'run these policies on the same plant and workload, side by side (static: the kernel\'s own split)' '--policy' 'run these policies on the same plant and workload, side by side (static: the kernel\'s own split)' '--svg' 'plot power, limits and temperature over time into FILE (a standalone SVG)' '--serve' 'run the plant in real time in DIR (DIR/powercap, DIR/thermal, DIR/trace.ndjson) for the commands to run against, until SIGTERM or Ctrl-C' '-h' 'show help' '--help' 'show help'
        case 'registry'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'registry list'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'registry add'
            printf '%s\t%s\n' '--kind' 'device kind' '--em' 'energy-model domain (directory name under energy_model/)' '--em-table' 'add the domain from this table file' '--coefficient' 'dynamic-power-coefficient, for a table giving voltages' '--capacity' 'CPU capacity for performance and cost of a new CPU domain' '--cpus' 'CPUs of the domain (0-3,6)' '--online-cpus' 'CPUs online (nr_cpus in dtpm_cpu.c)' '--power-min' 'lowest power of a device without an energy model (250mW)' '--power-max' 'highest power of a device without an energy model (4W)' '--dt-path' 'device-tree path for the kernel table (repeat for each CPU of a cluster)' '-h' 'show help' '--help' 'show help'
        case 'registry remove'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'create-node'
            printf '%s\t%s\n' '-p' 'create missing parents as virtual nodes (like mkdir -p)' '--parents' 'create missing parents as virtual nodes (like mkdir -p)' '--device' 'the last name must be a registered device (exit 3 if not)' '--virtual' 'make a virtual node on purpose, even under a name that looks like a device; the last name must not be a registered device (exit 5 if it is)' '--configfs' 'work on a configfs-style directory (mkdir) instead of the snapshot' '-n' 'check and show the result, change nothing' '--dry-run' 'check and show the result, change nothing' '-h' 'show help' '--help' 'show help'
        case 'delete-node'
            printf '%s\t%s\n' '-r' 'delete the node and everything under it' '--recursive' 'delete the node and everything under it' '--configfs' 'work on a configfs-style directory (rmdir) instead of the snapshot' '-n' 'check and show the result, change nothing' '--dry-run' 'check and show the result, change nothing' '-h' 'show help' '--help' 'show help'
        case 'dtpm'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'dtpm new'
            printf '%s\t%s\n' '--hostname' 'host name recorded in the snapshot' '--kernel-release' 'kernel release recorded' '--machine' 'machine recorded' '-d' 'a note stored in the snapshot' '--description' 'a note stored in the snapshot' '-f' 'replace FILE if it exists' '--force' 'replace FILE if it exists' '-h' 'show help' '--help' 'show help'
        case 'dtpm export'
            printf '%s\t%s\n' '--format' 'output format' '--table-name' 'C name of the table (with --format kernel-table)' '-o' 'write to FILE (atomically) instead of stdout' '--output' 'write to FILE (atomically) instead of stdout' '--configfs' 'export the hierarchy of a configfs-style directory' '-h' 'show help' '--help' 'show help'
        case 'dtpm import'
            printf '%s\t%s\n' '--replace' 'replace the existing hierarchy' '--configfs' 'build it in a configfs-style directory (mkdir)' '-n' 'check and show the result, change nothing' '--dry-run' 'check and show the result, change nothing' '-h' 'show help' '--help' 'show help'
        case 'dtpm check'
            printf '%s\t%s\n' '--configfs' 'check a configfs-style directory' '-h' 'show help' '--help' 'show help'
        case 'snapshot'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'snapshot save'
            printf '%s\t%s\n' '-f' 'replace FILE if it exists' '--force' 'replace FILE if it exists' '-d' 'a note stored in the snapshot' '--description' 'a note stored in the snapshot' '-h' 'show help' '--help' 'show help'
        case 'snapshot check'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'profile'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'profile save'
            printf '%s\t%s\n' '-f' 'replace FILE if it exists' '--force' 'replace FILE if it exists' '-d' 'a note stored in the profile' '--description' 'a note stored in the profile' '--when' 'every item holds on this power source only (when: ac, when: battery)' '--merge' 'FILE exists: replace its items for --when\'s power source with the limits set now, keep those for the other (an item without when: then holds on the other)' '-h' 'show help' '--help' 'show help'
        case 'persist'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'persist install'
            printf '%s\t%s\n' '--root-dir' 'install into DIR instead of / (as DESTDIR: for images, packages and tests); no systemctl call then' '--watch' 'also install the drift watchdog: apply --watch INTERVAL (30s, 5min; 100ms to 24h)' '--exec' 'the powercapctl the units run (an absolute path)' '-h' 'show help' '--help' 'show help'
        case 'persist status'
            printf '%s\t%s\n' '--root-dir' 'install into DIR instead of / (as DESTDIR: for images, packages and tests); no systemctl call then' '-h' 'show help' '--help' 'show help'
        case 'persist remove'
            printf '%s\t%s\n' '--root-dir' 'install into DIR instead of / (as DESTDIR: for images, packages and tests); no systemctl call then' '--purge' 'also remove the profile and the state file' '-h' 'show help' '--help' 'show help'
        case 'grant-read'
            printf '%s\t%s\n' '--root-dir' 'install into DIR instead of / (no udevadm call then)' '--tmpfiles' 'write /etc/tmpfiles.d/powercapctl-energy.conf instead of a udev rule (boot only)' '-h' 'show help' '--help' 'show help'
        case 'doctor'
            printf '%s\t%s\n' '--interval' 'the sampling interval wrap-horizon is judged against (1s, 100ms; a bare number is seconds)' '--proc' 'the proc filesystem to read processes and the environment from (a live tree only: a snapshot\'s machine is elsewhere)' '--root-dir' 'where installed units are looked for (not-persisted)' '--kernel-log' 'the kernel log to search for "locked by BIOS" (with a snapshot: the log of its machine)' '-h' 'show help' '--help' 'show help'
        case 'wizard'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'completion'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
        case 'help'
            printf '%s\t%s\n' '-h' 'show help' '--help' 'show help'
    end
    printf '%s\t%s\n' '--root' 'live powercap tree (env POWERCAPCTL_ROOT)' '--snapshot' 'read (and for writing commands, update) a snapshot file instead (env POWERCAPCTL_SNAPSHOT)' '--em-root' 'live energy model in debugfs (env POWERCAPCTL_EM_ROOT)' '--hwmon-root' 'GPU power caps and readings in hwmon, shown as zones of type hwmon (env POWERCAPCTL_HWMON_ROOT); read by default only with the default --root' '--power-supply-root' 'power supply class: AC or battery, for profile items with when: (env POWERCAPCTL_POWER_SUPPLY_ROOT)' '--json' 'machine output: nothing but JSON on stdout' '--no-color' 'no colour (NO_COLOR and FORCE_COLOR are honoured; colour only on a TTY)' '-q' 'no hints or warnings on stderr' '--quiet' 'no hints or warnings on stderr' '-v' 'more detail, and stack traces on errors' '--verbose' 'more detail, and stack traces on errors'
end

# what an option's value completes to (nothing for a flag that takes none)
function __powercapctl_optval
    switch "$argv[1]|$argv[2]"
        case 'list|-t' 'list|--type'
            echo 'none'
        case 'list|--format'
            echo 'choice table json tsv csv'
        case 'tree|-t' 'tree|--type'
            echo 'none'
        case 'set-limit|-c' 'set-limit|--constraint'
            echo 'constraint'
        case 'set-limit|-w' 'set-limit|--time-window'
            echo 'none'
        case 'set-limit|--only'
            echo 'none'
        case 'apply|--only'
            echo 'none'
        case 'apply|--power-source'
            echo 'choice ac battery'
        case 'apply|--watch'
            echo 'none'
        case 'apply|--state'
            echo 'file'
        case 'balance|-b' 'balance|--budget'
            echo 'none'
        case 'balance|--budget-file'
            echo 'file'
        case 'balance|--fallback-budget'
            echo 'none'
        case 'balance|--under'
            echo 'zone'
        case 'balance|-i' 'balance|--interval'
            echo 'none'
        case 'balance|-w' 'balance|--weight'
            echo 'none'
        case 'balance|--min'
            echo 'none'
        case 'balance|-c' 'balance|--constraint'
            echo 'constraint'
        case 'balance|-d' 'balance|--duration'
            echo 'none'
        case 'balance|--report'
            echo 'file'
        case 'balance|--profile'
            echo 'file'
        case 'govern|--thermal-zone'
            echo 'none'
        case 'govern|--target'
            echo 'none'
        case 'govern|--thermal-root'
            echo 'dir'
        case 'govern|--sustainable-power'
            echo 'none'
        case 'govern|--switch-on'
            echo 'none'
        case 'govern|--ambient'
            echo 'none'
        case 'govern|--k-po'
            echo 'none'
        case 'govern|--k-pu'
            echo 'none'
        case 'govern|--k-i'
            echo 'none'
        case 'govern|--k-d'
            echo 'none'
        case 'govern|--integral-cutoff'
            echo 'none'
        case 'govern|--under'
            echo 'zone'
        case 'govern|-i' 'govern|--interval'
            echo 'none'
        case 'govern|-w' 'govern|--weight'
            echo 'none'
        case 'govern|--min'
            echo 'none'
        case 'govern|-c' 'govern|--constraint'
            echo 'constraint'
        case 'govern|-d' 'govern|--duration'
            echo 'none'
        case 'govern|--report'
            echo 'file'
        case 'govern|--profile'
            echo 'file'
        case 'watch|-i' 'watch|--interval'
            echo 'none'
        case 'watch|-n' 'watch|--count'
            echo 'none'
        case 'watch|-d' 'watch|--duration'
            echo 'none'
        case 'watch|--format'
            echo 'choice table ndjson csv prometheus'
        case 'watch|--textfile'
            echo 'file'
        case 'watch|--record'
            echo 'file'
        case 'watch|--speed'
            echo 'none'
        case 'watch|-t' 'watch|--type'
            echo 'none'
        case 'exporter|-l' 'exporter|--listen'
            echo 'none'
        case 'exporter|-i' 'exporter|--interval'
            echo 'none'
        case 'exporter|--limits-interval'
            echo 'none'
        case 'exporter|-t' 'exporter|--type'
            echo 'none'
        case 'exporter|--max-connections'
            echo 'none'
        case 'exporter|--client-timeout'
            echo 'none'
        case 'model em|-d' 'model em|--domain'
            echo 'domain'
        case 'model em|--dts'
            echo 'file'
        case 'model em|--table'
            echo 'none'
        case 'model em|-I' 'model em|--include'
            echo 'dir'
        case 'model em|--supported-hw'
            echo 'none'
        case 'model em|--opp-name'
            echo 'none'
        case 'model em|--opp-file'
            echo 'file'
        case 'model em|-C' 'model em|--coefficient'
            echo 'none'
        case 'model em|--capacity'
            echo 'none'
        case 'model em|--cpus'
            echo 'none'
        case 'model em|--kernel'
            echo 'none'
        case 'model em|--dt'
            echo 'file'
        case 'model em|--svg'
            echo 'file'
        case 'model power|-d' 'model power|--domain'
            echo 'domain'
        case 'model power|--dts'
            echo 'file'
        case 'model power|--table'
            echo 'none'
        case 'model power|-I' 'model power|--include'
            echo 'dir'
        case 'model power|--supported-hw'
            echo 'none'
        case 'model power|--opp-name'
            echo 'none'
        case 'model power|--opp-file'
            echo 'file'
        case 'model power|-C' 'model power|--coefficient'
            echo 'none'
        case 'model power|--cpus'
            echo 'none'
        case 'model power|-f' 'model power|--freq'
            echo 'none'
        case 'model power|-V' 'model power|--voltage'
            echo 'none'
        case 'model power|-u' 'model power|--util'
            echo 'none'
        case 'model power|--static'
            echo 'none'
        case 'model power|--static-table'
            echo 'file'
        case 'model power|-t' 'model power|--temp'
            echo 'none'
        case 'model energy|-d' 'model energy|--domain'
            echo 'domain'
        case 'model energy|--dts'
            echo 'file'
        case 'model energy|--table'
            echo 'none'
        case 'model energy|-I' 'model energy|--include'
            echo 'dir'
        case 'model energy|--supported-hw'
            echo 'none'
        case 'model energy|--opp-name'
            echo 'none'
        case 'model energy|--opp-file'
            echo 'file'
        case 'model energy|-C' 'model energy|--coefficient'
            echo 'none'
        case 'model energy|--capacity'
            echo 'none'
        case 'model energy|--cpus'
            echo 'none'
        case 'model energy|-u' 'model energy|--util'
            echo 'none'
        case 'model cap|-z' 'model cap|--zone'
            echo 'dtpm-node'
        case 'model cap|-l' 'model cap|--limit'
            echo 'none'
        case 'model cap|-d' 'model cap|--domain'
            echo 'domain'
        case 'model cap|--dts'
            echo 'file'
        case 'model cap|--table'
            echo 'none'
        case 'model cap|-I' 'model cap|--include'
            echo 'dir'
        case 'model cap|--supported-hw'
            echo 'none'
        case 'model cap|--opp-name'
            echo 'none'
        case 'model cap|--opp-file'
            echo 'file'
        case 'model cap|-C' 'model cap|--coefficient'
            echo 'none'
        case 'model cap|--capacity'
            echo 'none'
        case 'model cap|--cpus'
            echo 'none'
        case 'model budget|-b' 'model budget|--budget'
            echo 'none'
        case 'model budget|-a' 'model budget|--actor'
            echo 'none'
        case 'model budget|-z' 'model budget|--zone'
            echo 'dtpm-node'
        case 'model budget|--tree'
            echo 'file'
        case 'model budget|-r' 'model budget|--request'
            echo 'none'
        case 'model budget|-w' 'model budget|--weight'
            echo 'none'
        case 'model idle|-s' 'model idle|--state'
            echo 'none'
        case 'model idle|--preset'
            echo 'choice rk3399'
        case 'model idle|-i' 'model idle|--idle'
            echo 'none'
        case 'model idle|--latency'
            echo 'none'
        case 'model idle|--on-power'
            echo 'none'
        case 'model idle|--off-power'
            echo 'none'
        case 'sim|-p' 'sim|--policy'
            echo 'none'
        case 'sim|--svg'
            echo 'file'
        case 'sim|--serve'
            echo 'dir'
        case 'registry add|--kind'
            echo 'choice cpu devfreq other'
        case 'registry add|--em'
            echo 'domain'
        case 'registry add|--em-table'
            echo 'file'
        case 'registry add|--coefficient'
            echo 'none'
        case 'registry add|--capacity'
            echo 'none'
        case 'registry add|--cpus'
            echo 'none'
        case 'registry add|--online-cpus'
            echo 'none'
        case 'registry add|--power-min'
            echo 'none'
        case 'registry add|--power-max'
            echo 'none'
        case 'registry add|--dt-path'
            echo 'none'
        case 'create-node|--configfs'
            echo 'dir'
        case 'delete-node|--configfs'
            echo 'dir'
        case 'dtpm new|--hostname'
            echo 'none'
        case 'dtpm new|--kernel-release'
            echo 'none'
        case 'dtpm new|--machine'
            echo 'none'
        case 'dtpm new|-d' 'dtpm new|--description'
            echo 'none'
        case 'dtpm export|--format'
            echo 'choice json kernel-table'
        case 'dtpm export|--table-name'
            echo 'none'
        case 'dtpm export|-o' 'dtpm export|--output'
            echo 'file'
        case 'dtpm export|--configfs'
            echo 'dir'
        case 'dtpm import|--configfs'
            echo 'dir'
        case 'dtpm check|--configfs'
            echo 'dir'
        case 'snapshot save|-d' 'snapshot save|--description'
            echo 'none'
        case 'profile save|-d' 'profile save|--description'
            echo 'none'
        case 'profile save|--when'
            echo 'choice ac battery'
        case 'persist install|--root-dir'
            echo 'dir'
        case 'persist install|--watch'
            echo 'none'
        case 'persist install|--exec'
            echo 'file'
        case 'persist status|--root-dir'
            echo 'dir'
        case 'persist remove|--root-dir'
            echo 'dir'
        case 'grant-read|--root-dir'
            echo 'dir'
        case 'doctor|--interval'
            echo 'none'
        case 'doctor|--proc'
            echo 'dir'
        case 'doctor|--root-dir'
            echo 'dir'
        case 'doctor|--kernel-log'
            echo 'file'
        case '*''|--root'
            echo 'dir'
        case '*''|--snapshot'
            echo 'file'
        case '*''|--em-root'
            echo 'dir'
        case '*''|--hwmon-root'
            echo 'dir'
        case '*''|--power-supply-root'
            echo 'dir'
    end
end

# what the Nth (from 0) positional argument of a command path completes to
function __powercapctl_arg
    switch "$argv[1]"
        case 'list'
            if test $argv[2] -ge 0
                echo 'zone'
                return
            end
        case 'tree'
            if test $argv[2] -eq 0
                echo 'zone'
                return
            end
        case 'set-limit'
            if test $argv[2] -eq 0
                echo 'zone'
                return
            end
            if test $argv[2] -ge 1
                echo 'none'
                return
            end
        case 'apply'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'balance'
            if test $argv[2] -ge 0
                echo 'zone'
                return
            end
        case 'govern'
            if test $argv[2] -ge 0
                echo 'zone'
                return
            end
        case 'watch'
            if test $argv[2] -ge 0
                echo 'zone'
                return
            end
        case 'exporter'
            if test $argv[2] -ge 0
                echo 'zone'
                return
            end
        case 'sim'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'registry add'
            if test $argv[2] -eq 0
                echo 'device'
                return
            end
        case 'registry remove'
            if test $argv[2] -eq 0
                echo 'device'
                return
            end
        case 'create-node'
            if test $argv[2] -eq 0
                echo 'dtpm-node'
                return
            end
        case 'delete-node'
            if test $argv[2] -eq 0
                echo 'dtpm-node'
                return
            end
        case 'dtpm new'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'dtpm import'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'dtpm check'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'snapshot save'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'snapshot check'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'profile save'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'persist install'
            if test $argv[2] -eq 0
                echo 'file'
                return
            end
        case 'grant-read'
            if test $argv[2] -eq 0
                echo 'none'
                return
            end
        case 'wizard'
            if test $argv[2] -eq 0
                echo 'choice limit dtpm'
                return
            end
        case 'completion'
            if test $argv[2] -eq 0
                echo 'choice bash zsh fish'
                return
            end
        case 'help'
            if test $argv[2] -eq 0
                echo 'choice list tree set-limit apply balance govern watch exporter model sim registry create-node delete-node dtpm snapshot profile persist grant-read doctor wizard completion'
                return
            end
    end
end

function __powercapctl_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd ''
    set -l cmdpath ''
    set -l want ''
    set -l npos 0
    set -l ddash 0
    set -l src
    set -l ctx
    for word in $tokens
        if test -z "$cmd"
            # the command itself, after any VAR=value assignments (the source variables count)
            switch $word
                case 'POWERCAPCTL_ROOT=*'
                    set -a src --root (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_SNAPSHOT=*'
                    set -a src --snapshot (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_EM_ROOT=*'
                    set -a src --em-root (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_HWMON_ROOT=*'
                    set -a src --hwmon-root (string replace -r '^[^=]*=' '' -- $word)
                case '*=*'
                case '*'
                    set cmd $word
            end
            continue
        end
        if test -n "$want"
            if contains -- $want --root --snapshot --em-root --hwmon-root
                set -a src $want $word
            end
            set want ''
            continue
        end
        if test $ddash -eq 0; and string match -qr -- '^-.' $word
            if test "$word" = --
                set ddash 1
            else if string match -q -- '--*=*' $word
                set -l kv (string split -m1 = -- $word)
                if contains -- $kv[1] --root --snapshot --em-root --hwmon-root
                    set -a src $kv[1] $kv[2]
                end
            else
                set -l v (__powercapctl_optval "$cmdpath" $word)
                if test -n "$v"
                    set want $word
                end
            end
            continue
        end
        if test $npos -eq 0; and contains -- $word (__powercapctl_subs "$cmdpath" | string replace -r '\t.*' '')
            if test -z "$cmdpath"
                set cmdpath $word
            else
                set cmdpath "$cmdpath $word"
            end
            continue
        end
        set -a ctx $word
        set npos (math $npos + 1)
    end
    test -z "$cmd"; and return

    set -l prefix ''
    set -l desc ''
    if test -n "$want"
        set desc (__powercapctl_optval "$cmdpath" $want)
    else if test $ddash -eq 0; and string match -q -- '--*=*' $cur
        set -l kv (string split -m1 = -- $cur)
        set prefix "$kv[1]="
        set cur $kv[2]
        set desc (__powercapctl_optval "$cmdpath" $kv[1])
    else if test $ddash -eq 0; and string match -q -- '-*' $cur
        __powercapctl_opts "$cmdpath"
        return
    else
        set -l subs (__powercapctl_subs "$cmdpath")
        if test $npos -eq 0; and test (count $subs) -gt 0
            printf '%s\n' $subs
            return
        end
        set desc (__powercapctl_arg "$cmdpath" $npos)
    end

    switch "$desc"
        case '' none
            return
        case 'choice *'
            for c in (string split ' ' -- (string replace 'choice ' '' -- $desc))
                echo "$prefix$c"
            end
        case file
            for c in (__fish_complete_path "$cur")
                echo "$prefix$c"
            end
        case dir
            for c in (__fish_complete_directories "$cur")
                echo "$prefix$c"
            end
        case '*'
            set -l run $cmd
            if not command -q $run; and not test -x $run
                set run powercapctl
            end
            for c in ($run __complete $desc $src -- $ctx 2>/dev/null)
                echo "$prefix$c"
            end
    end
end

complete -c powercapctl -e
complete -c powercapctl -f -a '(__powercapctl_complete)'
