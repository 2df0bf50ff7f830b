/**
 * Data warnings on first-project sized datasets of espeak-ng words: too few clips, imbalance,
 * silent clips, the same take recorded again (shifted, with noise), exact duplicates — and none
 * for 19 different voices per word with one background take.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeWav } from '../features/wav';
import { SPEECH_LOGMEL } from '../features/logmel';
import { memorySource, speak, TRAIN_VOICES, webcamPng } from '../../test/fixtures/first-project';
import type { ImageSettings } from '../features/image';
import { datasetWarnings, SAME_TAKE } from './checks';
import { scanDataset } from './dataset';
import { sameTakeScore, takePrint } from './similarity';
import { decodeWav, toMono } from '../features/wav';
import { createRng } from '../util/rng';

const work = mkdtempSync(join(tmpdir(), 'quench-checks-'));
const takes: Record<string, Uint8Array[]> = {};

beforeAll(() => {
  for (const word of ['left', 'right']) {
    takes[word] = TRAIN_VOICES.slice(0, 19).map((v, i) => {
      const f = join(work, `${word}-${i}.wav`);
      speak(word, v, f);
      return new Uint8Array(readFileSync(f));
    });
  }
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function samplesOf(wav: Uint8Array): Float32Array {
  return toMono(decodeWav(wav));
}

/** The same take again: delayed by `shift` samples, scaled, with uniform noise ±`noise`. */
function again(wav: Uint8Array, shift: number, noise: number, seed: number): Uint8Array {
  const x = samplesOf(wav);
  const rng = createRng(seed);
  const y = new Float32Array(x.length + shift);
  for (let i = 0; i < y.length; i++)
    y[i] = 0.8 * (i >= shift ? x[i - shift] : 0) + noise * (2 * rng.next() - 1);
  return encodeWav([y], 16000);
}

function noise(seconds: number, level: number): Uint8Array {
  const rng = createRng(9);
  return encodeWav(
    [Float32Array.from({ length: seconds * 16000 }, () => level * (2 * rng.next() - 1))],
    16000
  );
}

async function warningsOf(tree: Record<string, Record<string, Uint8Array>>) {
  const scanned = await scanDataset(memorySource(tree), SPEECH_LOGMEL);
  return datasetWarnings(scanned, SPEECH_LOGMEL);
}

const files = (list: Uint8Array[], word: string) =>
  Object.fromEntries(list.map((b, i) => [`${word}-${i + 1}.wav`, b]));

describe('same-take score on espeak-ng words', () => {
  test('different voices stay below the threshold; the same take again stays above', () => {
    for (const word of ['left', 'right']) {
      const prints = takes[word].map((b) => takePrint(samplesOf(b).slice(0, 16000)));
      for (let a = 0; a < prints.length; a++)
        for (let b = a + 1; b < prints.length; b++)
          expect(sameTakeScore(prints[a], prints[b])).toBeLessThan(0.7);
      takes[word].forEach((b, i) => {
        for (const [shift, level] of [
          [37, 0.01],
          [80, 0.003],
          [333, 0.01],
          [1100, 0.003]
        ]) {
          const copy = samplesOf(again(b, shift, level, i)).slice(shift, shift + 16000);
          const score = sameTakeScore(takePrint(samplesOf(b).slice(0, 16000)), takePrint(copy));
          expect(score).toBeGreaterThanOrEqual(SAME_TAKE);
        }
        // Not realigned: an odd delay is half a sample at the decimated rate, and the 1 s windows
        // of two copies of a 1.14 s take can start 140 ms apart.
        for (const shift of [1, 333, 2239]) {
          const copy = samplesOf(again(b, shift, 0.004, i)).slice(0, 16000);
          const score = sameTakeScore(takePrint(samplesOf(b).slice(0, 16000)), takePrint(copy));
          expect(score, `${word} ${i} delayed ${shift}`).toBeGreaterThanOrEqual(SAME_TAKE);
        }
      });
    }
  });
});

describe('dataset warnings', () => {
  test('19 voices per word and one background take: no warning', async () => {
    const w = await warningsOf({
      left: files(takes.left, 'left'),
      right: files(takes.right, 'right'),
      background: { 'room.wav': noise(10, 0.05) }
    });
    expect(w).toEqual([]);
  });

  test('3 clips in a class, and 19 : 3 imbalance, are named', async () => {
    const w = await warningsOf({
      left: files(takes.left, 'left'),
      right: files(takes.right.slice(0, 3), 'right')
    });
    expect(w.map((x) => x.kind)).toEqual(['few-clips', 'imbalance']);
    expect(w[0].message).toMatch(/class "right" has only 3 clips/);
    expect(w[1].message).toMatch(/"left" has 19 clips, "right" 3 clips \(6\.3 : 1\)/);
  });

  test('silent clips and same takes in one class are counted against the same total', async () => {
    const w = await warningsOf({
      left: {
        ...files(takes.left.slice(0, 6), 'left'),
        'again-1.wav': again(takes.left[0], 120, 0.004, 1),
        'again-2.wav': again(takes.left[0], 333, 0.004, 2),
        'quiet-1.wav': noise(1, 0.002),
        'quiet-2.wav': noise(1, 0.004)
      },
      right: files(takes.right.slice(0, 6), 'right')
    });
    const byKind = Object.fromEntries(w.map((x) => [x.kind, x]));
    expect(byKind.silent.message).toMatch(/"left": 2 of 10 clips are silent/);
    expect(byKind['near-identical'].message).toMatch(/"left": 3 of 10 clips are the same take/);
  });

  test('silent clips are named; the same take recorded again is caught; copies are duplicates', async () => {
    const one = takes.left[0];
    const w = await warningsOf({
      left: {
        ...files(takes.left.slice(0, 6), 'left'),
        'quiet-1.wav': noise(1, 0.002),
        'quiet-2.wav': noise(1, 0.004)
      },
      right: {
        ...files(
          [0, 1, 2, 3, 4].map((k) => again(one, 50 + 211 * k, 0.005, k)),
          'again'
        ),
        'copy-a.wav': takes.right[0],
        'copy-b.wav': takes.right[0]
      }
    });
    const byKind = Object.fromEntries(w.map((x) => [x.kind, x]));
    expect(byKind.silent.message).toMatch(
      /"left": 2 of 8 clips are silent .*quiet-1\.wav, quiet-2\.wav/
    );
    expect(byKind['near-identical'].message).toMatch(/"right": 5 of 7 clips are the same take/);
    expect(byKind.duplicates.message).toMatch(
      /class "right": 2 of 7 clips are exact copies of another: copy-a\.wav, copy-b\.wav/
    );
  });

  test('repeats make one line per class, each file named once', async () => {
    const one = takes.left[0];
    // One file holding one take twice, the second quieter (a recording looped back): two clips.
    const x = samplesOf(one);
    const looped = new Float32Array(2 * x.length + 16000);
    looped.set(x);
    looped.set(
      x.map((v) => 0.8 * v),
      x.length + 8000
    );
    const right: Record<string, Uint8Array> = {};
    for (let i = 0; i < 7; i++) {
      right[`right-${i + 1}.wav`] = takes.right[i];
      right[`right-${i + 1} copy.wav`] = takes.right[i];
    }
    const w = await warningsOf({
      left: {
        ...files(takes.left.slice(1, 7), 'left'),
        'looped.wav': encodeWav([looped], 16000),
        'from right.wav': takes.right[6]
      },
      right
    });
    const same = w.filter((x) => x.kind === 'near-identical');
    expect(same.map((x) => x.message)).toEqual([
      'class "left": 2 of 9 clips are the same take as another (looped.wav); record each clip anew, varying the voice, distance and room'
    ]);
    const copies = w.filter((x) => x.kind === 'duplicates').map((x) => x.message);
    expect(copies).toHaveLength(2);
    expect(copies[0]).toMatch(
      /^class "right": 12 of 14 clips are exact copies of another: right-1 copy\.wav, right-1\.wav, right-2 copy\.wav and 9 more$/
    );
    expect(copies[1]).toBe(
      '3 clips are exact copies of a clip in another class: from right.wav, right-7 copy.wav, right-7.wav (classes left, right)'
    );
  });
});

test('pictures: copies make one line per class and one across classes, in picture words', async () => {
  const IMAGE: ImageSettings = { kind: 'image', width: 32, height: 32, channels: 3 };
  const frame = (seed: number) => webcamPng('box', seed);
  // A burst where the camera sent frames 1 and 2 again (pixel-identical), and frame 3 also filed under "cat".
  const mug: Record<string, Uint8Array> = {};
  [1, 2, 3, 1, 1, 2, 7].forEach((seed, i) => (mug[`mug ${i + 1}.png`] = frame(seed)));
  const cat: Record<string, Uint8Array> = { 'cat 1.png': frame(3) };
  for (let i = 2; i <= 6; i++) cat[`cat ${i}.png`] = webcamPng('blue', i);
  const scanned = await scanDataset(memorySource({ mug, cat }), IMAGE);
  const copies = datasetWarnings(scanned, IMAGE).filter((w) => w.kind === 'duplicates');
  expect(copies.map((w) => w.message)).toEqual([
    'class "mug": 5 of 7 pictures are exact copies of another: mug 1.png, mug 2.png, mug 4.png and 2 more',
    '2 pictures are exact copies of a picture in another class: cat 1.png, mug 3.png (classes cat, mug)'
  ]);
});
