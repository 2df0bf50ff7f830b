/**
 * How large a file a person hands the app may be: one limit per kind of file, the same whichever
 * way the file travels (Electron IPC, the browser mode's upload, a dataset folder), and the words
 * that say a file is over it.
 */

/**
 * A sound file or picture added to a class: ~23 min of 48 kHz stereo 16-bit WAV, beyond the half
 * hour of sound a file may hold only in compact formats. Pictures are checked again by their
 * decoder (core/features/image.ts reads at most 64 MB).
 */
export const MAX_SAMPLE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * A project file (.quench): recordings deflate by 2 : 1 at most, so this is about what the 1 GB a
 * project may unpack to (zip-read.ts's ARCHIVE_LIMITS) packs into.
 */
export const MAX_PROJECT_FILE_BYTES = 512 * 1024 * 1024;

/** "512 bytes", "30 KB", "29.3 MB", "256 MB", "1 GB" (binary units; no ".0"). */
export function sizeText(bytes: number): string {
  const unit = (n: number, name: string) => `${n.toFixed(1).replace(/\.0$/, '')} ${name}`;
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return unit(bytes / 1024 ** 2, 'MB');
  return unit(bytes / 1024 ** 3, 'GB');
}

/** "300 MB is over the 256 MB a sound file or picture may be": `what` names the kind of file. */
export function overLimitText(bytes: number, limit: number, what: string): string {
  return `${sizeText(bytes)} is over the ${sizeText(limit)} ${what} may be`;
}

/** The kinds of file with a size limit, each with its limit and the words for it. */
export const FILE_LIMITS = {
  sample: { bytes: MAX_SAMPLE_FILE_BYTES, what: 'a sound file or picture' },
  project: { bytes: MAX_PROJECT_FILE_BYTES, what: 'a project file' }
} as const;
