/**
 * Every audio file Quench reads, by content (never by file name): WAV in all its container forms
 * (our own decoder, wav.ts) and the compressed formats people have — MP3, M4A/MP4 (AAC or ALAC),
 * raw AAC (ADTS), Ogg Vorbis, Ogg Opus, FLAC (native or in Ogg), WebM/Matroska (Opus or Vorbis)
 * and AIFF — through the audiojs decoders (`@audio/decode-*`, the per-format packages behind
 * `audio-decode`: libmpg123, FAAD2, libvorbis, libopus and libFLAC compiled to WebAssembly and
 * embedded in the packages, so the same code runs in Node, workers and Chromium). Each is loaded
 * only when a file of its format arrives. The CLI, the app's import and training all decode here.
 *
 * Files are decoded a piece at a time ({@link decodeAudioPieces}): the decoders take the bytes in
 * 64 KiB chunks, WAV is read 65,536 frames at a time, so an hour of MP3 never exists as an hour of
 * 44.1 kHz stereo floats (1.3 GB) unless a caller asks for the whole ({@link decodeAudio}). The
 * pieces join to exactly the samples a whole-file decode gives. M4A/MP4 whose index (`moov`) comes
 * after the audio, as ffmpeg writes it, is decoded in one piece when the index arrives.
 *
 * Formats that are recognised but not read (WMA, AMR, AC-3, …) get a message naming the codec and
 * the ffmpeg command that converts the file.
 */
import audioType from 'audio-type';
import { AudioError, ffmpegCommand, unsupportedCodec } from './audio-error';
import { otherImageFormat } from './formats';
import { checkMp4Tables } from './mp4-guard';
import { MAX_WAV_BYTES, openWav, type DecodedAudio } from './wav';
import { wavKind } from './wav-container';

export { AudioError };

interface Decoded {
  channelData: Float32Array[];
  sampleRate: number;
}
interface StreamDecoder {
  decode(chunk: Uint8Array): Decoded | Promise<Decoded>;
  flush?(): Decoded | Promise<Decoded>;
  free(): void;
}
type OpenDecoder = () => StreamDecoder | Promise<StreamDecoder>;

/**
 * Compressed formats read, by the name audio-type gives them: what people call them, and the
 * streaming decoder (imported on first use; `decoder()` of each @audio/decode-* package).
 */
const READ: Record<string, [string, () => Promise<OpenDecoder>]> = {
  mp3: ['MP3', async () => (await import('@audio/decode-mp3')).decoder],
  m4a: ['M4A/MP4', async () => (await import('@audio/decode-mp4')).decoder],
  aac: ['AAC (ADTS)', async () => (await import('@audio/decode-aac')).decoder],
  oga: ['Ogg Vorbis', async () => (await import('@audio/decode-vorbis')).decoder],
  opus: ['Ogg Opus', async () => (await import('@audio/decode-opus')).decoder],
  flac: ['FLAC', async () => (await import('@audio/decode-flac')).decoder],
  webm: ['WebM', async () => (await import('@audio/decode-webm')).decoder],
  mkv: ['Matroska', async () => (await import('@audio/decode-webm')).decoder],
  aiff: ['AIFF', async () => (await import('@audio/decode-aiff')).decoder]
};

/** Bytes handed to a decoder at a time (mpg123's own input buffer is this size). */
export const PIECE_BYTES = 64 * 1024;
/** WAV frames decoded at a time. */
export const PIECE_FRAMES = 64 * 1024;

/** Decoders that give mono sources as two identical channels (libmpg123, FAAD2). */
const UPMIXING = new Set(['mp3', 'm4a', 'aac']);

/** Recognised but not read: the codec's name for the message. */
const NOT_READ: Record<string, string> = {
  wma: 'Windows Media Audio (WMA)',
  amr: 'AMR speech',
  caf: 'Core Audio (CAF)',
  ac3: 'Dolby AC-3',
  eac3: 'Dolby E-AC-3',
  dts: 'DTS',
  tta: 'True Audio (TTA)',
  wv: 'WavPack',
  ape: "Monkey's Audio (APE)",
  mpc: 'Musepack',
  qoa: 'QOA',
  dsf: 'DSD (DSF)',
  dff: 'DSD (DFF)',
  mid: 'MIDI (notes, not sound)',
  mod: 'a tracker module',
  xm: 'a tracker module',
  s3m: 'a tracker module',
  it: 'a tracker module',
  avi: 'AVI video'
};

export { AUDIO_EXTENSIONS } from './formats';

/**
 * What kind of audio file the bytes hold ('wav', 'mp3', …), or undefined when none is known or the
 * bytes are a picture (audio-type takes any ISO BMFF file, an iPhone's HEIC photo too, for M4A).
 */
export function sniffAudio(bytes: Uint8Array): string | undefined {
  if (wavKind(bytes)) return 'wav';
  if (otherImageFormat(bytes)) return undefined;
  return (audioType(bytes) as string | undefined) ?? undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One piece of a file's sound, in file order. */
export interface AudioPiece {
  /** The piece's frames, one Float32Array per channel (equal lengths, samples in [−1, 1]). */
  channels: Float32Array[];
  /** The file's sample rate, Hz (that of its first piece, should a damaged file change it). */
  sampleRate: number;
  /** The share of the file's bytes decoded so far, in (0, 1]: progress, and a length estimate. */
  done: number;
}

export interface PieceOptions {
  /** Compressed bytes handed to the decoder at a time (default {@link PIECE_BYTES}). */
  pieceBytes?: number;
  /** WAV frames decoded at a time (default {@link PIECE_FRAMES}). */
  pieceFrames?: number;
}

/** What {@link decodeAudioPieces} read, after the last piece. */
export interface PiecesRead {
  sampleRate: number;
  channels: number;
  /** Frames in all pieces together. */
  frames: number;
  /** What was read differently from a plain file (ended early, sample rate changed …). */
  warnings: string[];
}

/**
 * Decodes any supported audio file a piece at a time, calling `onPiece` with each piece as soon as
 * it is decoded (a piece's arrays are the caller's to keep), so that a long file is never whole in
 * memory as floats. The pieces join to exactly what {@link decodeAudio} returns, bar its merging
 * of a decoder's dual mono. `name` (the file name) goes into messages and the ffmpeg command.
 * Throws AudioError (WavError for WAV) saying what is wrong, never anything else of its own;
 * errors thrown by `onPiece` pass through unchanged.
 */
export async function decodeAudioPieces(
  bytes: Uint8Array,
  name: string | undefined,
  onPiece: (piece: AudioPiece) => void,
  options: PieceOptions = {}
): Promise<PiecesRead> {
  if (bytes.length === 0) throw new AudioError('the file is empty (0 bytes)');
  if (bytes.length > MAX_WAV_BYTES) {
    throw new AudioError(`the file is ${bytes.length} bytes; at most ${MAX_WAV_BYTES} are read`);
  }
  const kind = sniffAudio(bytes);
  if (kind === 'wav') return wavPieces(bytes, name, onPiece, options.pieceFrames ?? PIECE_FRAMES);
  if (kind && NOT_READ[kind]) throw unsupportedCodec(NOT_READ[kind], name);
  if (!kind || !READ[kind]) {
    throw new AudioError(
      'not an audio file Quench reads (WAV, MP3, M4A/AAC, Ogg Vorbis, Opus, FLAC, WebM, AIFF)'
    );
  }
  if (kind === 'm4a') checkMp4Tables(bytes);
  const [what, load] = READ[kind];
  const failed = (e: unknown) =>
    new AudioError(
      `the ${what} file could not be decoded (${message(e)}); if another player reads it, convert it: ${ffmpegCommand(name)}`
    );
  /** A decoder call, its failures reported as the file's. */
  const attempt = async <T>(call: () => T | Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      throw failed(e);
    }
  };
  const decoder = await attempt(async () => (await load())());
  const pieces = new PieceChecker(what, name, onPiece);
  try {
    const step = Math.max(1, Math.floor(options.pieceBytes ?? PIECE_BYTES));
    for (let at = 0; at < bytes.length; at += step) {
      const chunk = bytes.subarray(at, Math.min(bytes.length, at + step));
      pieces.take(await attempt(() => decoder.decode(chunk)), (at + chunk.length) / bytes.length);
    }
    if (decoder.flush) pieces.take(await attempt(() => decoder.flush!()), 1);
  } finally {
    decoder.free();
  }
  return pieces.read();
}

/** A WAV file's frames, `step` at a time. */
function wavPieces(
  bytes: Uint8Array,
  name: string | undefined,
  onPiece: (piece: AudioPiece) => void,
  step: number
): PiecesRead {
  const wav = openWav(bytes, name);
  const n = Math.max(1, Math.floor(step));
  for (let at = 0; at < wav.frames; at += n) {
    const to = Math.min(wav.frames, at + n);
    onPiece({ channels: wav.read(at, to), sampleRate: wav.sampleRate, done: to / wav.frames });
  }
  return {
    sampleRate: wav.sampleRate,
    channels: wav.channels,
    frames: wav.frames,
    warnings: [...wav.warnings]
  };
}

/**
 * A decoder's output checked piece by piece, as a WAV header would be: channels, rate, finite
 * samples (clipped to [−1, 1]); empty pieces are skipped.
 */
class PieceChecker {
  private rate = 0;
  private channels = 0;
  private frames = 0;
  private readonly warnings: string[] = [];

  constructor(
    private readonly what: string,
    private readonly name: string | undefined,
    private readonly onPiece: (piece: AudioPiece) => void
  ) {}

  take(d: Decoded, done: number): void {
    const what = this.what;
    const channels = d?.channelData ?? [];
    const n = channels[0]?.length ?? 0;
    if (channels.length === 0 || n === 0) return;
    if (channels.length > 32) throw new AudioError(`${channels.length} channels is more than 32`);
    if (!(d.sampleRate >= 1000 && d.sampleRate <= 768000)) {
      throw new AudioError(`the ${what} file says its sample rate is ${d.sampleRate} Hz`);
    }
    if (channels.some((c) => c.length < n)) {
      throw new AudioError(`the ${what} file's channels have different lengths`);
    }
    if (this.frames === 0) [this.rate, this.channels] = [d.sampleRate, channels.length];
    const at = `${(this.frames / this.rate).toFixed(2)} s`;
    if (channels.length !== this.channels) {
      throw new AudioError(
        `the ${what} file changes from ${this.channels} to ${channels.length} channels at ${at}; convert it: ${ffmpegCommand(this.name)}`
      );
    }
    if (d.sampleRate !== this.rate && this.warnings.length === 0) {
      this.warnings.push(
        `the sample rate changes from ${this.rate} to ${d.sampleRate} Hz at ${at}; the rest was read as ${this.rate} Hz`
      );
    }
    const out = channels.map((c) => {
      const x = Float32Array.from(c.subarray(0, n));
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        x[i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
      }
      return x;
    });
    this.frames += n;
    this.onPiece({ channels: out, sampleRate: this.rate, done });
  }

  /** The summary after the last piece; throws AudioError when there were no samples. */
  read(): PiecesRead {
    if (this.frames === 0) throw new AudioError(`the ${this.what} file holds no samples`);
    return {
      sampleRate: this.rate,
      channels: this.channels,
      frames: this.frames,
      warnings: this.warnings
    };
  }
}

/**
 * Decodes any supported audio file to float channels at the file's own rate, whole. `name` (the
 * file name) goes into messages and the ffmpeg command. Throws AudioError (WavError for WAV)
 * saying what is wrong; never anything else.
 */
export async function decodeAudio(bytes: Uint8Array, name?: string): Promise<DecodedAudio> {
  const pieces: Float32Array[][] = [];
  const read = await decodeAudioPieces(bytes, name, (p) => pieces.push(p.channels));
  const channels = Array.from({ length: read.channels }, (_, c) => {
    const out = new Float32Array(read.frames);
    let at = 0;
    for (const p of pieces) {
      out.set(p[c], at);
      at += p[c].length;
    }
    return out;
  });
  const audio: DecodedAudio = read.warnings.length
    ? { sampleRate: read.sampleRate, channels, warnings: read.warnings }
    : { sampleRate: read.sampleRate, channels };
  return UPMIXING.has(sniffAudio(bytes)!) ? collapseDualMono(audio) : audio;
}

/** Two identical channels (a mono source the decoder upmixed) → one, as ffmpeg reports it. */
function collapseDualMono(audio: DecodedAudio): DecodedAudio {
  const [a, b] = audio.channels;
  if (audio.channels.length !== 2) return audio;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return audio;
  return { ...audio, channels: [a] };
}
