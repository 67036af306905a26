import type { CommandSpec } from '../../spec.js';

export const startSpec: CommandSpec = {
  name: 'start',
  group: 'setup',
  hidden: true,
  summary: "first look: this machine's tree, or the bundled laptop example when it has none",
  examples: [{ command: 'npm start', description: 'build, then show the zones' }],
  load: () => import('./run.js'),
};
