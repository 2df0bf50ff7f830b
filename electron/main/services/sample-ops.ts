/**
 * What Collect does to samples beyond adding them: a microphone recording cut into 1 s clips
 * named "<class> <n>", deletion into a per-project trash that can be undone for a while, and
 * moving a sample to another class. Names are checked by the store; writes are atomic.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { audioClips, clipLength } from '../../../core/data/clips';
import { isBackgroundClass } from '../../../core/data/dataset';
import { SPEECH_LOGMEL } from '../../../core/features/logmel';
import { findUtterances } from '../../../core/features/utterances';
import { isSilence } from '../../../core/features/level';
import { encodeWav } from '../../../core/features/wav';
import {
  ApiError,
  type ImportedFile,
  type LeftOutClip,
  type RecordedTake,
  type SampleInfo
} from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { decodeFileName, encodeFileName, uniqueName } from './names';
import { describeAudio } from './sample-check';
import type { ProjectStore } from './project-store';

/** How long a deleted sample can be put back. */
export const UNDO_MS = 10 * 60 * 1000;

/** A sample Quench named: "<class> <n>.wav" (a recording) or ".png"/".jpg" (a camera frame). */
const RECORDED = /^(.*) (\d+)\.(wav|png|jpg)$/;

/** How a sample is shown: a recording or frame as "left 7", any other file by its original name. */
export function displayName(className: string, file: string): string {
  const name = decodeFileName(file);
  const m = RECORDED.exec(name);
  return m && m[1] === className ? `${m[1]} ${m[2]}` : name;
}

/**
 * The next free "<class> <n>.<ext>" file names (n counts on from the highest recording or frame
 * in the class).
 */
export function recordedNames(
  className: string,
  files: string[],
  count: number,
  ext: 'wav' | 'png' | 'jpg' = 'wav'
): string[] {
  let top = 0;
  const taken = new Set(files.map((f) => f.toLowerCase()));
  for (const f of files) {
    const m = RECORDED.exec(decodeFileName(f));
    if (m && m[1] === className) top = Math.max(top, Number(m[2]));
  }
  const out: string[] = [];
  for (let n = top + 1; out.length < count; n++) {
    const file = encodeFileName(`${className} ${n}.${ext}`);
    if (!taken.has(file.toLowerCase())) out.push(file);
  }
  return out;
}

/** Sum of squares. */
function energyOf(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return e;
}

async function info(dir: string, className: string, file: string): Promise<SampleInfo> {
  const bytes = (await stat(join(dir, file))).size;
  return { className, file, bytes, name: displayName(className, file) };
}

/**
 * Saves a recording (any WAV) as 1 s clips cut the way training cuts: at its utterances in a
 * word class (one clip per word; the loudest second when there is one), into consecutive windows
 * in the background class. A take that is digital silence throughout (a muted or unplugged
 * input, peak below −70 dBFS) saves nothing in any class; `silentInput` says so. In a word class:
 * - a take in which no sound rose above its noise (nobody spoke) saves nothing: a clip of the room
 *   would teach the class that the room's silence is the word; `nothingHeard` says so;
 * - a word the take began or ended in the middle of (the key was pressed or let go while it was
 *   being said) would train the class on a fragment: it is left out and listed in `leftOut`;
 * - a take holding a sound longer than a word (split into consecutive clips that may each hold
 *   part of it) saves nothing and returns its `preview`; given `keep` (indices into the preview's
 *   clips), exactly those clips are saved.
 */
export async function recordSample(
  store: ProjectStore,
  id: string,
  className: string,
  bytes: Uint8Array,
  keep?: number[]
): Promise<RecordedTake> {
  const dir = await store.classDir(id, className);
  if ((await store.kind(id)) !== 'audio') throw new ApiError('an image project takes pictures');
  const background = isBackgroundClass(className);
  let cut;
  try {
    cut = await audioClips(bytes, 'the recording', SPEECH_LOGMEL, background);
  } catch (e) {
    throw new ApiError(`the recording can't be used: ${(e as Error).message}`);
  }
  if (cut.samples.length > 11 * cut.sampleRate) {
    throw new ApiError('a recording is at most 10 s long');
  }
  // A muted or unplugged input gives digital silence: not the room, and not a word.
  if (!keep && isSilence(cut.samples)) {
    return { saved: [], leftOut: [], silentInput: true };
  }
  const length = clipLength(SPEECH_LOGMEL);
  const chosen: number[] = [];
  const leftOut: LeftOutClip[] = [];
  if (keep) {
    if (background) throw new ApiError('the background class keeps every window of a take');
    const wrong = keep.find((k) => k >= cut.clips.length);
    if (wrong !== undefined) {
      throw new ApiError(`the take has ${cut.clips.length} clips; there is no clip ${wrong + 1}`);
    }
    chosen.push(...[...keep].sort((a, b) => a - b));
  } else if (!background) {
    const utterances = cut.utterances ?? findUtterances(cut.samples, cut.sampleRate).length;
    if (utterances === 0) return { saved: [], leftOut: [], nothingHeard: true };
    if (cut.longSounds.some(Boolean)) {
      return { saved: [], leftOut: [], preview: describeAudio('The take', cut, false) };
    }
  }
  if (!keep) {
    cut.starts.forEach((s, k) => {
      const edge = cut.cuts[k];
      if (edge) {
        leftOut.push({ start: s / cut.sampleRate, end: (s + length) / cut.sampleRate, cut: edge });
        return;
      }
      // Two clips sharing more than half their samples are one sound twice (a short noise just
      // after the take began, its clip pushed back to the start, over the word after it): the
      // louder is kept, so a class never holds the same sound as two "takes".
      const last = chosen.at(-1);
      if (last !== undefined && s - cut.starts[last] < length / 2) {
        if (energyOf(cut.clips[k]) > energyOf(cut.clips[last])) chosen[chosen.length - 1] = k;
        return;
      }
      chosen.push(k);
    });
  }
  const files = recordedNames(className, await store.sampleFiles(id, className), chosen.length);
  const saved: SampleInfo[] = [];
  for (const [n, k] of chosen.entries()) {
    await writeFileAtomic(join(dir, files[n]), encodeWav([cut.clips[k]], cut.sampleRate));
    saved.push(await info(dir, className, files[n]));
  }
  return { saved, leftOut };
}

/**
 * Saves the clips of a long take a person kept after its preview (`keep`: indices into the clips
 * audioClips cuts, as sample:inspect listed them), each as a 1 s WAV "<name without extension>
 * <clip number>.wav", so that the class holds exactly the clips training will use, each one seen,
 * played and deletable on its own. Word classes only: the background class is cut into windows.
 */
export async function importClips(
  store: ProjectStore,
  id: string,
  className: string,
  name: string,
  bytes: Uint8Array,
  keep: number[]
): Promise<ImportedFile> {
  const dir = await store.classDir(id, className);
  if ((await store.kind(id)) !== 'audio') throw new ApiError('an image project takes pictures');
  if (isBackgroundClass(className)) {
    throw new ApiError('the background class keeps whole recordings: import the file without keep');
  }
  let cut;
  try {
    cut = await audioClips(bytes, name, SPEECH_LOGMEL, false);
  } catch (e) {
    throw new ApiError((e as Error).message);
  }
  const wrong = keep.find((k) => k >= cut.clips.length);
  if (wrong !== undefined) {
    throw new ApiError(`${name} has ${cut.clips.length} clips; there is no clip ${wrong + 1}`);
  }
  if (keep.length === 0) throw new ApiError(`no clip of ${name} was kept`);
  const stem = name.replace(/\.[^./]{1,10}$/, '');
  const taken = new Set((await store.sampleFiles(id, className)).map((f) => f.toLowerCase()));
  const files: string[] = [];
  for (const k of [...keep].sort((a, b) => a - b)) {
    const file = uniqueName(encodeFileName(`${stem} ${k + 1}.wav`), taken);
    taken.add(file.toLowerCase());
    await writeFileAtomic(join(dir, file), encodeWav([cut.clips[k]], cut.sampleRate));
    files.push(file);
  }
  return {
    className,
    name,
    file: files[0],
    clips: files.length,
    warnings: cut.warnings,
    savedAs: files.map((f) => displayName(className, f)),
    leftOut: cut.clips.length - files.length
  };
}

/** The trash: <project>/.trash/<time>-<random>/<class>/<file>, never part of the dataset. */
function trashDir(store: ProjectStore, id: string): string {
  return join(store.dataDir(id), '..', '.trash');
}

/** Trash entries, newest first, after removing those older than {@link UNDO_MS}. */
async function trashEntries(store: ProjectStore, id: string, now: number): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(trashDir(store, id));
  } catch {
    return []; // no trash yet
  }
  const kept: string[] = [];
  for (const e of entries) {
    const time = parseInt(e, 10);
    if (now - time < UNDO_MS) kept.push(e);
    else await rm(join(trashDir(store, id), e), { recursive: true, force: true });
  }
  return kept.sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
}

/** Deletes a sample into the trash (restoreSample puts it back within {@link UNDO_MS}). */
export async function trashSample(
  store: ProjectStore,
  id: string,
  className: string,
  path: string,
  file: string,
  now = Date.now()
): Promise<void> {
  await trashEntries(store, id, now);
  const entry = join(trashDir(store, id), `${now}-${randomBytes(4).toString('hex')}`, className);
  await mkdir(entry, { recursive: true });
  await rename(path, join(entry, file));
}

/** Puts the latest deleted copy of `file` back into its class (under a free name). */
export async function restoreSample(
  store: ProjectStore,
  id: string,
  className: string,
  file: string,
  now = Date.now()
): Promise<SampleInfo> {
  const dir = await store.classDir(id, className);
  for (const e of await trashEntries(store, id, now)) {
    const from = join(trashDir(store, id), e, className, file);
    try {
      await stat(from);
    } catch {
      continue; // not in this entry
    }
    const taken = new Set((await store.sampleFiles(id, className)).map((f) => f.toLowerCase()));
    const target = uniqueName(file, taken);
    await rename(from, join(dir, target));
    await rm(join(trashDir(store, id), e), { recursive: true, force: true });
    return info(dir, className, target);
  }
  throw new ApiError(`"${displayName(className, file)}" is no longer in the trash`);
}

/** Moves a sample to another class; a recording or frame is renamed to the next "<to> <n>". */
export async function moveSample(
  store: ProjectStore,
  id: string,
  className: string,
  path: string,
  file: string,
  to: string
): Promise<SampleInfo> {
  const dir = await store.classDir(id, to);
  const files = await store.sampleFiles(id, to);
  const recorded = RECORDED.exec(decodeFileName(file));
  const target =
    recorded && recorded[1] === className
      ? recordedNames(to, files, 1, recorded[3] as 'wav' | 'png' | 'jpg')[0]
      : uniqueName(file, new Set(files.map((f) => f.toLowerCase())));
  await rename(path, join(dir, target));
  return info(dir, to, target);
}
