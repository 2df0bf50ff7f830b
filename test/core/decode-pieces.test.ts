/**
 * Long files decoded a piece at a time (core/features/audio.ts decodeAudioPieces, decode-mono.ts):
 * - the pieces of every format join to exactly what the format's whole-file decoder gives;
 * - mono at 16 kHz made piece by piece equals decoding, mixing and resampling the whole file,
 *   including a file whose channels cancel (found only at the end: a second pass);
 * - a minute of 44.1 kHz stereo MP3 is never held as more than a few seconds of it, and the 16 kHz
 *   output is one array sized from the first piece (no doubling);
 * - `quench stream`'s replay as the file decodes equals replaying the decoded recording;
 * - a background recording's 1 s clips share its samples instead of copying them;
 * - the loudest-window search keeps two sums per 10 ms step, with the same answer as a running
 *   sum per sample.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioClips, loudestStart } from '../../core/data/clips';
import { decodeAudioPieces, type AudioPiece } from '../../core/features/audio';
import { decodeMonoAt, SampleBuffer, streamMonoAt } from '../../core/features/decode-mono';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { mixToMono } from '../../core/features/mixdown';
import { resample } from '../../core/features/resample';
import { decodeWav } from '../../core/features/wav';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples, replay, replayRecording } from '../../core/live/replay';
import { decodeModel } from '../../core/model-file/model-file';
import { ffmpeg, requireTools, sox, speak } from '../fixtures/media';
import { wordStream } from '../fixtures/word-stream';

const dir = mkdtempSync(join(tmpdir(), 'quench-pieces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
const read = (name: string) => new Uint8Array(readFileSync(at(name)));

beforeAll(() => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  speak(at('word.wav'), 'seven, yes, and then four more words', 'en-us+f3');
  // Stereo 44.1 kHz whose channels differ, so that a swapped or dropped channel would show.
  sox(at('word.wav'), '-r', '44100', at('left.wav'));
  sox(at('left.wav'), at('right.wav'), 'vol', '0.6', 'delay', '0.01');
  sox('-M', at('left.wav'), at('right.wav'), at('src.wav'));
  sox(at('left.wav'), at('inverted.wav'), 'vol', '-0.9');
  sox('-M', at('left.wav'), at('inverted.wav'), at('cancel.wav'));
  sox(at('word.wav'), '-r', '48000', '-c', '1', at('src48m.wav'));
  sox(at('src.wav'), '-b', '24', '-r', '48000', at('src48-24.wav'));
  sox(at('word.wav'), '-r', '16000', at('mono16k.wav'));
});

/** [file, ffmpeg args from src.wav (none: made in beforeAll), @audio package]. */
const FORMATS: [string, string[] | undefined, string | undefined][] = [
  ['a.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'], '@audio/decode-mp3'],
  ['b.m4a', ['-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart'], '@audio/decode-mp4'],
  ['c.aac', ['-c:a', 'aac'], '@audio/decode-aac'],
  ['d.ogg', ['-c:a', 'libvorbis'], '@audio/decode-vorbis'],
  ['e.opus', ['-c:a', 'libopus'], '@audio/decode-opus'],
  ['f.flac', [], '@audio/decode-flac'],
  ['g.webm', ['-c:a', 'libopus'], '@audio/decode-webm'],
  ['h.aiff', [], '@audio/decode-aiff'],
  ['src48-24.wav', undefined, undefined],
  ['cancel.wav', undefined, undefined]
];

/** What the format's whole-file decoder gives, checked as Quench checks it (clipped, finite). */
async function whole(file: string, pkg: string | undefined) {
  if (!pkg) return decodeWav(read(file));
  const decode = (await import(pkg)).default as (
    b: Uint8Array
  ) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  const d = await decode(read(file));
  const clip = (v: number) => (Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0);
  return { sampleRate: d.sampleRate, channels: d.channelData.map((c) => c.map(clip)) };
}

function joined(pieces: AudioPiece[], channel: number): Float32Array {
  const out = new Float32Array(pieces.reduce((n, p) => n + p.channels[channel].length, 0));
  let k = 0;
  for (const p of pieces) {
    out.set(p.channels[channel], k);
    k += p.channels[channel].length;
  }
  return out;
}

describe('decoding in pieces', () => {
  test.each(FORMATS)(
    '%s in pieces of 4 KiB (WAV: 1000 frames) joins to the whole-file decode, sample for sample',
    async (file, args, pkg) => {
      if (args) ffmpeg('-i', at('src.wav'), ...args, at(file));
      const ref = await whole(file, pkg);
      const pieces: AudioPiece[] = [];
      const r = await decodeAudioPieces(read(file), file, (p) => pieces.push(p), {
        pieceBytes: 4096,
        pieceFrames: 1000
      });
      expect(pieces.length).toBeGreaterThan(1);
      expect([r.sampleRate, r.channels]).toEqual([ref.sampleRate, ref.channels.length]);
      expect(r.frames).toBe(ref.channels[0].length);
      const done = pieces.map((p) => p.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      // The last bytes of a container (WebM's cues) may hold no samples, so the last piece can
      // come from just before the end.
      expect(done[done.length - 1]).toBeGreaterThan(0.99);
      for (let c = 0; c < ref.channels.length; c++) {
        expect(joined(pieces, c)).toEqual(ref.channels[c]);
      }
    }
  );

  test.each([
    ['a.mp3 (44.1 kHz stereo)', 'a.mp3', ''],
    ['cancel.wav (right = −0.9 × left)', 'cancel.wav', 'left channel was used alone'],
    ['mono16k.wav (no resampling)', 'mono16k.wav', ''],
    ['src48m.wav (48 kHz mono)', 'src48m.wav', '']
  ])(
    '%s → 16 kHz mono piece by piece equals decode, mix and resample of the whole file',
    async (_, file, warning) => {
      if (file === 'a.mp3') {
        ffmpeg('-i', at('src.wav'), '-c:a', 'libmp3lame', '-b:a', '128k', at(file));
      }
      const ref = await whole(file, file.endsWith('.mp3') ? '@audio/decode-mp3' : undefined);
      const mix = mixToMono(ref);
      const expected = resample(mix.samples, ref.sampleRate, 16000);
      const got = await decodeMonoAt(read(file), file, 16000, {
        pieceBytes: 3000,
        pieceFrames: 777
      });
      expect(got.samples).toEqual(expected);
      expect(got.warnings.join(' ')).toContain(warning);
      expect(got.warnings.length).toBe(mix.warning ? 1 : 0);
    }
  );

  test('a minute of 44.1 kHz stereo MP3 at 128 kb/s: pieces of ≤ 4.2 s (0.6 s at 8 KiB), one 16 kHz array sized from the first piece', async () => {
    const noise = (seed: number) =>
      `anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=60:seed=${seed}`;
    ffmpeg(
      ...['-f', 'lavfi', '-i', noise(1), '-f', 'lavfi', '-i', noise(2)],
      ...['-filter_complex', '[0][1]amerge=inputs=2', '-ac', '2', '-b:a', '128k', at('min.mp3')]
    );
    const bytes = read('min.mp3');
    for (const [pieceBytes, seconds] of [
      [undefined, 4.2],
      [8192, 0.6]
    ] as const) {
      let most = 0;
      let pieces = 0;
      const r = await decodeAudioPieces(
        bytes,
        'min.mp3',
        (p) => {
          expect(p.channels.length).toBe(2);
          most = Math.max(most, p.channels[0].length);
          pieces++;
        },
        { pieceBytes }
      );
      expect(r.frames / 44100).toBeCloseTo(60, 1);
      expect(most / 44100).toBeLessThanOrEqual(seconds);
      expect(pieces).toBeGreaterThanOrEqual(60 / seconds - 1);
    }
    let block = 0;
    const streamed = await streamMonoAt(bytes, 'min.mp3', 16000, () => (b) => {
      block = Math.max(block, b.length);
    });
    expect(block / 16000).toBeLessThanOrEqual(4.2);
    const { samples } = await decodeMonoAt(bytes, 'min.mp3', 16000);
    expect(samples.length).toBe(streamed.samples);
    // One array a few per cent larger than its contents: not a doubled buffer, not a joined copy.
    expect(samples.buffer.byteLength).toBeLessThanOrEqual(1.03 * samples.byteLength + 8192);
  });

  test('replaying a recording as it decodes gives the timeline of replaying it decoded', async () => {
    const stream = wordStream(
      [
        { word: 'yes', at: 1.5 },
        { word: 'no', at: 4.2, voice: 'en-gb' },
        { word: 'yes', at: 7, voice: 'en-us+f3' }
      ],
      10
    );
    writeFileSync(at('words.wav'), stream.wav);
    ffmpeg('-i', at('words.wav'), '-ar', '44100', '-ac', '2', '-b:a', '96k', at('words.mp3'));
    const contents = decodeModel(
      new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models/demo-words.qnm')))
    );
    const bytes = read('words.mp3');
    const { samples } = await recordingSamples(bytes, 'words.mp3', 16000);
    const expected = replay(new LivePath(contents), samples);
    const progress: number[] = [];
    const got = await replayRecording(new LivePath(contents), bytes, 'words.mp3', (d) =>
      progress.push(d)
    );
    expect(got.timeline).toEqual(expected);
    expect(got.timeline.detections.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(1);
  });

  test("a background recording's 1 s clips are views of its samples; a word take's are copies", async () => {
    const bytes = read('src48-24.wav');
    const bg = await audioClips(bytes, 'room.wav', SPEECH_LOGMEL, true);
    expect(bg.clips.length).toBeGreaterThan(1);
    for (const [k, clip] of bg.clips.entries()) {
      const s = bg.starts[k];
      expect(clip).toEqual(Float32Array.from({ length: 16000 }, (_, i) => bg.samples[s + i] ?? 0));
      const inside = s + 16000 <= bg.samples.length;
      expect(clip.buffer === bg.samples.buffer).toBe(inside);
    }
    const words = await audioClips(bytes, 'take.wav', SPEECH_LOGMEL, false);
    for (const clip of words.clips) expect(clip.buffer).not.toBe(words.samples.buffer);
  });
});

describe('one 16 kHz array for a decoded file', () => {
  test('sized from the share of the file the first block stands for; grows ≥ 10 % when short; trimmed when far over', () => {
    const b = new SampleBuffer();
    b.append(new Float32Array(1000).fill(1), 0.1);
    expect(b.capacity).toBe(Math.ceil(10_000 * 1.02 + 1024));
    for (let k = 2; k <= 10; k++) b.append(new Float32Array(1000).fill(k), k / 10);
    expect(b.capacity).toBe(Math.ceil(10_000 * 1.02 + 1024));
    const all = b.samples();
    expect(all.length).toBe(10_000);
    expect(all[0]).toBe(1);
    expect(all[9999]).toBe(10);
    expect(all.buffer.byteLength).toBe(b.capacity * 4);
    // An estimate far short (the file's first tenth was silence, coded in few bytes).
    b.append(new Float32Array(6000), 1);
    expect(b.capacity).toBeGreaterThanOrEqual(16_000 * 1.1);
    // Far more room than samples: a trimmed copy is returned.
    const c = new SampleBuffer();
    c.append(new Float32Array(5000), 0.01);
    expect(c.samples().buffer.byteLength).toBe(5000 * 4);
  });
});

/** The loudest window's start by a running sum per sample (what loudestStart computed before). */
function loudestByPrefix(x: Float32Array, length: number): number {
  if (x.length <= length) return -Math.floor((length - x.length) / 2);
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i] + x[i] * x[i];
  const grid = Math.max(1, Math.round(length / 100));
  let best = 0;
  let bestEnergy = -1;
  for (let s = 0; s + length <= x.length; s += grid) {
    const e = prefix[s + length] - prefix[s];
    if (e > bestEnergy) [best, bestEnergy] = [s, e];
  }
  return best;
}

test('loudestStart with two sums per grid step equals a running sum per sample (any length, window, grid)', () => {
  fc.assert(
    fc.property(
      fc.float32Array({ minLength: 1, maxLength: 3000, noNaN: true, min: -1, max: 1 }),
      fc.integer({ min: 1, max: 1200 }),
      (x, length) => loudestStart(x, length) === loudestByPrefix(x, length)
    ),
    { numRuns: 300, seed: 5 }
  );
  // Speech-like: quiet noise with one loud burst; the window lands on the burst.
  const x = Float32Array.from({ length: 48000 }, (_, i) =>
    i > 30000 && i < 34000 ? Math.sin(i) : 0.001 * Math.sin(7 * i)
  );
  expect(loudestStart(x, 16000)).toBe(loudestByPrefix(x, 16000));
  expect(loudestStart(x, 16000)).toBeGreaterThan(34000 - 16000);
});
