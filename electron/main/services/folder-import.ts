/**
 * Importing a dataset folder into a project, all or nothing:
 * 1. every class folder name is checked (valid on every OS, no two differing only by case or
 *    Unicode form, none clashing with an existing class that way); any failure names every bad
 *    folder and nothing is copied;
 * 2. every file is checked by core's decode path (the one training uses); files that can't be
 *    used are listed with the reason, never copied;
 * 3. the good files are copied into a hidden staging folder, and only when all copies succeeded
 *    moved into their classes (renames within one folder tree); a failure removes what was staged.
 * A class folder is everything under it (fs-dataset.ts): files in sub-folders keep their relative
 * path as their name ("day 1/a.wav").
 *
 * A long take in a word class (a sound file that gives more than one clip) is saved as its clips,
 * one 1 s WAV each, as a file import saves it after its preview, so that a class's count is its
 * clips: inspectFolder lists these takes with their previews for the person to choose, and the
 * import saves the clips chosen (by default every clip whose word was not cut by the file's edge).
 * A file of one clip is copied whole, as training reads a folder.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isBackgroundClass } from '../../../core/data/dataset';
import { foldedName, nameClashes } from '../../../core/data/files';
import { encodeWav } from '../../../core/features/wav';
import {
  ApiError,
  type FolderKeep,
  type FolderTake,
  type ImportedFile,
  type RefusedFile,
  type SampleInspection
} from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { classFolders, MAX_DATA_FILE_BYTES, walkFiles } from './fs-dataset';
import { checkName, encodeFileName, uniqueName } from './names';
import type { ProjectStore } from './project-store';
import { checkSample, inspectSample } from './sample-check';
import { displayName } from './sample-ops';

const STAGING = '.import-';

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Folder → class name, or throws ApiError naming every folder that can't be a class. */
async function checkClasses(
  store: ProjectStore,
  id: string,
  folder: string
): Promise<Map<string, string>> {
  let folders: string[];
  try {
    folders = await classFolders(folder);
  } catch (e) {
    throw new ApiError(reason(e));
  }
  if (folders.length === 0) {
    throw new ApiError(`${folder}: no class folders (one folder per class, files inside)`);
  }
  const names = new Map<string, string>();
  const errors: string[] = [];
  for (const f of folders) {
    try {
      names.set(f, checkName(f, 'the name'));
    } catch (e) {
      errors.push(`class folder ${JSON.stringify(f)}: ${reason(e)}`);
    }
  }
  for (const [a, b] of nameClashes([...names.values()])) {
    errors.push(
      `class folders ${JSON.stringify(a)} and ${JSON.stringify(b)} differ only in case or accents`
    );
  }
  const existing = await store.classNames(id);
  for (const n of names.values()) {
    const other = existing.find((e) => e !== n && foldedName(e) === foldedName(n));
    if (other) {
      errors.push(
        `class folder ${JSON.stringify(n)} clashes with the project's class ${JSON.stringify(other)}`
      );
    }
  }
  if (errors.length) {
    throw new ApiError(`nothing was imported: ${errors.join('; ')}; rename them and import again`);
  }
  return names;
}

/** A file of the folder: its class, its path inside the class folder, where it is, how it's named. */
interface FolderFile {
  className: string;
  rel: string;
  source: string;
  /** "<class folder>/<rel>", as reports and FolderKeep name it. */
  shown: string;
}

async function folderFiles(folder: string, classes: Map<string, string>): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  for (const [dir, className] of classes) {
    for (const rel of await walkFiles(join(folder, dir))) {
      out.push({
        className,
        rel,
        source: join(folder, dir, ...rel.split('/')),
        shown: `${dir}/${rel}`
      });
    }
  }
  return out;
}

/** The bytes of a file of the folder; throws, saying why, for a dangling link or a huge file. */
async function readFolderFile(source: string): Promise<Uint8Array> {
  const info = await stat(source).catch(() => {
    throw new Error('a link that points to nothing (the file it named is gone)');
  });
  if (info.size > MAX_DATA_FILE_BYTES) throw new Error(`the file is ${info.size} bytes, too large`);
  return new Uint8Array(await readFile(source));
}

/** A word class's sound file that gives more than one clip: saved as its clips. */
function isLongTake(seen: SampleInspection): boolean {
  return seen.kind === 'audio' && !seen.background && seen.clips.length > 1;
}

/**
 * The long takes of a dataset folder with their previews (`name` and `path`: "<class
 * folder>/<path>"), for the person to choose their clips before importing it. Throws ApiError as
 * {@link importFolder} does for class folders that can't be classes.
 */
export async function inspectFolder(
  store: ProjectStore,
  id: string,
  folder: string
): Promise<FolderTake[]> {
  const kind = await store.kind(id);
  const classes = await checkClasses(store, id, folder);
  if (kind !== 'audio') return [];
  const takes: FolderTake[] = [];
  for (const f of await folderFiles(folder, classes)) {
    if (isBackgroundClass(f.className)) continue;
    let seen: SampleInspection;
    try {
      seen = await inspectSample(kind, f.className, f.rel, await readFolderFile(f.source));
    } catch {
      continue; // the import refuses it, with the reason
    }
    if (isLongTake(seen)) {
      takes.push({ ...seen, name: f.shown, className: f.className, path: f.shown });
    }
  }
  return takes;
}

/** A file accepted for import, and the names it is staged under in its class. */
interface Accepted extends ImportedFile {
  staged: string[];
}

/** Removes staging folders a crash left behind. */
async function removeStale(dataDir: string): Promise<void> {
  for (const e of await readdir(dataDir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith(STAGING)) {
      await rm(join(dataDir, e.name), { recursive: true, force: true });
    }
  }
}

/**
 * Imports a dataset folder (see above). `keep`: the clips the person kept of each long take
 * ({@link inspectFolder}); a long take not in it keeps every clip whose word is whole.
 */
export async function importFolder(
  store: ProjectStore,
  id: string,
  folder: string,
  keep: FolderKeep[] = []
): Promise<{ imported: ImportedFile[]; refused: RefusedFile[] }> {
  const kind = await store.kind(id);
  const classes = await checkClasses(store, id, folder);
  const decided = new Map(keep.map((k) => [k.path, k.clips]));
  const dataDir = store.dataDir(id);
  await removeStale(dataDir);
  const staging = join(dataDir, `${STAGING}${randomBytes(4).toString('hex')}`);
  const accepted: Accepted[] = [];
  const refused: RefusedFile[] = [];
  /** Per class, the names in use (its files and those staged), lower-cased. */
  const taken = new Map<string, Set<string>>();
  const namesIn = async (className: string): Promise<Set<string>> => {
    let names = taken.get(className);
    if (!names) {
      const existing = await store.sampleFiles(id, className).catch(() => []);
      names = new Set(existing.map((f) => f.toLowerCase()));
      taken.set(className, names);
      await mkdir(join(staging, className), { recursive: true });
    }
    return names;
  };
  const moved: string[] = [];
  try {
    for (const f of await folderFiles(folder, classes)) {
      let checked: Awaited<ReturnType<typeof checkSample>>;
      try {
        checked = await checkSample(kind, f.className, f.rel, await readFolderFile(f.source));
      } catch (e) {
        refused.push({ name: f.shown, reason: reason(e) });
        continue;
      }
      const { seen, audio } = checked;
      const names = await namesIn(f.className);
      const claim = (name: string) => {
        const file = uniqueName(encodeFileName(name), names);
        names.add(file.toLowerCase());
        return file;
      };
      if (!audio || !isLongTake(seen)) {
        const file = claim(f.rel);
        await copyFile(f.source, join(staging, f.className, file));
        const clips = seen.kind === 'audio' ? seen.clips.length : 1;
        accepted.push({
          className: f.className,
          name: f.rel,
          file,
          clips,
          warnings: seen.warnings,
          staged: [file]
        });
        continue;
      }
      const chosen = decided.get(f.shown) ?? seen.clips.flatMap((c, k) => (c.cut ? [] : [k]));
      const wrong = chosen.find((k) => k >= seen.clips.length);
      if (wrong !== undefined || chosen.length === 0) {
        refused.push({
          name: f.shown,
          reason:
            wrong !== undefined
              ? `it has ${seen.clips.length} clips, not the ${wrong + 1} of its preview (was it changed since?)`
              : decided.has(f.shown)
                ? 'left out after the preview'
                : 'each of its clips holds a word cut by the start or end of the file'
        });
        continue;
      }
      const stem = f.rel.replace(/\.[^./]{1,10}$/, '');
      const files: string[] = [];
      for (const k of [...chosen].sort((a, b) => a - b)) {
        const file = claim(`${stem} ${k + 1}.wav`);
        const wav = encodeWav([audio.clips[k]], audio.sampleRate);
        await writeFileAtomic(join(staging, f.className, file), wav);
        files.push(file);
      }
      accepted.push({
        className: f.className,
        name: f.rel,
        file: files[0],
        clips: files.length,
        warnings: seen.warnings,
        savedAs: files.map((file) => displayName(f.className, file)),
        leftOut: seen.clips.length - files.length,
        staged: files
      });
    }
    for (const a of accepted) {
      await mkdir(join(dataDir, a.className), { recursive: true });
      for (const file of a.staged) {
        const target = join(dataDir, a.className, file);
        await rename(join(staging, a.className, file), target);
        moved.push(target);
      }
    }
  } catch (e) {
    await Promise.all(moved.map((m) => rm(m, { force: true })));
    throw new ApiError(`nothing was imported: copying failed (${reason(e)})`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { imported: accepted.map(({ staged: _s, ...a }) => a), refused };
}
