/**
 * WAV (RIFF/WAVE) decoding and encoding on bytes. Decodes 8/16/24/32-bit integer PCM and 32/64-bit
 * float, any channel count and sample rate, including WAVE_FORMAT_EXTENSIBLE headers; anything
 * else is refused with a WavError that says what is wrong. Nothing here trusts a size field: every
 * chunk is checked against the bytes that are actually there.
 */

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export interface DecodedAudio {
  sampleRate: number;
  /** One Float32Array per channel, samples in [−1, 1]. */
  channels: Float32Array[];
}

/** Larger files are refused before decoding (about 20 minutes of 48 kHz stereo 16-bit). */
export const MAX_WAV_BYTES = 256 * 1024 * 1024;
const MAX_CHANNELS = 32;
const MIN_RATE = 1000;
const MAX_RATE = 768000;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourCC(view: DataView, at: number): string {
  return String.fromCharCode(
    view.getUint8(at),
    view.getUint8(at + 1),
    view.getUint8(at + 2),
    view.getUint8(at + 3)
  );
}

function printable(id: string): string {
  return JSON.stringify(id);
}

interface Format {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

function parseFmt(view: DataView, at: number, size: number): Format {
  if (size < 16) throw new WavError(`the "fmt " chunk is ${size} bytes, at least 16 are needed`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new WavError(`an extensible "fmt " chunk needs 40 bytes, this one has ${size}`);
    }
    format = view.getUint16(at + 24, true); // first two bytes of the sub-format GUID
  }
  if (format !== FORMAT_PCM && format !== FORMAT_FLOAT) {
    throw new WavError(
      `audio format ${format} is not supported (only PCM = 1 and IEEE float = 3; compressed WAV is not)`
    );
  }
  if (channels < 1) throw new WavError('the header says the audio has 0 channels');
  if (channels > MAX_CHANNELS) {
    throw new WavError(`${channels} channels is more than the ${MAX_CHANNELS} supported`);
  }
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new WavError(`sample rate ${sampleRate} Hz is outside ${MIN_RATE}–${MAX_RATE} Hz`);
  }
  const okBits = format === FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) {
    const kind = format === FORMAT_PCM ? 'PCM' : 'float';
    throw new WavError(`${bits}-bit ${kind} is not supported (${okBits.join(', ')} bits are)`);
  }
  if (blockAlign !== channels * (bits / 8)) {
    throw new WavError(
      `block align ${blockAlign} does not match ${channels} channel(s) of ${bits}-bit samples`
    );
  }
  return { format, channels, sampleRate, blockAlign, bits };
}

/** Decodes a whole WAV file. Throws WavError (never anything else) on malformed input. */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  if (bytes.length > MAX_WAV_BYTES) {
    throw new WavError(`the file is ${bytes.length} bytes; at most ${MAX_WAV_BYTES} are read`);
  }
  if (bytes.length < 12) throw new WavError(`the file is ${bytes.length} bytes, too short for WAV`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavError('not a WAV file (no RIFF/WAVE header)');
  }
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > bytes.length) {
    throw new WavError(
      `the RIFF header says ${riffEnd} bytes but the file has ${bytes.length} (truncated?)`
    );
  }
  let fmt: Format | undefined;
  let dataAt = -1;
  let dataSize = 0;
  let at = 12;
  while (at + 8 <= riffEnd) {
    const id = fourCC(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > riffEnd) {
      throw new WavError(
        `chunk ${printable(id)} says ${size} bytes but only ${riffEnd - body} remain (truncated?)`
      );
    }
    if (id === 'fmt ') {
      if (fmt) throw new WavError('the file has two "fmt " chunks');
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (dataAt >= 0) throw new WavError('the file has two "data" chunks');
      dataAt = body;
      dataSize = size;
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  if (!fmt) throw new WavError('the file has no "fmt " chunk');
  if (dataAt < 0) throw new WavError('the file has no "data" chunk');
  if (dataSize % fmt.blockAlign !== 0) {
    throw new WavError(
      `the data chunk (${dataSize} bytes) is not a whole number of ${fmt.blockAlign}-byte frames`
    );
  }
  const frames = dataSize / fmt.blockAlign;
  if (frames === 0) throw new WavError('the file holds no samples');
  const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  const bytesPer = fmt.bits / 8;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < fmt.channels; c++) {
      const p = dataAt + f * fmt.blockAlign + c * bytesPer;
      channels[c][f] = readSample(view, p, fmt);
    }
  }
  return { sampleRate: fmt.sampleRate, channels };
}

function readSample(view: DataView, p: number, fmt: Format): number {
  if (fmt.format === FORMAT_FLOAT) {
    const v = fmt.bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
    if (!Number.isFinite(v)) throw new WavError('the file holds a sample that is not a number');
    return Math.max(-1, Math.min(1, v));
  }
  switch (fmt.bits) {
    case 8:
      return (view.getUint8(p) - 128) / 128;
    case 16:
      return view.getInt16(p, true) / 32768;
    case 24: {
      const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(p, true) / 2147483648;
  }
}

/** The channels averaged into one. */
export function toMono(audio: DecodedAudio): Float32Array {
  const [first, ...rest] = audio.channels;
  if (rest.length === 0) return first;
  const out = Float32Array.from(first);
  for (const ch of rest) for (let i = 0; i < out.length; i++) out[i] += ch[i];
  const n = audio.channels.length;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

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
