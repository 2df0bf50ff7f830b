/**
 * A dataset folder on disk as core's DatasetSource: `<root>/<class>/<file>`. Hidden entries
 * (names starting with a dot: our own temp files, .DS_Store …) are not data; every other regular
 * file is handed to the scan, which reports the ones it can't use.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, type DatasetSource } from '../../../core/data/dataset';

/** Files larger than this are refused unread (a 1 s clip or a photo is far smaller). */
export const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

export function folderSource(root: string): DatasetSource {
  return {
    async classes() {
      let entries;
      try {
        entries = await readdir(root, { withFileTypes: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new DatasetError(
          code === 'ENOENT'
            ? `${root}: no such folder`
            : code === 'ENOTDIR'
              ? `${root}: not a folder`
              : `${root}: cannot be read (${code ?? String(e)})`
        );
      }
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    },
    async files(className) {
      const entries = await readdir(join(root, className), { withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    },
    async read(className, file) {
      const path = join(root, className, file);
      const info = await stat(path);
      if (info.size === 0) throw new Error('the file is empty (0 bytes)');
      if (info.size > MAX_DATA_FILE_BYTES) {
        throw new Error(`the file is ${info.size} bytes, more than ${MAX_DATA_FILE_BYTES}`);
      }
      return new Uint8Array(await readFile(path));
    },
    describe(className, file) {
      return join(root, className, file);
    }
  };
}
