/**
 * Every audio file Quench reads, by content (never by file name): WAV in all its container forms
 * (our own decoder, wav.ts) and the compressed formats people have — MP3, M4A/MP4 (AAC or ALAC),
 * raw AAC (ADTS), Ogg Vorbis, Ogg Opus, FLAC (native or in Ogg), WebM/Matroska (Opus or Vorbis)
 * and AIFF — through the audiojs decoders (`@audio/decode-*`, the per-format packages behind
 * `audio-decode`: libmpg123, FAAD2, libvorbis, libopus and libFLAC compiled to WebAssembly and
 * embedded in the packages, so the same code runs in Node, workers and Chromium). Each is loaded
 * only when a file of its format arrives. The CLI, the app's import and training all decode here.
 *
 * Formats that are recognised but not read (WMA, AMR, AC-3, …) get a message naming the codec and
 * the ffmpeg command that converts the file.
 */
import audioType from 'audio-type';
import { AudioError, ffmpegCommand, unsupportedCodec } from './audio-error';
import { otherImageFormat } from './formats';
import { checkMp4Tables } from './mp4-guard';
import { decodeWav, MAX_WAV_BYTES, type DecodedAudio } from './wav';
import { wavKind } from './wav-container';

export { AudioError };

interface Decoded {
  channelData: Float32Array[];
  sampleRate: number;
}
type Decoder = (bytes: Uint8Array) => Promise<Decoded>;

/**
 * Compressed formats read, by the name audio-type gives them: what people call them, and the
 * decoder (imported on first use; the whole-file `decode` of each @audio/decode-* package).
 */
const READ: Record<string, [string, () => Promise<Decoder>]> = {
  mp3: ['MP3', async () => (await import('@audio/decode-mp3')).default],
  m4a: ['M4A/MP4', async () => (await import('@audio/decode-mp4')).default],
  aac: ['AAC (ADTS)', async () => (await import('@audio/decode-aac')).default],
  oga: ['Ogg Vorbis', async () => (await import('@audio/decode-vorbis')).default],
  opus: ['Ogg Opus', async () => (await import('@audio/decode-opus')).default],
  flac: ['FLAC', async () => (await import('@audio/decode-flac')).default],
  webm: ['WebM', async () => (await import('@audio/decode-webm')).default],
  mkv: ['Matroska', async () => (await import('@audio/decode-webm')).default],
  aiff: ['AIFF', async () => (await import('@audio/decode-aiff')).default]
};

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

/**
 * Decodes any supported audio file to float channels at the file's own rate. `name` (the file name)
 * goes into messages and the ffmpeg command. Throws AudioError (WavError for WAV) saying what is
 * wrong; never anything else.
 */
export async function decodeAudio(bytes: Uint8Array, name?: string): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new AudioError('the file is empty (0 bytes)');
  if (bytes.length > MAX_WAV_BYTES) {
    throw new AudioError(`the file is ${bytes.length} bytes; at most ${MAX_WAV_BYTES} are read`);
  }
  const kind = sniffAudio(bytes);
  if (kind === 'wav') return decodeWav(bytes, name);
  if (kind && NOT_READ[kind]) throw unsupportedCodec(NOT_READ[kind], name);
  if (!kind || !READ[kind]) {
    throw new AudioError(
      'not an audio file Quench reads (WAV, MP3, M4A/AAC, Ogg Vorbis, Opus, FLAC, WebM, AIFF)'
    );
  }
  if (kind === 'm4a') checkMp4Tables(bytes);
  const [what, load] = READ[kind];
  let decoded: Decoded;
  try {
    decoded = await (await load())(bytes);
  } catch (e) {
    throw new AudioError(
      `the ${what} file could not be decoded (${message(e)}); if another player reads it, convert it: ${ffmpegCommand(name)}`
    );
  }
  const audio = checked(decoded, what);
  return UPMIXING.has(kind) ? collapseDualMono(audio) : audio;
}

/** Two identical channels (a mono source the decoder upmixed) → one, as ffmpeg reports it. */
function collapseDualMono(audio: DecodedAudio): DecodedAudio {
  const [a, b] = audio.channels;
  if (audio.channels.length !== 2) return audio;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return audio;
  return { ...audio, channels: [a] };
}

/** The decoder's output, checked like a WAV header would be: channels, rate, finite samples. */
function checked(d: Decoded, what: string): DecodedAudio {
  const channels = d?.channelData ?? [];
  const n = channels[0]?.length ?? 0;
  if (channels.length === 0 || n === 0) throw new AudioError(`the ${what} file holds no samples`);
  if (channels.length > 32) throw new AudioError(`${channels.length} channels is more than 32`);
  if (!(d.sampleRate >= 1000 && d.sampleRate <= 768000)) {
    throw new AudioError(`the ${what} file says its sample rate is ${d.sampleRate} Hz`);
  }
  const out = channels.map((c) => {
    const x = Float32Array.from(c.subarray(0, n));
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      x[i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
    }
    return x;
  });
  if (channels.some((c) => c.length < n)) {
    throw new AudioError(`the ${what} file's channels have different lengths`);
  }
  return { sampleRate: d.sampleRate, channels: out };
}
