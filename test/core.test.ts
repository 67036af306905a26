/** Pure core functions pinned by worked examples: units, zone ids, kernel integers, the schema validator. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parsePowerSpec, parsePowerUw, resolvePowerSpec, parseDurationUs, parseFrequencyHz, parseVoltageUv, formatPower, formatPowerFine, parseIntervalUs, formatEnergy, formatDuration, formatFrequencyKhz, jsonInt,
  formatMicroExact, formatPowerShort, formatFrequencyShort, formatEnergyNj, formatPowerInput, formatDurationInput, formatMhz } from '../src/core/units.js';
import { compareZoneIds, parseKernelInt, parentIdOf, isZoneId } from '../src/core/zones/powercap-tree.js';
import { globToRegExp } from '../src/core/glob.js';
import { parseFaults } from '../src/core/source/faults.js';
import { validate } from '../src/core/snapshot/validate.js';
import { PowercapError } from '../src/core/errors.js';

const usage = (f: () => unknown, msg: RegExp) => assert.throws(f, (e: unknown) => e instanceof PowercapError && e.exitCode === 2 && msg.test(e.message + ' ' + e.hint));

describe('units', () => {
  test('power with a unit, exactly, in µW', () => {
    assert.equal(parsePowerUw('15W'), 15_000_000n);
    assert.equal(parsePowerUw('15.5 W'), 15_500_000n);
    assert.equal(parsePowerUw('1500mW'), 1_500_000n);
    assert.equal(parsePowerUw('15000000uW'), 15_000_000n);
    assert.equal(parsePowerUw('15000000µW'), 15_000_000n);
    assert.equal(parsePowerUw('1.2kW'), 1_200_000_000n);
    assert.equal(parsePowerUw('0.000001W'), 1n);
    assert.equal(parsePowerUw('28.000000W'), 28_000_000n);
  });
  test('bad power: a bare number names the units; negative, NaN, exponent, sub-µW, unknown unit', () => {
    usage(() => parsePowerUw('15'), /a unit is required.*15W, 15\.5 W, 1500mW/);
    usage(() => parsePowerUw('-5W'), /negative/);
    usage(() => parsePowerUw('NaNW'), /not a number/);
    usage(() => parsePowerUw('1e400W'), /exponent/);
    usage(() => parsePowerUw('0.0000001W'), /finer than 1 µW/);
    usage(() => parsePowerUw('15MW'), /unknown unit 'MW'/);
    usage(() => parsePowerUw(''), /empty/);
    usage(() => parsePowerUw('99999999999999999999kW'), /out of range/);
  });
  test('max, min and percentages resolve against the bounds', () => {
    const b = { minUw: 1_000_000n, maxUw: 28_000_000n };
    assert.equal(resolvePowerSpec(parsePowerSpec('max'), b), 28_000_000n);
    assert.equal(resolvePowerSpec(parsePowerSpec('min'), b), 1_000_000n);
    assert.equal(resolvePowerSpec(parsePowerSpec('50%'), b), 14_000_000n);
    assert.equal(resolvePowerSpec(parsePowerSpec('12.5%'), b), 3_500_000n);
    assert.equal(resolvePowerSpec(parsePowerSpec('50%'), { minUw: null, maxUw: null }), null);
    assert.equal(resolvePowerSpec(parsePowerSpec('min'), { minUw: null, maxUw: null }), 0n);
    usage(() => parsePowerSpec('150%'), /above 100%/);
  });
  test('durations, frequencies, voltages', () => {
    assert.equal(parseDurationUs('28s'), 28_000_000n);
    assert.equal(parseDurationUs('2.44ms'), 2440n);
    assert.equal(parseDurationUs('976us'), 976n);
    assert.equal(parseDurationUs('1m'), 60_000_000n);
    assert.equal(parseDurationUs('1h'), 3_600_000_000n);
    usage(() => parseDurationUs('28'), /a unit is required/);
    assert.equal(parseFrequencyHz('1.8GHz'), 1_800_000_000n);
    assert.equal(parseFrequencyHz('1800MHz'), 1_800_000_000n);
    assert.equal(parseVoltageUv('1.1V'), 1_100_000n);
    assert.equal(parseVoltageUv('1100mV'), 1_100_000n);
  });
  test('human formatting', () => {
    assert.equal(formatPower(28_000_000n), '28 W');
    assert.equal(formatPower(25_250_000n), '25.25 W');
    assert.equal(formatPower(15_125_000n), '15.125 W');
    assert.equal(formatPower(850_000), '850 mW');
    assert.equal(formatPowerFine(712_596), '712.596 mW');
    assert.equal(formatPowerFine(3_000_000), '3 W');
    assert.equal(formatPower(12), '12 µW');
    assert.equal(formatPower(0n), '0 W');
    assert.equal(formatEnergy(52_649_883_221n), '52.6 kJ');
    assert.equal(formatDuration(27_983_872n), '27.984 s');
    assert.equal(formatDuration(976n), '976 µs');
    assert.equal(parseIntervalUs('1'), 1_000_000n);
    assert.equal(parseIntervalUs('0.25'), 250_000n);
    assert.equal(parseIntervalUs('100ms'), 100_000n);
    assert.throws(() => parsePowerUw('15'), /a unit is required/);
    assert.equal(formatDuration(2440), '2.44 ms');
    assert.equal(formatDuration(976), '976 µs');
    assert.equal(formatFrequencyKhz(1_800_000), '1.80 GHz');
    assert.equal(formatFrequencyKhz(408_000), '408 MHz');
  });
  test('exact decimals, chart labels and nanojoules (every format lives in units.ts)', () => {
    assert.equal(formatMicroExact(27_983_872n), '27.983872');
    assert.equal(formatMicroExact(125_000n), '0.125');
    assert.equal(formatMicroExact(-2_000_000n), '-2');
    assert.equal(formatPowerShort(1_500_000), '1.5 W');
    assert.equal(formatPowerShort(245_427), '245 mW');
    assert.equal(formatFrequencyShort(1_800_000), '1.8 GHz');
    assert.equal(formatFrequencyShort(408_000), '408 MHz');
    assert.equal(formatEnergyNj(2_500_000), '2.50 mJ');
    assert.equal(formatEnergyNj(1_500), '1.5 µJ');
  });
  test('JSON integers: numbers while exact, digit strings beyond 2^53', () => {
    assert.equal(jsonInt(262143328850n), 262143328850);
    assert.equal(jsonInt(9007199254740991n), 9007199254740991);
    assert.equal(jsonInt(9007199254740993n), '9007199254740993');
    assert.equal(jsonInt(-1234n), -1234);
    assert.equal(jsonInt(null), null);
  });
});

describe('zone ids and kernel integers', () => {
  test('ids order numerically by hex components', () => {
    const ids = ['intel-rapl:a', 'intel-rapl:10', 'intel-rapl:2', 'intel-rapl:a:a', 'intel-rapl:a:2', 'dtpm:0', 'intel-rapl:1'];
    assert.deepEqual([...ids].sort(compareZoneIds), ['dtpm:0', 'intel-rapl:1', 'intel-rapl:2', 'intel-rapl:a', 'intel-rapl:a:2', 'intel-rapl:a:a', 'intel-rapl:10']);
    assert.equal(parentIdOf('intel-rapl:a:2'), 'intel-rapl:a');
    assert.equal(parentIdOf('intel-rapl:a'), null);
    assert.ok(isZoneId('intel-rapl-mmio:0'));
    assert.ok(!isZoneId('intel-rapl'));
    assert.ok(!isZoneId('subsystem'));
  });
  test('kernel integers: s64 as printed, u64 up to 2^64-1, garbage refused', () => {
    assert.equal(parseKernelInt('52649883221\n'), 52649883221n);
    assert.equal(parseKernelInt('-1234\n'), -1234n);
    assert.equal(parseKernelInt('18446744073709551615'), 18446744073709551615n);
    assert.equal(parseKernelInt('18446744073709551616'), undefined);
    assert.equal(parseKernelInt('abc'), undefined);
    assert.equal(parseKernelInt(''), undefined);
    assert.equal(parseKernelInt('12x'), undefined);
  });
  test('values written as a person types them (profile save, persist units), read back exactly; OPP tables in MHz', () => {
    assert.equal(formatPowerInput(28_000_000n), '28W');
    assert.equal(formatPowerInput(25_125_000n), '25125mW');
    assert.equal(formatPowerInput(12n), '12uW');
    assert.equal(formatDurationInput(120_000_000n), '2min');
    assert.equal(formatDurationInput(28_000_000n), '28s');
    assert.equal(formatDurationInput(500_000n), '500ms');
    assert.equal(formatDurationInput(27_983_872n), '27983872us');
    assert.equal(formatDurationInput(1500n), '1500us'); // was "1ms" in the units persist install wrote
    for (const uw of [28_000_000n, 25_125_000n, 12n]) assert.equal(parsePowerUw(formatPowerInput(uw)), uw);
    for (const us of [120_000_000n, 28_000_000n, 500_000n, 27_983_872n, 1500n]) assert.equal(parseDurationUs(formatDurationInput(us)), us);
    assert.equal(formatMhz(1_008_000), '1008 MHz');
    assert.equal(formatMhz(1_512_500), '1512.5 MHz');
  });
  test('globs', () => {
    assert.ok(globToRegExp('package-*').test('package-10'));
    assert.ok(!globToRegExp('package-?').test('package-10'));
    assert.ok(globToRegExp('intel-rapl:[0-1]').test('intel-rapl:1'));
    assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
    // the fault rules of POWERCAPCTL_FAULTS read their globs through the same function
    const [rule] = parseFaults('read:*/intel-rapl:[0-1]/energy_uj=EIO');
    assert.ok(rule!.pattern.test('/intel-rapl/intel-rapl:1/energy_uj'));
    assert.ok(!rule!.pattern.test('/intel-rapl/intel-rapl:2/energy_uj'));
    assert.ok(!parseFaults('read:*/a.b=EIO')[0]!.pattern.test('/axb'));
  });
});

describe('schema validator', () => {
  const schema = {
    type: 'object', required: ['a'], additionalProperties: false,
    properties: { a: { $ref: '#/$defs/n' }, b: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^x' }] }, c: { type: 'array', items: { enum: [1, 2] } } },
    $defs: { n: { type: 'integer', minimum: 0 } },
  };
  test('valid documents pass; the first problem is reported with its pointer', () => {
    assert.equal(validate(schema, { a: 1, b: null, c: [1, 2] }), null);
    assert.equal(validate(schema, { a: 1, b: 'xy' }), null);
    assert.equal(validate(schema, {}), 'at /: missing required property "a"');
    assert.equal(validate(schema, { a: -1 }), 'at /a: -1 is below 0');
    assert.equal(validate(schema, { a: 1.5 }), 'at /a: expected integer, found number');
    assert.equal(validate(schema, { a: 1, z: 1 }), 'at /: unexpected property "z"');
    assert.equal(validate(schema, { a: 1, c: [1, 3] }), 'at /c/1: expected one of 1, 2, found 3');
    assert.match(validate(schema, { a: 1, b: 'yy' })!, /^at \/b: /);
  });
});
