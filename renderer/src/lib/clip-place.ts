/**
 * Where the clips behind a confusion cell are now. A run lists the clips it was judged on as
 * "class/file" when it trained; since then a class may have been renamed (its files moved with
 * it) or deleted, and a clip deleted or moved. Move and delete act only on a clip that exists,
 * found where it is now, and any other clip says why it can't be changed.
 */
import type { SampleInfo } from '../../../electron/shared/api';

export type ClipPlace =
  /** In the class the run knew it by. */
  | { state: 'here'; sample: SampleInfo }
  /** In another class now (its class was renamed, or it was moved): act on it there. */
  | { state: 'moved'; sample: SampleInfo; from: string }
  /** Not in the project any more: nothing to move or delete. */
  | { state: 'gone'; sample: SampleInfo; reason: string };

/**
 * Finds `sample` (as the run named it) among the project's classes now: `files` maps each class
 * to the names of the files it holds. A file name found in exactly one other class is that clip,
 * moved with its class or on its own; found in several, it can't be told apart and counts as gone.
 */
export function placeClip(sample: SampleInfo, files: Map<string, Set<string>>): ClipPlace {
  if (files.get(sample.className)?.has(sample.file)) return { state: 'here', sample };
  const elsewhere = [...files].filter(([, f]) => f.has(sample.file)).map(([c]) => c);
  if (elsewhere.length === 1)
    return {
      state: 'moved',
      sample: { ...sample, className: elsewhere[0] },
      from: sample.className
    };
  const reason = files.has(sample.className)
    ? `no longer in “${sample.className}” (deleted or moved since this run)`
    : `its class “${sample.className}” is no longer in the project (renamed or deleted)`;
  return { state: 'gone', sample, reason };
}
