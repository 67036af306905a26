/** The environment variable of govern's --thermal-root (spec/cli.md "Sources"), read by the spec and the runner. */
export const THERMAL_ROOT_ENV = 'POWERCAPCTL_THERMAL_ROOT';
