/**
 * A zip's entries, read only when its headers promise a size a real project could have. A zip
 * says in its central directory how large each entry unpacks; fflate's `unzipSync` hands each
 * entry's sizes to a filter before inflating it, so an archive that would unpack to more than we
 * accept (a zip bomb: gigabytes of silence in a megabyte) is refused before any memory is spent.
 * fflate inflates an entry into a buffer of its declared size, so a header that lies about the size
 * can't make it take more memory either.
 */
import { unzipSync } from 'fflate';
import { MAX_DATA_FILE_BYTES } from './fs-dataset';

/** What an archive may unpack to. Sizes in bytes, `ratio` unpacked : stored. */
export interface ZipLimits {
  /** The most one entry may unpack to. */
  entryBytes: number;
  /** The most all entries together may unpack to. */
  totalBytes: number;
  /** The most an entry larger than `ratioFreeBytes`, or the whole archive once larger, may
   * unpack to per byte stored. */
  ratio: number;
  /** Entries (and archives) up to this size may compress as well as they do. */
  ratioFreeBytes: number;
}

/**
 * The limits a `.quench` file is read within; a person's project stays far inside each:
 * - one entry: the largest file folder import copies into a project (256 MB, ~23 min of 48 kHz
 *   stereo WAV); clips, pictures and models are far smaller;
 * - in total 1 GB, nearly 20 times what the largest project file the app takes (56 MB) holds of
 *   recordings, which deflate by 2 : 1 at most;
 * - 100 : 1 for anything over 16 MB: only silence compresses that well (a recording deflates by
 *   1.1–3 : 1, JSON by ~10 : 1, pictures and models are stored as they are), and a silent file that
 *   large is several minutes of nothing — the shape of a zip bomb, not of a project.
 */
export const ARCHIVE_LIMITS: ZipLimits = {
  entryBytes: MAX_DATA_FILE_BYTES,
  totalBytes: 1024 * 1024 * 1024,
  ratio: 100,
  ratioFreeBytes: 16 * 1024 * 1024
};

/** A zip whose contents can't be accepted, for a reason that isn't damage (too large, …). */
export class ZipRefused extends Error {}

/** "512 bytes", "30 KB", "29.3 MB", "1.0 GB" (binary units). */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function tooCompressed(what: string, unpacked: number, stored: number, limits: ZipLimits): string {
  const times = Math.round(unpacked / Math.max(1, stored));
  return (
    `${what} would unpack to ${sizeText(unpacked)} from ${sizeText(stored)} (${times} times); ` +
    `nothing a project holds compresses like that (over ${sizeText(limits.ratioFreeBytes)}, ` +
    `at most ${limits.ratio} times): it looks like a zip bomb`
  );
}

/**
 * The entries of the zip `bytes` (named `fileName` in messages) under their names, folders
 * left out. Throws ZipRefused naming the entry (or the file) and the limit it passes, checked
 * from the headers before anything is inflated; anything else thrown (fflate's errors) means the
 * bytes are not a readable zip.
 */
export function readZipEntries(
  bytes: Uint8Array,
  fileName: string,
  limits: ZipLimits = ARCHIVE_LIMITS
): Map<string, Uint8Array> {
  let unpacked = 0;
  let stored = 0;
  const entries = unzipSync(bytes, {
    filter: (f) => {
      if (f.name.endsWith('/')) return false;
      if (f.originalSize > limits.entryBytes) {
        throw new ZipRefused(
          `${f.name} would unpack to ${sizeText(f.originalSize)}; a file in a project is at most ${sizeText(limits.entryBytes)}`
        );
      }
      unpacked += f.originalSize;
      stored += f.size;
      if (unpacked > limits.totalBytes) {
        throw new ZipRefused(
          `${fileName} would unpack to more than ${sizeText(limits.totalBytes)}, more than a project holds`
        );
      }
      if (f.originalSize > limits.ratioFreeBytes && f.originalSize > limits.ratio * f.size) {
        throw new ZipRefused(tooCompressed(f.name, f.originalSize, f.size, limits));
      }
      if (unpacked > limits.ratioFreeBytes && unpacked > limits.ratio * stored) {
        throw new ZipRefused(tooCompressed(fileName, unpacked, stored, limits));
      }
      return true;
    }
  });
  return new Map(Object.entries(entries));
}
