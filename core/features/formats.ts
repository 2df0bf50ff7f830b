/**
 * File extensions of every format Quench reads (for file pickers, listings and telling strays
 * from data). Reading itself goes by content, never by name: see audio.ts and image.ts.
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
