/**
 * A dataset folder on disk as core's DatasetSource: `<root>/<class>/**`. A class folder is
 * everything under it, at any depth; symbolic links to files and folders are followed (a link
 * that loops back or points nowhere is reported, not followed forever). OS leftovers (.DS_Store,
 * Thumbs.db, __MACOSX, ._resource forks) and hidden names (our own temp files start with a dot)
 * are never data or classes.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isOsLeftover } from '../../../core/data/files';
import { DatasetError, type DatasetSource } from '../../../core/data/dataset';
import { MAX_SAMPLE_FILE_BYTES } from '../../shared/sizes';

/**
 * Files larger than this are refused unread (a 1 s clip or a photo is far smaller): the limit a
 * file added to a class has however it comes.
 */
export const MAX_DATA_FILE_BYTES = MAX_SAMPLE_FILE_BYTES;
/** Deeper folders than this inside a class are not walked (a guard against pathological trees). */
const MAX_DEPTH = 32;

function folderError(path: string, e: unknown): DatasetError {
  const code = (e as NodeJS.ErrnoException).code;
  return new DatasetError(
    code === 'ENOENT'
      ? `${path}: no such folder`
      : code === 'ENOTDIR'
        ? `${path}: not a folder`
        : `${path}: cannot be read (${code ?? String(e)})`
  );
}

/** Is the entry (following links) a folder, a file, or neither (a dangling link)? */
async function kindOf(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every file under `dir` (links followed, leftovers skipped), as paths relative to it with '/'
 * separators. Links that point back to a folder already walked are skipped.
 */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
    const real = await realpath(abs);
    if (seen.has(real) || depth > MAX_DEPTH) return;
    seen.add(real);
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (isOsLeftover(e.name)) continue;
      const path = join(abs, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const kind = e.isSymbolicLink() ? await kindOf(path) : e.isDirectory() ? 'dir' : 'file';
      if (kind === 'dir') await walk(path, relPath, depth + 1);
      else if (kind === 'file' || e.isSymbolicLink()) out.push(relPath);
    }
  };
  await walk(dir, '', 0);
  return out.sort();
}

/** Class folders of a dataset root: folders and links to folders, leftovers skipped. */
export async function classFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    throw folderError(root, e);
  }
  const out: string[] = [];
  for (const e of entries) {
    if (isOsLeftover(e.name)) continue;
    if (e.isDirectory() || (e.isSymbolicLink() && (await kindOf(join(root, e.name))) === 'dir')) {
      out.push(e.name);
    }
  }
  return out.sort();
}

export function folderSource(root: string): DatasetSource {
  const pathOf = (className: string, file: string) => join(root, className, ...file.split('/'));
  return {
    classes: () => classFolders(root),
    async files(className) {
      try {
        return await walkFiles(join(root, className));
      } catch (e) {
        throw folderError(join(root, className), e);
      }
    },
    async read(className, file) {
      const path = pathOf(className, file);
      let info;
      try {
        info = await stat(path);
      } catch {
        throw new Error('a link that points to nothing (the file it named is gone)');
      }
      if (info.size === 0) throw new Error('the file is empty (0 bytes)');
      if (info.size > MAX_DATA_FILE_BYTES) {
        throw new Error(`the file is ${info.size} bytes, more than ${MAX_DATA_FILE_BYTES}`);
      }
      return new Uint8Array(await readFile(path));
    },
    describe(className, file) {
      return pathOf(className, file).split('/').join(sep);
    },
    async modified(className, file) {
      try {
        return (await stat(pathOf(className, file))).mtimeMs;
      } catch {
        return undefined; // read() reports the file itself
      }
    },
    async rootFile(name) {
      const path = join(root, name);
      try {
        const info = await stat(path);
        if (!info.isFile()) return undefined;
        if (info.size > MAX_DATA_FILE_BYTES) {
          throw new DatasetError(`${path}: ${info.size} bytes, more than ${MAX_DATA_FILE_BYTES}`);
        }
      } catch (e) {
        if (e instanceof DatasetError) throw e;
        return undefined;
      }
      return new Uint8Array(await readFile(path));
    }
  };
}
