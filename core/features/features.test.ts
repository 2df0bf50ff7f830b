/**
 * WAV decoding (every supported encoding, and clear errors for broken files), resampling (stream
 * equals batch, pass band kept, aliasing removed), log-mel frames (tone lands in its band, the
 * stream reproduces the batch numbers on a real spoken recording) and image decoding/resizing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import * as jpeg from 'jpeg-js';
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import { getPreset } from '../spec';
import { decodeImage, imageFeatures } from './image';
import { clipGeometry, FeatureError, LogMelFrontEnd, LogMelStream, SPEECH_LOGMEL } from './logmel';
import { resample, Resampler } from './resample';
import { decodeWav, encodeWav, toMono, WavError } from './wav';

const AUDIO = SPEECH_LOGMEL;

function tone(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate)
  );
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

/** A WAV file built by hand: header fields as given, samples already encoded. */
function rawWav(opts: {
  format?: number;
  channels: number;
  rate: number;
  bits: number;
  data: Uint8Array;
  extensible?: boolean;
}): Uint8Array {
  const fmtSize = opts.extensible ? 40 : 16;
  const total = 12 + 8 + fmtSize + 8 + opts.data.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) =>
    [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, total - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, opts.extensible ? 0xfffe : (opts.format ?? 1), true);
  v.setUint16(22, opts.channels, true);
  v.setUint32(24, opts.rate, true);
  const block = (opts.channels * opts.bits) / 8;
  v.setUint32(28, opts.rate * block, true);
  v.setUint16(32, block, true);
  v.setUint16(34, opts.bits, true);
  if (opts.extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(38, opts.bits, true);
    v.setUint16(44, opts.format ?? 1, true); // sub-format GUID starts with the format code
  }
  const dataAt = 20 + fmtSize;
  put(dataAt, 'data');
  v.setUint32(dataAt + 4, opts.data.length, true);
  out.set(opts.data, dataAt + 8);
  return out;
}

describe('WAV decoding', () => {
  test('16-bit round trip through encodeWav, stereo averaged to mono', () => {
    const left = Float32Array.from([0, 0.5, -0.5, 0.25]);
    const right = Float32Array.from([0, -0.5, 0.5, 0.75]);
    const audio = decodeWav(encodeWav([left, right], 22050));
    expect(audio.sampleRate).toBe(22050);
    expect(audio.channels).toHaveLength(2);
    audio.channels[0].forEach((v, i) => expect(v).toBeCloseTo(left[i], 4));
    const mono = toMono(audio);
    mono.forEach((v, i) => expect(v).toBeCloseTo((left[i] + right[i]) / 2, 4));
  });

  test.each([
    ['8-bit unsigned', 8, 1, [0, 128, 255], [-1, 0, 127 / 128]],
    ['24-bit', 24, 1, [0, 0, 0x80, 0xff, 0xff, 0x7f], [-1, 8388607 / 8388608]],
    ['32-bit integer', 32, 1, [0, 0, 0, 0x40], [0.5]],
    ['32-bit float', 32, 3, [0, 0, 0x40, 0xbf], [-0.75]]
  ])('%s', (_name, bits, format, bytes, expected) => {
    const audio = decodeWav(
      rawWav({ format, channels: 1, rate: 8000, bits, data: Uint8Array.from(bytes) })
    );
    expect(Array.from(audio.channels[0])).toEqual(expected.map((v) => Math.fround(v)));
  });

  test('WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
    const data = Uint8Array.from([0x00, 0x40, 0x00, 0xc0]); // 16384, −16384
    const audio = decodeWav(rawWav({ channels: 1, rate: 48000, bits: 16, data, extensible: true }));
    expect(Array.from(audio.channels[0])).toEqual([0.5, -0.5]);
  });

  const good = encodeWav([tone(440, 8000, 0.01)], 8000);
  const broken: [string, () => Uint8Array, RegExp][] = [
    ['a 0-byte file', () => new Uint8Array(0), /too short/],
    ['text, not audio', () => new TextEncoder().encode('hello, this is not a wav file'), /RIFF/],
    [
      'zero channels',
      () => rawWav({ channels: 0, rate: 8000, bits: 16, data: new Uint8Array(0) }),
      /0 channels/
    ],
    [
      'Microsoft ADPCM inside WAV',
      () => rawWav({ format: 2, channels: 1, rate: 8000, bits: 4, data: new Uint8Array(4) }),
      /Microsoft ADPCM audio inside a WAV file is not decoded.*ffmpeg -i input\.ext/
    ],
    [
      'an unknown format tag',
      () => rawWav({ format: 0x1234, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(4) }),
      /audio format 0x1234 inside a WAV file/
    ],
    [
      '40-bit samples',
      () => rawWav({ channels: 1, rate: 8000, bits: 40, data: new Uint8Array(10) }),
      /40-bit PCM is not supported/
    ],
    [
      'no samples',
      () => rawWav({ channels: 1, rate: 8000, bits: 16, data: new Uint8Array(0) }),
      /no samples/
    ],
    [
      'an absurd sample rate',
      () => rawWav({ channels: 1, rate: 5, bits: 16, data: new Uint8Array(2) }),
      /sample rate 5 Hz/
    ]
  ];
  test.each(broken)('%s is refused with a clear WavError', (_name, make, why) => {
    expect(() => decodeWav(make())).toThrow(WavError);
    expect(() => decodeWav(make())).toThrow(why);
  });

  test('mutated and truncated files give a WavError or decode; nothing else escapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8
        }),
        fc.nat(good.length),
        (edits, cut) => {
          const b = good.slice(0, Math.max(cut, 1));
          for (const [at, value] of edits) if (at < b.length) b[at] = value;
          try {
            const audio = decodeWav(b);
            for (const ch of audio.channels)
              for (const v of ch) expect(Math.abs(v)).toBeLessThanOrEqual(1);
          } catch (e) {
            expect(e).toBeInstanceOf(WavError);
          }
        }
      ),
      { numRuns: 300, seed: 3 }
    );
  });
});

describe('resampling', () => {
  test('a stream in random blocks gives exactly the batch result', () => {
    const x = Float32Array.from(
      { length: 9000 },
      (_, i) => Math.sin(i / 7) * 0.3 + ((i * 7919) % 13) / 100
    );
    for (const [from, to] of [
      [48000, 16000],
      [44100, 16000],
      [8000, 16000],
      [22050, 16000]
    ]) {
      const batch = resample(x, from, to);
      expect(batch.length).toBe(Math.ceil((x.length * to) / from));
      const rng = createRng(from);
      const r = new Resampler(from, to);
      const parts: number[] = [];
      for (let at = 0; at < x.length;) {
        const n = 1 + rng.int(700);
        parts.push(...r.push(x.subarray(at, at + n)));
        at += n;
      }
      parts.push(...r.flush());
      expect(parts).toEqual(Array.from(batch));
    }
  });

  test('48 kHz → 16 kHz keeps a 1 kHz tone and removes a 12 kHz one (no aliasing)', () => {
    const kept = resample(tone(1000, 48000, 0.5), 48000, 16000);
    expect(rms(kept, 500, 7500)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const alias = resample(tone(12000, 48000, 0.5), 48000, 16000);
    // 12 kHz would fold to 4 kHz; it must be at least 60 dB down.
    expect(rms(alias, 500, 7500) / (0.5 / Math.SQRT2)).toBeLessThan(1e-3);
  });

  test('equal rates pass samples through unchanged', () => {
    const x = tone(300, 16000, 0.1);
    expect(Array.from(resample(x, 16000, 16000))).toEqual(Array.from(x));
  });
});

/** Speech no one here wrote: espeak-ng speaking a sentence, at 22.05 kHz as espeak writes it. */
function spokenRecording(): { samples: Float32Array; rate: number } {
  const dir = mkdtempSync(join(tmpdir(), 'quench-features-'));
  try {
    const file = join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'en-us+f3', '-s', '150', '-w', file, 'seven, yes, no, stop']);
    const audio = decodeWav(new Uint8Array(readFileSync(file)));
    return { samples: toMono(audio), rate: audio.sampleRate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('log-mel features', () => {
  test('SPEECH_LOGMEL is the front end of the audio-small preset', () => {
    expect(getPreset('audio-small').features).toEqual(SPEECH_LOGMEL);
  });

  test('one second gives 49 frames of 40 bands; a 1 kHz tone peaks in the band around 1 kHz', () => {
    expect(clipGeometry(AUDIO)).toEqual({ samples: 16000, frames: 49 });
    const front = new LogMelFrontEnd(AUDIO);
    const f = front.clip(tone(1000, 16000, 1));
    expect(f.length).toBe(49 * 40);
    const frame = Array.from(f.subarray(20 * 40, 21 * 40));
    const peak = frame.indexOf(Math.max(...frame));
    // Band centres are evenly spaced in mel from 20 Hz to 7600 Hz; find the one nearest 1 kHz.
    const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
    const centres = Array.from(
      { length: 40 },
      (_, m) => mel(20) + ((mel(7600) - mel(20)) * (m + 1)) / 41
    );
    const nearest = centres.reduce(
      (best, c, m) => (Math.abs(c - mel(1000)) < Math.abs(centres[best] - mel(1000)) ? m : best),
      0
    );
    expect(Math.abs(peak - nearest)).toBeLessThanOrEqual(1);
  });

  test('silence is the log floor; standardisation uses the stored mean and std', () => {
    const raw = new LogMelFrontEnd(AUDIO).clip(new Float32Array(16000));
    expect(raw[0]).toBeCloseTo(Math.log(1e-6), 5);
    const std = new LogMelFrontEnd({ ...AUDIO, mean: -10, std: 2 }).clip(new Float32Array(16000));
    expect(std[0]).toBeCloseTo((Math.log(1e-6) + 10) / 2, 5);
  });

  test('settings that cannot work are refused by name', () => {
    expect(() => new LogMelFrontEnd({ ...AUDIO, frameLength: 500 })).toThrow(/power of two/);
    expect(() => new LogMelFrontEnd({ ...AUDIO, melBands: 0 })).toThrow(/melBands/);
    expect(() => new LogMelFrontEnd({ ...AUDIO, fMax: 9000 })).toThrow(FeatureError);
    expect(() => new LogMelFrontEnd({ ...AUDIO, mean: 1 })).toThrow(/together/);
  });

  test('on a real spoken recording, the live path (stream resampler + stream frames) equals the batch path', () => {
    const { samples, rate } = spokenRecording();
    expect(rate).not.toBe(16000); // so the resampler is exercised
    const batch16k = resample(samples, rate, 16000);
    const front = new LogMelFrontEnd(AUDIO);
    const batchFrames = front.frames(batch16k);

    const resampler = new Resampler(rate, 16000);
    const stream = new LogMelStream(AUDIO);
    const rng = createRng(9);
    let lastWindow: Float32Array | null = null;
    for (let at = 0; at < samples.length;) {
      const n = 128 + rng.int(2048); // audio callback sizes vary
      stream.push(resampler.push(samples.subarray(at, at + n)));
      lastWindow = stream.window() ?? lastWindow;
      at += n;
    }
    stream.push(resampler.flush());
    const produced = stream.framesProduced;
    expect(produced).toBe(batchFrames.length / 40);
    const window = stream.window()!;
    // The stream's last 49 frames are the batch's last 49 frames, value for value.
    expect(Array.from(window)).toEqual(Array.from(batchFrames.subarray((produced - 49) * 40)));
    expect(lastWindow).not.toBeNull();
    // And they are what clip() computes on the second of audio they cover.
    const start = (produced - 49) * 320;
    expect(Array.from(front.clip(batch16k.subarray(start, start + 16000)))).toEqual(
      Array.from(window)
    );
  });
});

describe('images', () => {
  const png = (data: Uint8Array, width: number, height: number, channels: number) =>
    encodePng({ width, height, data, channels, depth: 8 });

  test('PNG grey and RGBA decode to RGB in [0, 1], alpha over white', () => {
    const grey = decodeImage(png(Uint8Array.from([0, 255, 51, 102]), 2, 2, 1));
    expect(Array.from(grey.rgb.subarray(0, 6))).toEqual([0, 0, 0, 1, 1, 1]);
    const rgba = decodeImage(png(Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 51]), 2, 1, 4));
    // Green at alpha 0.2 over white: 0.2·(0, 1, 0) + 0.8·(1, 1, 1).
    expect(Array.from(rgba.rgb)).toEqual([1, 0, 0, 0.8, 1, 0.8].map(Math.fround));
  });

  test('JPEG decodes close to what was encoded', () => {
    const w = 16;
    const data = new Uint8Array(w * w * 4).fill(255);
    for (let i = 0; i < w * w; i++) data[i * 4] = 40; // (40, 255, 255)
    const bytes = jpeg.encode({ data, width: w, height: w }, 95).data;
    const img = decodeImage(new Uint8Array(bytes));
    expect(img.width).toBe(w);
    expect(img.rgb[0]).toBeCloseTo(40 / 255, 1);
    expect(img.rgb[1]).toBeCloseTo(1, 1);
  });

  test('area resize averages what each output pixel covers; grey is Rec. 601 luma', () => {
    // 4×2 RGB: left half red, right half blue → 2×1: one red, one blue pixel.
    const rgb = new Float32Array(4 * 2 * 3);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++) rgb[(y * 4 + x) * 3 + (x < 2 ? 0 : 2)] = 1;
    const img = { width: 4, height: 2, rgb };
    expect(
      Array.from(imageFeatures(img, { kind: 'image', width: 2, height: 1, channels: 3 }))
    ).toEqual([1, 0, 0, 0, 0, 1]);
    const grey = imageFeatures(img, { kind: 'image', width: 4, height: 4, channels: 1 });
    expect(grey[0]).toBeCloseTo(0.299, 6);
    expect(grey[3]).toBeCloseTo(0.114, 6);
    const mixed = imageFeatures(img, { kind: 'image', width: 1, height: 1, channels: 3 });
    expect(Array.from(mixed)).toEqual([0.5, 0, 0.5]);
  });

  test('a PNG with a wrong CRC, a truncated PNG and unknown bytes are refused clearly', () => {
    const good = png(new Uint8Array(64).fill(7), 8, 8, 1);
    const badCrc = good.slice();
    badCrc[29] ^= 0xff; // inside the IHDR chunk's CRC (bytes 29–32)
    expect(() => decodeImage(badCrc)).toThrow(FeatureError);
    expect(() => decodeImage(badCrc)).toThrow(/PNG could not be decoded.*crc/i);
    expect(() => decodeImage(good.slice(0, 40))).toThrow(FeatureError);
    expect(() => decodeImage(new Uint8Array([1, 2, 3, 4]))).toThrow(/not a PNG or JPEG/);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/empty/);
  });
});
