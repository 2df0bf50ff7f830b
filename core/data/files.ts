/**
 * Dataset folders as people have them: copied from macOS, Windows and Linux, unzipped, synced.
 * Which entries are data, how class names compare across systems, and which modality a folder
 * holds. Pure functions on names; the filesystem walk lives with the source (fs-dataset.ts).
 */
import { AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, OTHER_IMAGE_EXTENSIONS } from '../features/formats';

/**
 * Files and folders that operating systems and archivers leave behind and that are never data:
 * macOS resource forks (`._name`), `.DS_Store`, the `__MACOSX` folder of zips made on a Mac,
 * Windows' `Thumbs.db`/`ehthumbs.db`/`desktop.ini`, trash and version-control folders, and hidden
 * names generally (our own temp files start with a dot too).
 */
const LEFTOVER_NAMES = new Set([
  '__macosx',
  'thumbs.db',
  'ehthumbs.db',
  'ehthumbs_vista.db',
  'desktop.ini',
  '$recycle.bin',
  'system volume information',
  'icon\r'
]);

/** True for a file or folder name that is an OS or tool leftover, never data or a class. */
export function isOsLeftover(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || LEFTOVER_NAMES.has(name.toLowerCase());
}

/** A class or file name as it is compared: Unicode NFC (macOS writes NFD). */
export function normalName(name: string): string {
  return name.normalize('NFC');
}

/** The comparison key for names that must not differ only by case (`Yes/` and `yes/`). */
export function foldedName(name: string): string {
  return normalName(name).toLocaleLowerCase('en-US');
}

/** Pairs of names that differ only by case or Unicode form, e.g. [["Yes", "yes"]]. */
export function nameClashes(names: string[]): [string, string][] {
  const seen = new Map<string, string>();
  const clashes: [string, string][] = [];
  for (const n of names) {
    const key = foldedName(n);
    const other = seen.get(key);
    if (other !== undefined) clashes.push([other, n]);
    else seen.set(key, n);
  }
  return clashes;
}

export type Modality = 'audio' | 'image';

function extension(file: string): string {
  const m = /\.([^./\\]+)$/.exec(file);
  return m ? m[1].toLowerCase() : '';
}

/**
 * 'audio' or 'image' by the file's extension (pictures Quench recognises but doesn't read, such as
 * HEIC and WebP, included), or undefined for anything else.
 */
export function modalityOf(file: string): Modality | undefined {
  const ext = extension(file);
  if (AUDIO_EXTENSIONS.includes(ext)) return 'audio';
  if (IMAGE_EXTENSIONS.includes(ext) || OTHER_IMAGE_EXTENSIONS.includes(ext)) return 'image';
  return undefined;
}

/**
 * The modality most files have (ties and empty folders: audio, the app's first kind), with the
 * counts behind the choice.
 */
export function majorityModality(files: string[]): {
  modality: Modality;
  audio: number;
  image: number;
} {
  let audio = 0;
  let image = 0;
  for (const f of files) {
    const m = modalityOf(f);
    if (m === 'audio') audio++;
    else if (m === 'image') image++;
  }
  return { modality: image > audio ? 'image' : 'audio', audio, image };
}

/** Extensions read for each modality, for messages and file pickers. */
export const EXTENSIONS: Record<Modality, string[]> = {
  audio: AUDIO_EXTENSIONS,
  image: IMAGE_EXTENSIONS
};

const BACKGROUND = /^(_?background(_noise_?)?|noise)$/i;

/**
 * Class names that are the background class unless told otherwise (speech-commands' folder
 * `_background_noise_`, and the plain names people give it).
 */
export function isBackgroundClass(name: string): boolean {
  return BACKGROUND.test(normalName(name));
}
