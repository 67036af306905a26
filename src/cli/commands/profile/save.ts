import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandContext } from '../../context.js';
import { writeFileAtomic, makeFolder } from '../../../core/atomic.js';
import { PROFILE_PATH } from '../../../core/persist/systemd-units.js';
import { checkNewFile } from '../../output-file.js';
import { readPowercapTree } from '../../../core/zones/powercap-tree.js';
import { mergeForPowerSource, profileFromTree, profileText } from '../../../core/profile/from-tree.js';
import { readProfile } from '../balance/profile.js';
import { usageError } from '../../../core/errors.js';
import * as fs from 'node:fs';
import type { ProfileSaveArgs, ProfileSaveOptions } from './spec.js';

/** Where a profile's values came from, for its header. */
export function provenance(ctx: CommandContext): string {
  const info = ctx.source().info;
  return info.kind === 'snapshot' ? `snapshot ${info.file}` : `${info.root} on ${os.hostname()}`;
}

export async function run(ctx: CommandContext, [file]: ProfileSaveArgs, opts: ProfileSaveOptions): Promise<void> {
  const toStdout = file === '-';
  if (!toStdout) {
    // the conventional folder (persist install reads its profile there) is made on first use,
    // 0755 as /etc's folders are; no other folder is made: a typo in a path is said, not created
    const conventional = path.dirname(PROFILE_PATH);
    if (path.dirname(path.resolve(file)) === conventional && makeFolder(conventional, 0o755)) ctx.io.note(`created ${conventional} (mode 0755)`);
    checkNewFile(file, opts.force || opts.merge);
  } else if (opts.merge) {
    throw usageError('--merge keeps part of a file: stdout (-) has none', 'name the profile file to merge into');
  }
  const tree = readPowercapTree(ctx.source().powercap);
  let saved = profileFromTree(tree, opts.description, opts.when);
  const on = opts.when === undefined ? '' : ` (when: ${opts.when})`;
  const header = [`powercapctl profile: the limits of ${provenance(ctx)}${on} at ${new Date().toISOString()}`, 'apply with: powercapctl apply FILE   (format: docs/profiles.md)'];
  let merged = '';
  if (opts.merge && opts.when !== undefined && fs.existsSync(file)) {
    // the file as it is checked first: a file that does not read is not rewritten
    const m = mergeForPowerSource((await readProfile(file)).profile, saved, opts.when);
    saved = m.profile;
    merged = ` (merged: ${m.replaced} item${m.replaced === 1 ? '' : 's'} for ${opts.when} replaced, ${m.kept} kept for the other power source)`;
  }
  if (toStdout) {
    if (ctx.globals.json) ctx.io.document(saved);
    else ctx.io.out(profileText('-', saved, header));
    return;
  }
  writeFileAtomic(file, profileText(file, saved, header));
  const summary = `saved ${file}: ${saved.limits.length} limit${saved.limits.length === 1 ? '' : 's'}${merged}`;
  if (ctx.globals.json) ctx.io.json({ format: 'powercapctl-profile-save', version: 1, file, limits: saved.limits.length, profile: saved });
  else ctx.io.note(summary);
}
