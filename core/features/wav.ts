/**
 * WAV decoding and encoding on bytes. Reads RIFF, RF64/BW64 and Wave64 containers (see
 * wav-container.ts for the writers' quirks handled there) holding 8/16/24/32-bit integer PCM (any
 * container width, e.g. 20 or 24 bits in 32), 32/64-bit float, G.711 µ-law and A-law, in any
 * channel count and sample rate, including WAVE_FORMAT_EXTENSIBLE headers. Compressed codecs inside
 * WAV (ADPCM, GSM, MP3 …) are refused with a message naming the codec and the ffmpeg command that
 * converts the file. Every failure is a WavError saying what is wrong.
 */
import { codecMessage } from './audio-error';
import { A_LAW, MU_LAW } from './g711';
import { readWavChunks } from './wav-container';
import { WavError } from './wav-error';

export { WavError };

export interface DecodedAudio {
  sampleRate: number;
  /** One Float32Array per channel, samples in [−1, 1]. */
  channels: Float32Array[];
  /** What was read differently from what the header said (e.g. the file ended early). */
  warnings?: string[];
}

/** Larger files are refused before decoding (about 20 minutes of 48 kHz stereo 16-bit). */
export const MAX_WAV_BYTES = 256 * 1024 * 1024;
const MAX_CHANNELS = 32;
const MIN_RATE = 1000;
const MAX_RATE = 768000;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** WAVE format tags of codecs other tools write (RFC 2361, mmreg.h), for the refusal message. */
const CODECS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0010: 'OKI ADPCM',
  0x0014: 'G.723 ADPCM',
  0x0022: 'DSP Group TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x0064: 'G.726 ADPCM',
  0x0092: 'Dolby AC-3',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x1610: 'AAC (HE-AAC)',
  0x2000: 'Dolby AC-3',
  0xf1ac: 'FLAC'
};

interface Format {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  /** Bytes each sample occupies in a frame. */
  width: number;
}

function parseFmt(fmt: Uint8Array, name: string | undefined, warnings: string[]): Format {
  const size = fmt.length;
  if (size < 16) throw new WavError(`the "fmt " chunk is ${size} bytes, at least 16 are needed`);
  const view = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  let format = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  let blockAlign = view.getUint16(12, true);
  const bits = view.getUint16(14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new WavError(`an extensible "fmt " chunk needs 40 bytes, this one has ${size}`);
    }
    format = view.getUint16(24, true); // first two bytes of the sub-format GUID
  }
  if (![FORMAT_PCM, FORMAT_FLOAT, FORMAT_ALAW, FORMAT_MULAW].includes(format)) {
    const codec = CODECS[format];
    if (codec) throw new WavError(codecMessage(`${codec} audio inside a WAV file`, name));
    throw new WavError(
      codecMessage(
        `audio format 0x${format.toString(16).padStart(4, '0')} inside a WAV file (only PCM, float, µ-law and A-law are read)`,
        name
      )
    );
  }
  if (channels < 1) throw new WavError('the header says the audio has 0 channels');
  if (channels > MAX_CHANNELS) {
    throw new WavError(`${channels} channels is more than the ${MAX_CHANNELS} supported`);
  }
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new WavError(`sample rate ${sampleRate} Hz is outside ${MIN_RATE}–${MAX_RATE} Hz`);
  }
  const kind = format === FORMAT_FLOAT ? 'float' : format === FORMAT_PCM ? 'PCM' : 'G.711';
  const okWidths = format === FORMAT_FLOAT ? [4, 8] : format === FORMAT_PCM ? [1, 2, 3, 4] : [1];
  // The container width per sample: from the block align when it is consistent, else from the
  // bits (writers get one or the other wrong; sox and ffmpeg trust the sample size).
  const fromBits = Math.ceil(bits / 8);
  let width = blockAlign / channels;
  if (!Number.isInteger(width) || !okWidths.includes(width) || width < fromBits) {
    if (!okWidths.includes(fromBits)) {
      throw new WavError(
        `${bits}-bit ${kind} is not supported (${okWidths.map((w) => w * 8).join(', ')} bits are)`
      );
    }
    warnings.push(
      `the header's block align (${blockAlign}) does not match ${channels} channel(s) of ${bits}-bit samples; read as ${bits}-bit`
    );
    width = fromBits;
    blockAlign = width * channels;
  }
  if (format === FORMAT_FLOAT && bits !== width * 8) {
    throw new WavError(`${bits}-bit float is not supported (32 and 64 bits are)`);
  }
  return { format, channels, sampleRate, blockAlign, width };
}

function seconds(bytes: number, f: Format): string {
  return (bytes / f.blockAlign / f.sampleRate).toFixed(2);
}

/**
 * How long the sound in a WAV file lasts, in seconds, from its header alone (the data the file
 * holds, not what a header of a file cut short promised), or undefined when the bytes are not a
 * WAV file whose header can be read (decodeWav then says why). Costs nothing for any length.
 */
export function wavSeconds(bytes: Uint8Array): number | undefined {
  try {
    const chunks = readWavChunks(bytes);
    const fmt = parseFmt(chunks.fmt, undefined, []);
    return Math.floor(chunks.dataSize / fmt.blockAlign) / fmt.sampleRate;
  } catch {
    return undefined;
  }
}

/** A WAV file whose header has been read: its format, and its frames decoded on request. */
export interface WavReader {
  sampleRate: number;
  channels: number;
  /** Whole frames the file holds (one sample of every channel each). */
  frames: number;
  /** What was read differently from what the header said (e.g. the file ended early). */
  warnings: string[];
  /**
   * Frames [from, to) as one Float32Array per channel, samples in [−1, 1]. Throws WavError on a
   * float sample that is not a number.
   */
  read(from: number, to: number): Float32Array[];
}

/**
 * Reads a WAV file's header, so that its frames can be decoded a range at a time (a long file
 * without holding all of it as floats). `name` (the file name) only goes into messages. Throws
 * WavError on malformed input, like {@link decodeWav}.
 */
export function openWav(bytes: Uint8Array, name?: string): WavReader {
  if (bytes.length > MAX_WAV_BYTES) {
    throw new WavError(`the file is ${bytes.length} bytes; at most ${MAX_WAV_BYTES} are read`);
  }
  if (bytes.length < 12) throw new WavError(`the file is ${bytes.length} bytes, too short for WAV`);
  const chunks = readWavChunks(bytes);
  const warnings: string[] = [];
  const fmt = parseFmt(chunks.fmt, name, warnings);
  const frames = Math.floor(chunks.dataSize / fmt.blockAlign);
  if (chunks.promised !== undefined) {
    warnings.push(
      `the file ended early: the header promises ${seconds(chunks.promised, fmt)} s, ${seconds(frames * fmt.blockAlign, fmt)} s were read`
    );
  } else if (chunks.dataSize % fmt.blockAlign !== 0) {
    warnings.push(
      `the data ends inside a frame (${chunks.dataSize % fmt.blockAlign} stray bytes were dropped)`
    );
  }
  if (frames === 0) throw new WavError('the file holds no samples');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (from: number, to: number): Float32Array[] => {
    const n = Math.max(0, Math.min(frames, to) - from);
    const channels = Array.from({ length: fmt.channels }, () => new Float32Array(n));
    for (let f = 0; f < n; f++) {
      const at = chunks.dataAt + (from + f) * fmt.blockAlign;
      for (let c = 0; c < fmt.channels; c++) {
        channels[c][f] = readSample(view, at + c * fmt.width, fmt);
      }
    }
    return channels;
  };
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, frames, warnings, read };
}

/**
 * Decodes a whole WAV file. `name` (the file name) only goes into messages. Throws WavError (never
 * anything else) on malformed input; reads what is present of a file that ends early, with a
 * warning in `warnings`.
 */
export function decodeWav(bytes: Uint8Array, name?: string): DecodedAudio {
  const wav = openWav(bytes, name);
  const channels = wav.read(0, wav.frames);
  return wav.warnings.length
    ? { sampleRate: wav.sampleRate, channels, warnings: wav.warnings }
    : { sampleRate: wav.sampleRate, channels };
}

function readSample(view: DataView, p: number, fmt: Format): number {
  if (fmt.format === FORMAT_FLOAT) {
    const v = fmt.width === 4 ? view.getFloat32(p, true) : view.getFloat64(p, true);
    if (!Number.isFinite(v)) throw new WavError('the file holds a sample that is not a number');
    return Math.max(-1, Math.min(1, v));
  }
  if (fmt.format === FORMAT_MULAW) return MU_LAW[view.getUint8(p)];
  if (fmt.format === FORMAT_ALAW) return A_LAW[view.getUint8(p)];
  switch (fmt.width) {
    case 1:
      return (view.getUint8(p) - 128) / 128;
    case 2:
      return view.getInt16(p, true) / 32768;
    case 3: {
      const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(p, true) / 2147483648;
  }
}

/** Mono mixing lives in mixdown.ts; re-exported for the callers that decode WAV. */
export { toMono } from './mixdown';

/** 16-bit PCM WAV of the given channels (equal lengths, samples clipped to [−1, 1]). */
export function encodeWav(channels: Float32Array[], sampleRate: number): Uint8Array {
  if (channels.length < 1) throw new WavError('cannot write a WAV file with no channels');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) {
    throw new WavError('all channels must have the same length');
  }
  const blockAlign = 2 * channels.length;
  const dataSize = frames * blockAlign;
  const out = new Uint8Array(44 + dataSize);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataSize, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, dataSize, true);
  let p = 44;
  for (let f = 0; f < frames; f++) {
    for (const ch of channels) {
      const v = Math.max(-1, Math.min(1, ch[f]));
      view.setInt16(p, Math.round(v < 0 ? v * 32768 : v * 32767), true);
      p += 2;
    }
  }
  return out;
}
