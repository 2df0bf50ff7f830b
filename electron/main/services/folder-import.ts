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
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { foldedName, nameClashes } from '../../../core/data/files';
import { ApiError, type ImportedFile, type RefusedFile } from '../../shared/api';
import { classFolders, MAX_DATA_FILE_BYTES, walkFiles } from './fs-dataset';
import { checkName, encodeFileName, uniqueName } from './names';
import type { ProjectStore } from './project-store';
import { inspectSample } from './sample-check';

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

interface Accepted extends ImportedFile {
  source: string;
}

/** Removes staging folders a crash left behind. */
async function removeStale(dataDir: string): Promise<void> {
  for (const e of await readdir(dataDir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith(STAGING)) {
      await rm(join(dataDir, e.name), { recursive: true, force: true });
    }
  }
}

export async function importFolder(
  store: ProjectStore,
  id: string,
  folder: string
): Promise<{ imported: ImportedFile[]; refused: RefusedFile[] }> {
  const kind = await store.kind(id);
  const classes = await checkClasses(store, id, folder);
  const accepted: Accepted[] = [];
  const refused: RefusedFile[] = [];
  for (const [dir, cls] of classes) {
    for (const rel of await walkFiles(join(folder, dir))) {
      const source = join(folder, dir, ...rel.split('/'));
      const shown = `${dir}/${rel}`;
      try {
        const info = await stat(source).catch(() => {
          throw new Error('a link that points to nothing (the file it named is gone)');
        });
        if (info.size > MAX_DATA_FILE_BYTES)
          throw new Error(`the file is ${info.size} bytes, too large`);
        const bytes = new Uint8Array(await readFile(source));
        const seen = await inspectSample(kind, cls, rel, bytes);
        accepted.push({
          className: cls,
          name: rel,
          file: '',
          clips: seen.kind === 'audio' ? seen.clips.length : 1,
          warnings: seen.warnings,
          source
        });
      } catch (e) {
        refused.push({ name: shown, reason: reason(e) });
      }
    }
  }
  const dataDir = store.dataDir(id);
  await removeStale(dataDir);
  const staging = join(dataDir, `${STAGING}${randomBytes(4).toString('hex')}`);
  const moved: string[] = [];
  try {
    const taken = new Map<string, Set<string>>();
    for (const a of accepted) {
      if (!taken.has(a.className)) {
        const existing = await store.sampleFiles(id, a.className).catch(() => []);
        taken.set(a.className, new Set(existing.map((f) => f.toLowerCase())));
        await mkdir(join(staging, a.className), { recursive: true });
      }
      const names = taken.get(a.className)!;
      a.file = uniqueName(encodeFileName(a.name), names);
      names.add(a.file.toLowerCase());
      await copyFile(a.source, join(staging, a.className, a.file));
    }
    for (const a of accepted) {
      await mkdir(join(dataDir, a.className), { recursive: true });
      const target = join(dataDir, a.className, a.file);
      await rename(join(staging, a.className, a.file), target);
      moved.push(target);
    }
  } catch (e) {
    await Promise.all(moved.map((m) => rm(m, { force: true })));
    throw new ApiError(`nothing was imported: copying failed (${reason(e)})`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { imported: accepted.map(({ source: _s, ...a }) => a), refused };
}
