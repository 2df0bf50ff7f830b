/**
 * Dataset scanning and example building on an in-memory source: background recordings cut into
 * 1 s windows, the loudest second of a longer clip, every unusable file reported by name, labels of
 * an existing model respected, and seeded audio augmentation.
 */
import { describe, expect, test } from 'vitest';
import { encodeWav } from '../features/wav';
import { createRng } from '../util/rng';
import {
  augmentClip,
  buildExamples,
  cutWindows,
  DatasetError,
  DEFAULT_AUDIO_AUGMENT,
  fitStandardisation,
  loudestWindow,
  scanDataset,
  type DatasetSource
} from './dataset';
import { SPEECH_LOGMEL } from '../features/logmel';

const AUDIO = SPEECH_LOGMEL;

function memorySource(tree: Record<string, Record<string, Uint8Array>>): DatasetSource {
  return {
    classes: async () => Object.keys(tree),
    files: async (c) => Object.keys(tree[c]),
    read: async (c, f) => tree[c][f],
    describe: (c, f) => `${c}/${f}`
  };
}

const wav = (seconds: number, rate = 16000, amp = 0.2) =>
  encodeWav(
    [Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin(i / 5))],
    rate
  );

describe('windows', () => {
  test('loudestWindow finds the burst; short clips are centred in silence', () => {
    const x = new Float32Array(32000);
    x.fill(0.5, 20000, 24000);
    const w = loudestWindow(x, 16000);
    expect(w.reduce((a, v) => a + v, 0)).toBeCloseTo(0.5 * 4000, 3);
    const short = loudestWindow(new Float32Array(4000).fill(1), 16000);
    expect([short[5999], short[6000], short[9999], short[10000]]).toEqual([0, 1, 1, 0]);
  });

  test('cutWindows keeps a tail of at least half a window, padded', () => {
    expect(cutWindows(new Float32Array(40000), 16000)).toHaveLength(3); // 16k, 16k, 8k padded
    expect(cutWindows(new Float32Array(36000), 16000)).toHaveLength(2); // 4k tail dropped
  });
});

describe('scanDataset', () => {
  test('background recordings become 1 s windows; other clips one window each', async () => {
    const scanned = await scanDataset(
      memorySource({
        background: { 'long.wav': wav(5.2, 44100) },
        yes: { '1.wav': wav(1.4), '2.wav': wav(0.6, 8000) }
      }),
      AUDIO
    );
    expect(scanned.labels).toEqual(['background', 'yes']);
    expect(scanned.counts).toEqual([5, 2]);
    expect(scanned.items.every((it) => it.samples!.length === 16000)).toBe(true);
    expect(scanned.background).toHaveLength(1);
    expect(scanned.problems).toEqual([]);
  });

  test('every unusable file is reported by name and reason; the rest is kept', async () => {
    const scanned = await scanDataset(
      memorySource({
        no: { 'ok.wav': wav(1), 'notes.txt': new Uint8Array(3), 'cut.wav': wav(1).subarray(0, 30) },
        yes: { 'ok.wav': wav(1) }
      }),
      AUDIO
    );
    expect(scanned.problems).toEqual([
      { file: 'no/cut.wav', reason: expect.stringMatching(/truncated/) }
    ]);
    expect(scanned.ignored).toEqual([{ file: 'no/notes.txt', reason: 'not a sound file' }]);
    expect(scanned.counts).toEqual([1, 1]);
  });

  test('a class whose every file is bad is an error that lists the files', async () => {
    const attempt = scanDataset(
      memorySource({ no: { 'x.wav': new Uint8Array(10) }, yes: { 'ok.wav': wav(1) } }),
      AUDIO
    );
    await expect(attempt).rejects.toThrow(DatasetError);
    await expect(attempt).rejects.toThrow(/"no" hold no usable files[\s\S]*no\/x\.wav/);
  });

  test("with a model's labels: its order is kept and unknown folders are refused", async () => {
    const src = memorySource({ yes: { 'a.wav': wav(1) }, no: { 'b.wav': wav(1) } });
    const scanned = await scanDataset(src, AUDIO, { labels: ['yes', 'no', 'maybe'] });
    expect(scanned.items.map((i) => i.label)).toEqual([0, 1]);
    await expect(scanDataset(src, AUDIO, { labels: ['yes', 'stop'] })).rejects.toThrow(
      /"no" are not classes/
    );
  });
});

describe('examples', () => {
  test('augmented copies differ from the original, repeat with the seed, and skip background', async () => {
    const scanned = await scanDataset(
      memorySource({ background: { 'n.wav': wav(3) }, yes: { 'a.wav': wav(1, 16000, 0.4) } }),
      AUDIO
    );
    const a = buildExamples(scanned, AUDIO, [49, 40, 1], {
      augment: DEFAULT_AUDIO_AUGMENT,
      seed: 3
    });
    const b = buildExamples(scanned, AUDIO, [49, 40, 1], {
      augment: DEFAULT_AUDIO_AUGMENT,
      seed: 3
    });
    // 3 background windows + 1 clip + 2 augmented copies of it.
    expect(a.count).toBe(6);
    expect(Array.from(a.y)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(a.x).toEqual(b.x);
    const per = 49 * 40;
    expect(a.x.subarray(3 * per, 4 * per)).not.toEqual(a.x.subarray(4 * per, 5 * per));
    const plain = buildExamples(scanned, AUDIO, [49, 40, 1]);
    expect(plain.count).toBe(4);
  });

  test('augmentClip keeps the length and stays within [−1, 1]', () => {
    const clip = Float32Array.from({ length: 16000 }, (_, i) => 0.9 * Math.sin(i / 3));
    const noise = [Float32Array.from({ length: 40000 }, (_, i) => ((i * 7919) % 200) / 100 - 1)];
    const out = augmentClip(clip, noise, DEFAULT_AUDIO_AUGMENT, 16000, createRng(1));
    expect(out.length).toBe(16000);
    expect(out.every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  test('standardisation fit gives mean 0 and std 1 afterwards', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => 3 + Math.sin(i));
    const { mean, std } = fitStandardisation(x);
    const z = x.map((v) => (v - mean) / std);
    expect(fitStandardisation(z).mean).toBeCloseTo(0, 5);
    expect(fitStandardisation(z).std).toBeCloseTo(1, 5);
  });
});

describe('batch augmentation', () => {
  test('image shifts move content by whole pixels; brightness scales each example', async () => {
    const { shiftImages, scaleBrightness } = await import('./augment');
    const x = new Float32Array(2 * 5 * 5);
    x[12] = 1; // centre of example 0
    x[25 + 12] = 1; // centre of example 1
    shiftImages(x, [5, 5, 1], 1, createRng(3));
    for (const base of [0, 25]) {
      const ones = Array.from(x.subarray(base, base + 25)).filter((v) => v === 1).length;
      expect(ones).toBe(1); // moved by at most one pixel, never lost
      const at = Array.from(x.subarray(base, base + 25)).indexOf(1);
      expect(Math.abs(Math.floor(at / 5) - 2)).toBeLessThanOrEqual(1);
      expect(Math.abs((at % 5) - 2)).toBeLessThanOrEqual(1);
    }
    const y = new Float32Array(8).fill(1);
    scaleBrightness(y, 4, 0.2, createRng(1));
    expect(y[0]).toBe(y[3]);
    expect(y[4]).toBe(y[7]);
    for (const v of y) expect(Math.abs(v - 1)).toBeLessThanOrEqual(0.2);
    expect(y[0]).not.toBe(y[4]);
  });
});
