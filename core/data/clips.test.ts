/**
 * Where a recording's clips are, as the microphone take, file import and training all cut them: a
 * take where nobody speaks (digital silence, a quiet room's noise) has no utterance, so Collect can
 * save nothing instead of a clip of silence; a take with words has one per word.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import { clipPlanOf } from './clips';

const RATE = 16000;

/** White noise at `db` dBFS RMS for `seconds`. */
function noise(seconds: number, db: number, seed = 3): Float32Array {
  const rng = createRng(seed);
  const amp = 10 ** (db / 20) * Math.sqrt(3);
  return Float32Array.from({ length: seconds * RATE }, () => amp * (2 * rng.next() - 1));
}

/** Adds a 0.5 s word-like burst (a 250 Hz tone with a smooth envelope) at `at` seconds. */
function addWord(x: Float32Array, at: number): Float32Array {
  const n = 0.5 * RATE;
  for (let i = 0; i < n; i++) {
    x[Math.round(at * RATE) + i] +=
      0.2 * Math.sin((Math.PI * i) / n) * Math.sin((2 * Math.PI * 250 * i) / RATE);
  }
  return x;
}

describe('a 2 s take in a word class', () => {
  test.each([
    ['digital silence', new Float32Array(2 * RATE)],
    ['noise at −50 dBFS', noise(2, -50)],
    ['noise at −30 dBFS (a loud room)', noise(2, -30)]
  ])('%s: no utterance, and its one clip is the loudest window', (_, x) => {
    const plan = clipPlanOf(x, RATE, RATE, false);
    expect(plan.utterances).toBe(0);
    expect(plan.places).toHaveLength(1);
  });

  test('one word over −50 dBFS noise: 1 utterance; two words: 2, one clip each', () => {
    expect(clipPlanOf(addWord(noise(2, -50), 0.7), RATE, RATE, false).utterances).toBe(1);
    const two = clipPlanOf(addWord(addWord(noise(3, -50), 0.4), 1.9), RATE, RATE, false);
    expect(two.utterances).toBe(2);
    expect(two.places).toHaveLength(2);
  });

  test('the background class and a recording of one clip are not searched for utterances', () => {
    expect(clipPlanOf(noise(2, -50), RATE, RATE, true).utterances).toBeUndefined();
    expect(clipPlanOf(noise(1, -50), RATE, RATE, false).utterances).toBeUndefined();
  });
});
