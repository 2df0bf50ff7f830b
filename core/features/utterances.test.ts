/**
 * Utterance finding and the level meter on signals whose answer is known: bursts separated by
 * silence are counted, short pauses inside a word don't split it, steady sound has no utterances,
 * clips are centred on their utterance (a slow word of up to two clips too, a longer sound split and
 * marked), and levels are the textbook dBFS of a sine.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import { levelMeter } from './level';
import {
  clipPlaces,
  clipStarts,
  findUtterances,
  LONGEST_WORD_CLIPS,
  MAX_RANGE_DB,
  MERGE_GAP_SECONDS
} from './utterances';

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

  test(`a word's tail 70 dB down is not sound, over digital zeros or dither alike (floor ≥ top − ${MAX_RANGE_DB} dB)`, () => {
    // 3 tone bursts of 0.4 s, each fading out exponentially (−20 dB per 50 ms) into exact zeros,
    // then the same with −100 dBFS noise added, as a dithered 16-bit copy has.
    const clean = new Float32Array(4 * RATE);
    for (const s of [0.5, 1.7, 2.9]) {
      for (let i = 0; i < 0.8 * RATE; i++) {
        const t = i / RATE;
        const env = t < 0.4 ? 1 : 10 ** ((-20 * (t - 0.4)) / 0.05 / 20);
        clean[Math.round(s * RATE) + i] = 0.3 * env * Math.sin(2 * Math.PI * 300 * t);
      }
    }
    const rng = createRng(9);
    const dithered = clean.map((v) => v + 1e-5 * (rng.next() - rng.next()));
    const a = findUtterances(clean, RATE);
    const b = findUtterances(dithered, RATE);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    a.forEach((seg, i) => {
      expect(Math.abs(seg.end - b[i].end) / RATE).toBeLessThan(0.02);
      // The audible part: the burst and its first ~100 ms of fade, not 400 ms of inaudible tail.
      expect(seg.end / RATE - [0.5, 1.7, 2.9][i]).toBeLessThan(0.6);
    });
  });

  test('a burst sounding at the first or last sample is cut by the edge; a whole one or a faint tail is not', () => {
    const x = bursts(4, [0, 1.5, 3.7], 0.3); // the last one runs to the end
    const segs = findUtterances(x, RATE);
    expect(segs.map((s) => s.cut)).toEqual(['start', undefined, 'end']);
    // A word whose fading tail (35 dB down at the end) is still sounding at the last sample: the
    // word itself was whole, so it is not marked.
    const y = bursts(4, [0.5, 1.5], 0.3);
    for (let i = Math.round(3.45 * RATE); i < y.length; i++) {
      const t = i / RATE - 3.45;
      const env = t < 0.3 ? 1 : 10 ** ((-35 * (t - 0.3)) / 0.25 / 20);
      y[i] += 0.3 * env * Math.sin(2 * Math.PI * 300 * t);
    }
    const tail = findUtterances(y, RATE);
    expect(tail.at(-1)!.end).toBe(y.length);
    expect(tail.map((s) => s.cut)).toEqual([undefined, undefined, undefined]);
    // One sound through the whole recording is cut at both ends; split into clips, only the first
    // and last carry it.
    const long = [{ start: 0, end: 40000, centre: 20000, cut: 'both' as const }];
    expect(clipPlaces(long, 16000, 40000).map((p) => p.cut)).toEqual(['start', undefined, 'end']);
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

describe(`a sound of 1–${LONGEST_WORD_CLIPS} clips is one word`, () => {
  test('3 slow words of 1.6 s: 3 clips, each centred on its word; a 2.6 s sound: 3 clips, each marked', () => {
    const x = bursts(13, [0.5, 3, 5.5], 1.6);
    for (let i = 8.5 * RATE; i < 11.1 * RATE; i++)
      x[i] += 0.3 * Math.sin((2 * Math.PI * 200 * i) / RATE);
    const segs = findUtterances(x, RATE);
    expect(segs).toHaveLength(4);
    const places = clipPlaces(segs, RATE, x.length);
    expect(places).toHaveLength(6);
    [0.5, 3, 5.5].forEach((s, i) => {
      // The 1 s window over the middle of the word, not its first and second halves.
      expect(Math.abs(places[i].start / RATE - (s + 0.3))).toBeLessThan(0.04);
      expect(places[i].longSound).toBeUndefined();
    });
    const long = places.slice(3);
    expect(long.map((p) => p.longSound?.clips)).toEqual([3, 3, 3]);
    expect(Math.abs(long[0].longSound!.start / RATE - 8.5)).toBeLessThan(0.04);
    expect(Math.abs(long[0].longSound!.end / RATE - 11.1)).toBeLessThan(0.06);
    // Consecutive pieces covering the sound, centred on it.
    expect(long.map((p) => p.start)).toEqual([0, 1, 2].map((k) => long[0].start + k * RATE));
  });

  test(`the boundary: ${LONGEST_WORD_CLIPS} clips is one clip, a sample more is split`, () => {
    const seg = (end: number) => [{ start: 8000, end, centre: (8000 + end) / 2 }];
    const word = clipPlaces(seg(8000 + 2 * RATE), RATE, 5 * RATE);
    expect(word).toEqual([{ start: RATE }]);
    const longer = clipPlaces(seg(8000 + 2 * RATE + 1), RATE, 5 * RATE);
    expect(longer).toHaveLength(3);
    expect(longer.every((p) => p.longSound?.clips === 3)).toBe(true);
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
