/**
 * File extensions of every format Quench reads (for file pickers, listings and telling strays
 * from data), and the pictures it recognises without reading them, by extension and by bytes (so
 * that an iPhone's HEIC photo counts as a picture, and is never taken for sound because its
 * container is MP4's). Reading itself goes by content, never by name: see audio.ts and image.ts.
 */

/** Sound: WAV (and its RF64/Wave64/BWF forms), MP3, M4A/MP4, AAC, Ogg, Opus, FLAC, WebM/MKA, AIFF. */
export const AUDIO_EXTENSIONS = [
  'wav',
  'wave',
  'w64',
  'rf64',
  'bwf',
  'mp3',
  'm4a',
  'mp4',
  'aac',
  'ogg',
  'oga',
  'opus',
  'flac',
  'webm',
  'mka',
  'mkv',
  'aif',
  'aiff'
];

/** Pictures: PNG and JPEG. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg'];

/** Pictures recognised but not read (they are refused with the command that converts them). */
export const OTHER_IMAGE_EXTENSIONS = [
  'heic',
  'heif',
  'hif',
  'avif',
  'webp',
  'gif',
  'bmp',
  'tif',
  'tiff'
];

const ascii = (b: Uint8Array, at: number, n: number) =>
  String.fromCharCode(...b.subarray(at, Math.min(b.length, at + n)));

/**
 * A picture format that is recognised but not read, by its bytes: its name for messages and the
 * extension for the conversion command, e.g. ['WebP', 'webp']; undefined for anything else. HEIC
 * and AVIF are ISO BMFF files like MP4, told apart by the brand of their `ftyp` box.
 */
export function otherImageFormat(b: Uint8Array): [string, string] | undefined {
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return ['WebP', 'webp'];
  if (ascii(b, 0, 4) === 'GIF8') return ['GIF', 'gif'];
  if (ascii(b, 0, 2) === 'BM') return ['BMP', 'bmp'];
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return ['TIFF', 'tif'];
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand))
      return ['HEIC (iPhone photo)', 'heic'];
    if (/^avi[fs]$/.test(brand)) return ['AVIF', 'avif'];
  }
  return undefined;
}
