/**
 * The registry of commands: every command's spec, in the order help lists them.
 * Specs are plain data; each runner is imported only when its command runs.
 */
import type { CommandSpec } from '../spec.js';
import { listSpec } from './list/spec.js';
import { treeSpec } from './tree/spec.js';
import { snapshotSpec } from './snapshot/spec.js';
import { startSpec } from './start/spec.js';
import { completionSpec } from './completion/spec.js';
import { wizardSpec } from './wizard/spec.js';
import { setLimitSpec } from './set-limit/spec.js';
import { watchSpec } from './watch/spec.js';
import { exporterSpec } from './exporter/spec.js';
import { modelSpec } from './model/spec.js';
import { registrySpec } from './registry/spec.js';
import { createNodeSpec } from './create-node/spec.js';
import { deleteNodeSpec } from './delete-node/spec.js';
import { dtpmSpec } from './dtpm/spec.js';
import { applySpec } from './apply/spec.js';
import { profileSpec } from './profile/spec.js';
import { persistSpec } from './persist/spec.js';
import { doctorSpec } from './doctor/spec.js';
import { grantReadSpec } from './grant-read/spec.js';
import { balanceSpec } from './balance/spec.js';
import { governSpec } from './govern/spec.js';
import { simSpec } from './sim/spec.js';

export const COMMANDS: CommandSpec[] = [
  listSpec,
  treeSpec,
  setLimitSpec,
  applySpec,
  balanceSpec,
  governSpec,
  watchSpec,
  exporterSpec,
  modelSpec,
  simSpec,
  registrySpec,
  createNodeSpec,
  deleteNodeSpec,
  dtpmSpec,
  snapshotSpec,
  profileSpec,
  persistSpec,
  grantReadSpec,
  doctorSpec,
  wizardSpec,
  completionSpec,
  startSpec,
];
