/**
 * Speech Commands' own split: its dataset root holds `validation_list.txt` and `testing_list.txt`,
 * one `<class>/<file>.wav` per line (Warden, "Speech Commands", arXiv:1804.03209, §7: the files
 * are put in the lists by a hash of the speaker, so no speaker is in two parts). When a dataset
 * root has them, the files they list are the held-out set of the estimate and never trained on
 * for it.
 */
import { DatasetError, type DatasetSource } from './scan';

/** The list files honoured, in the order their names are reported. */
export const LIST_FILES = ['validation_list.txt', 'testing_list.txt'] as const;
/** A list longer than this is not a Speech Commands list (v0.02 lists ~11,000 files each). */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export interface HeldOutLists {
  /** The list files found. */
  names: string[];
  /** Listed entries, `<class folder>/<path>` with '/' separators, NFC. */
  entries: Set<string>;
}

/** One listed path made comparable with RawItem.entry: '/' separators, NFC, no leading './'. */
export function listEntry(line: string): string {
  return line.replace(/\\/g, '/').replace(/^\.\//, '').normalize('NFC');
}

/**
 * The lists of a dataset root, or undefined when it has neither. Throws DatasetError naming the
 * file and line when a list is not text or a line is not a relative path inside the dataset.
 */
export async function readHeldOutLists(source: DatasetSource): Promise<HeldOutLists | undefined> {
  if (!source.rootFile) return undefined;
  const names: string[] = [];
  const entries = new Set<string>();
  for (const name of LIST_FILES) {
    const bytes = await source.rootFile(name);
    if (!bytes) continue;
    if (bytes.length > MAX_LIST_BYTES) {
      throw new DatasetError(
        `${name}: ${bytes.length} bytes, more than a file list can be (${MAX_LIST_BYTES})`
      );
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new DatasetError(`${name}: not UTF-8 text (expected one class/file.wav per line)`);
    }
    text.split(/\r?\n/).forEach((raw, n) => {
      const line = raw.trim();
      if (!line) return;
      const entry = listEntry(line);
      const parts = entry.split('/');
      if (
        line.includes('\u0000') ||
        entry.startsWith('/') ||
        /^[a-z]:/i.test(entry) ||
        parts.length < 2 ||
        parts.some((p) => p === '..' || p === '')
      ) {
        throw new DatasetError(
          `${name} line ${n + 1}: ${JSON.stringify(line.slice(0, 80))} is not a path "class/file" inside the dataset`
        );
      }
      entries.add(entry);
    });
    names.push(name);
  }
  return names.length ? { names, entries } : undefined;
}
