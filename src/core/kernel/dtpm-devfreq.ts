/**
 * A devfreq leaf of DTPM, as drivers/powercap/dtpm_devfreq.c computes it (v5.17 on; read against
 * v6.12): the same
 * arithmetic as a CPU leaf (dtpm-cpu.ts) with one "CPU", so the same functions with nr_cpus = 1.
 * The driver's own differences are in what it reads, not in the limit arithmetic: frequencies are
 * DIV_ROUND_UP(Hz, 1000) kHz and the reported power is scaled by busy/total time.
 */
import { setPdPowerLimit, updatePdPowerUw, type LeafChoice, type LeafTable } from './dtpm-cpu.js';

/** dtpm_devfreq.c update_pd_power_uw(): table[0].power and table[last].power. */
export const updateDevfreqPowerUw = (t: LeafTable): { minUw: number; maxUw: number } => updatePdPowerUw({ states: t.states, nrCpus: 1 });

/** dtpm_devfreq.c set_pd_power_limit(): the state below the first one above the limit. */
export const setDevfreqPowerLimit = (t: LeafTable, limitUw: number): LeafChoice => setPdPowerLimit({ states: t.states, nrCpus: 1 }, limitUw);
