/**
 * Utterance finding and the level meter on signals whose answer is known: bursts separated by
 * silence are counted, short pauses inside a word don't split it, steady sound has no utterances,
 * clips are centred on their utterance, and levels are the textbook dBFS of a sine.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import { levelMeter } from './level';
import { clipStarts, findUtterances, MERGE_GAP_SECONDS } from './utterances';

const RATE = 16000;

/** Noise at −60 dBFS with tone bursts of `len` s at the given start times. */
function bursts(seconds: number, starts: number[], len = 0.4, amp = 0.3): Float32Array {
  const rng = createRng(5);
  const x = Float32Array.from({ length: seconds * RATE }, () => 0.001 * (2 * rng.next() - 1));
  for (const s of starts) {
    for (let i = Math.round(s * RATE); i < Math.round((s + len) * RATE); i++) {
      x[i] += amp * Math.sin((2 * Math.PI * 300 * i) / RATE);
    }
  }
  return x;
}

describe('findUtterances', () => {
  test('7 bursts of 0.4 s, 1.2 s apart: 7 utterances, each within 40 ms of the truth', () => {
    const starts = [0.3, 1.5, 2.7, 3.9, 5.1, 6.3, 7.5];
    const segs = findUtterances(bursts(9, starts), RATE);
    expect(segs).toHaveLength(7);
    segs.forEach((s, i) => {
      expect(Math.abs(s.start / RATE - starts[i])).toBeLessThan(0.04);
      expect(Math.abs(s.centre / RATE - (starts[i] + 0.2))).toBeLessThan(0.04);
    });
  });

  test(`a pause shorter than ${MERGE_GAP_SECONDS} s stays inside the word; a longer one splits it`, () => {
    expect(findUtterances(bursts(3, [0.5, 1.1]), RATE)).toHaveLength(1); // 0.2 s gap
    expect(findUtterances(bursts(3, [0.5, 1.4]), RATE)).toHaveLength(2); // 0.5 s gap
  });

  test('silence, steady noise and a steady tone have no utterances', () => {
    expect(findUtterances(new Float32Array(RATE * 2), RATE)).toEqual([]);
    expect(findUtterances(bursts(3, []), RATE)).toEqual([]);
    expect(findUtterances(bursts(3, [0], 3), RATE)).toEqual([]);
  });

  test('clip starts: centred on each utterance, kept inside the file, long ones split', () => {
    const segs = [
      { start: 100, end: 900, centre: 500 },
      { start: 20000, end: 24000, centre: 22000 },
      { start: 40000, end: 75000, centre: 57000 }
    ];
    // Clip length 16000 in an 80000-sample file.
    expect(clipStarts(segs, 16000, 80000)).toEqual([0, 14000, 33500, 49500, 64000]);
  });
});

describe('levelMeter', () => {
  test('a 0.5-amplitude sine reads −9.03 dBFS RMS and −6.02 dBFS peak; silence reads the floor', () => {
    const sine = Float32Array.from(
      { length: 4096 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * i) / 64)
    );
    const m = levelMeter(sine);
    expect(m.rmsDb).toBeCloseTo(-9.03, 2);
    expect(m.peakDb).toBeCloseTo(-6.02, 2);
    expect(levelMeter(new Float32Array(512))).toEqual({ rmsDb: -120, peakDb: -120 });
  });
});
