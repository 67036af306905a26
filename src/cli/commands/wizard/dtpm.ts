/**
 * Wizard flow (b): build a DTPM hierarchy on a snapshot. Each step goes through
 * the create-node / delete-node code (core/dtpm/edit.ts) on the snapshot held in
 * memory (dryRun: the file is not written), so the rules and the kernel's
 * arithmetic are the commands' own: after each step the tree is shown with every
 * node's aggregated min/max power and weight (kernel/dtpm.ts updatePower and
 * rebalanceWeights, as dtpm.c does them). At the end the result is saved to the snapshot,
 * or exported as a description, or dropped; the equivalent commands are printed.
 */
import * as fs from 'node:fs';
import type { CommandContext } from '../../context.js';
import type { Prompts } from './commandline.js';
import { loadSnapshotFile } from '../../../core/snapshot/file.js';
import { EmulatedSource } from '../../../core/source/emulated.js';
import { createNode, deleteNode, looksLikeDevice, readHierarchy, type DtpmTarget } from '../../../core/dtpm/edit.js';
import { deviceBounds, placementOf, validateNodeName, type DtpmNode, type Hierarchy } from '../../../core/dtpm/hierarchy.js';
import { descriptionJson } from '../../../core/dtpm/description-json.js';
import { renderKernelTable } from '../../../core/dtpm/kernel-table-renderer.js';
import { DTPM_WEIGHT_SCALE } from '../../../core/kernel/dtpm.js';
import { writeFileAtomic } from '../../../core/atomic.js';
import { formatPower } from '../../../core/units.js';
import { toJson } from '../../io.js';
import { commandLine } from './commandline.js';
import { promptError } from './limit.js';

const bounds = (n: DtpmNode) => `${formatPower(n.powerMinUw)} – ${formatPower(n.powerMaxUw)}`;

/** The hierarchy as it stands: one line per node, its kind, min–max and weight. */
export function hierarchyLines(h: Hierarchy): string[] {
  if (h.nodes.length === 0) return ['  (empty: no DTPM node yet)'];
  const label = (n: DtpmNode) => '  '.repeat(n.path.split('/').length - 1) + n.name;
  const w = Math.max(...h.nodes.map((n) => label(n).length));
  return h.nodes.map((n) => {
    const kind = n.device ? n.device.kind : 'virtual';
    const weight = n.parent ? `  weight ${n.weight}/${DTPM_WEIGHT_SCALE}` : '';
    return `  ${label(n).padEnd(w)}  ${kind.padEnd(7)}  ${bounds(n)}${weight}`;
  });
}

function deviceLabel(h: Hierarchy, name: string): string {
  const e = h.registry.find((r) => r.name === name)!;
  const b = deviceBounds(e, h.domains);
  return `${name}  (${e.kind}${b ? `, ${formatPower(b.minUw)} – ${formatPower(b.maxUw)}` : ', no power numbers'})`;
}

/** The snapshot behind its emulated kernel: --snapshot's, else one named at the prompt. */
async function openSnapshot(ctx: CommandContext, p: Prompts): Promise<EmulatedSource> {
  if (ctx.globals.snapshot !== undefined) return ctx.source().emulated!;
  ctx.io.out('The DTPM builder works on a snapshot (create an empty one with: powercapctl dtpm new FILE).');
  const file = await p.input({
    message: 'Snapshot file:',
    validate: (v) => {
      if (v.trim() === '') return 'type the path of a snapshot file';
      try {
        loadSnapshotFile(v.trim());
        return true;
      } catch (err) {
        return promptError(err);
      }
    },
  });
  return new EmulatedSource(loadSnapshotFile(file.trim()));
}

export async function dtpmFlow(ctx: CommandContext, p: Prompts): Promise<void> {
  const source = await openSnapshot(ctx, p);
  const snap = source.snapshot;
  const prefix = ['powercapctl', '--snapshot', snap.path];
  // the steps change the snapshot in memory only; the file is written when the user saves
  const target: DtpmTarget = { kind: 'snapshot', source, dryRun: true };
  let h = readHierarchy(target);
  const commands: string[][] = [];
  const show = () => ctx.io.out(['', `DTPM hierarchy of ${snap.path}:`, ...hierarchyLines(h), ''].join('\n'));
  show();
  let writable = true;
  try {
    snap.assertWritable();
  } catch (err) {
    writable = false;
    ctx.io.note(`note: ${promptError(err)}; you can still export what you build`);
  }
  if (h.registry.length === 0) {
    ctx.io.note(`note: ${snap.path} registers no power devices, so every node would be virtual; ` +
      `add devices with: powercapctl --snapshot ${snap.path} registry add NAME`);
  }

  const apply = (words: string[], change: () => ReturnType<typeof createNode>) => {
    try {
      const r = change();
      h = r.hierarchy;
      commands.push(words);
      show();
      for (const f of r.findings) ctx.io.note(`note: ${f.message}`);
    } catch (err) {
      ctx.io.out(`Not done: ${promptError(err)}`);
    }
  };

  for (;;) {
    const virtuals = h.nodes.filter((n) => !n.device);
    const unplaced = h.registry.filter((e) => !placementOf(h, e.name)).map((e) => e.name);
    const choices = [
      ...(h.roots.length === 0 ? [{ name: 'Create the root node (virtual)', value: 'root' }] : []),
      ...(virtuals.length ? [{ name: 'Add a virtual node', value: 'virtual' }] : []),
      ...(virtuals.length && unplaced.length ? [{ name: `Place a device (${unplaced.length} not placed yet)`, value: 'device' }] : []),
      ...(h.nodes.length ? [{ name: 'Remove a node', value: 'delete' }] : []),
      ...(commands.length && writable ? [{ name: `Save to ${snap.path} and finish`, value: 'save' }] : []),
      ...(h.nodes.length ? [{ name: 'Export a description file and finish (the snapshot stays as it was)', value: 'export' }] : []),
      { name: commands.length ? 'Quit without saving' : 'Quit', value: 'quit' },
    ];
    const action = await p.select({ message: 'Next step?', choices, loop: false });

    if (action === 'root' || action === 'virtual') {
      const parent = action === 'root' ? null : virtuals.length === 1 ? virtuals[0]!.path
        : await p.select({ message: 'Under which node?', choices: virtuals.map((n) => ({ name: `${n.path}  (${bounds(n)})`, value: n.path })) });
      const siblings = parent === null ? h.roots : h.nodes.find((n) => n.path === parent)!.children;
      const name = (await p.input({
        message: `Name of the new virtual node${parent ? ` under ${parent}` : ''}:`,
        validate: (v) => {
          try {
            validateNodeName(v.trim());
          } catch (err) {
            return promptError(err);
          }
          if (siblings.some((s) => s.name === v.trim())) return `${parent ? parent + '/' : ''}${v.trim()} already exists`;
          if (h.registry.some((e) => e.name === v.trim())) return `'${v.trim()}' is a registered device: choose "Place a device" for it`;
          if (looksLikeDevice(v.trim())) return `'${v.trim()}' is named like a device, but no such device is registered: a virtual node of that name would limit nothing; choose another name`;
          return true;
        },
      })).trim();
      const path = parent ? `${parent}/${name}` : name;
      apply([...prefix, 'create-node', '--virtual', path], () => createNode(target, path, { expect: 'virtual' }));
    } else if (action === 'device') {
      const device = await p.select({ message: 'Which device?', choices: unplaced.map((d) => ({ name: deviceLabel(h, d), value: d })) });
      const parent = virtuals.length === 1 ? virtuals[0]!.path
        : await p.select({ message: `Under which node does ${device} go?`, choices: virtuals.map((n) => ({ name: `${n.path}  (${bounds(n)})`, value: n.path })) });
      const path = `${parent}/${device}`;
      apply([...prefix, 'create-node', '--device', path], () => createNode(target, path, { expect: 'device' }));
    } else if (action === 'delete') {
      const path = await p.select({ message: 'Remove which node?', choices: h.nodes.map((n) => ({ name: `${n.path}${n.children.length ? `  (and the ${n.children.length} node(s) under it)` : ''}`, value: n.path })) });
      const node = h.nodes.find((n) => n.path === path)!;
      if (node.children.length && !(await p.confirm({ message: `Remove ${path} and everything under it?`, default: false }))) continue;
      apply([...prefix, 'delete-node', ...(node.children.length ? ['--recursive'] : []), path], () => deleteNode(target, path, { recursive: true }));
    } else if (action === 'save') {
      snap.save();
      ctx.io.out(`Saved ${snap.path}: ${h.nodes.length} DTPM node${h.nodes.length === 1 ? '' : 's'}.`);
      printCommands(ctx, commands, 'The same hierarchy, without questions:');
      return;
    } else if (action === 'export') {
      const format = await p.select({
        message: 'Format?',
        choices: [
          { name: 'JSON description (dtpm import reads it back)', value: 'json' },
          { name: 'kernel table (C, for drivers/soc/*/dtpm.c)', value: 'kernel-table' },
        ],
      });
      const out = (await p.input({
        message: 'Write to file:',
        default: format === 'json' ? 'dtpm-hierarchy.json' : 'dtpm-hierarchy.c',
        validate: (v) => (v.trim() === '' ? 'type a file name' : fs.existsSync(v.trim()) && fs.statSync(v.trim()).isDirectory() ? `${v.trim()} is a directory` : true),
      })).trim();
      const text = format === 'json' ? toJson(descriptionJson(h)) + '\n' : renderKernelTable(h).text;
      writeFileAtomic(out, text);
      ctx.io.out(`Wrote ${out} (${h.nodes.length} nodes). ${snap.path} was not changed.`);
      printCommands(ctx, [...commands, [...prefix, 'dtpm', 'export', '--format', format, '--output', out]],
        `The same, without questions (the create-node steps change ${snap.path}: run them on a copy to keep it as it is):`);
      return;
    } else {
      ctx.io.out(commands.length ? `Nothing was saved: ${snap.path} is as it was.` : 'Nothing to do.');
      if (commands.length) printCommands(ctx, commands, 'What you built, as commands (not run):');
      return;
    }
  }
}

function printCommands(ctx: CommandContext, commands: string[][], heading: string): void {
  if (!commands.length) return;
  ctx.io.out(`\n${heading}\n${commands.map((c) => `  ${commandLine(c)}`).join('\n')}`);
}

