/**
 * Errors of the audio decoders. Every message says what is wrong with the file; where another tool
 * can read it, the message names the codec and gives the ffmpeg command that converts it to a WAV
 * Quench reads.
 */

export class AudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioError';
  }
}

/** A shell-quoted file name for a command line ("in.m4a" when the name is unknown). */
function quoted(name: string | undefined, fallback: string): string {
  const n = name ?? fallback;
  return /^[\w.,/@+-]+$/.test(n) ? n : `'${n.replace(/'/g, `'\\''`)}'`;
}

/** The base name of a path, without folders. */
function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

/**
 * "ffmpeg -i NAME -ac 1 -ar 16000 NAME.wav": the command that turns any file ffmpeg reads into
 * 16-bit mono 16 kHz WAV, the format Quench stores its own recordings in.
 */
export function ffmpegCommand(name?: string): string {
  const input = name ? baseName(name) : undefined;
  const stem = (input ?? 'input').replace(/\.[^.]*$/, '');
  return `ffmpeg -i ${quoted(input, 'input.ext')} -ac 1 -ar 16000 -c:a pcm_s16le ${quoted(`${stem}-16k.wav`, 'output.wav')}`;
}

/** The message for a codec Quench does not decode, with the conversion command. */
export function codecMessage(codec: string, name?: string): string {
  return `${codec} is not decoded by Quench; convert the file first: ${ffmpegCommand(name)}`;
}

/** The error for a codec Quench does not decode, with the conversion command. */
export function unsupportedCodec(codec: string, name?: string): AudioError {
  return new AudioError(codecMessage(codec, name));
}
