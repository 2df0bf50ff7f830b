/**
 * What is not independent: clips of one file, copies and same-take twins (from the checks),
 * Speech Commands speakers across classes, app-named burst frames saved together, near-copy
 * pictures; and when a whole dataset is one session. Also the balanced accuracy of a known
 * confusion.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import type { ImageSettings } from '../features/image';
import type { LogMelSettings } from '../features/logmel';
import { balancedAccuracy } from './fit';
import {
  BURST_GAP_MS,
  frameNumber,
  independentGroups,
  NEAR_COPY,
  nearCopyPairs,
  ONE_SESSION_MS,
  oneSessionEvidence,
  oneSessionText,
  speakerOf
} from './groups';
import type { RawItem, ScannedDataset } from './scan';

const AUDIO = { kind: 'logmel' } as LogMelSettings;
const IMAGE = { kind: 'image', channels: 3 } as ImageSettings;

function dataset(labels: string[], items: RawItem[], backgroundLabel?: number): ScannedDataset {
  const counts = labels.map((_, c) => items.filter((it) => it.label === c).length);
  return {
    labels,
    items,
    problems: [],
    ignored: [],
    notes: [],
    counts,
    background: [],
    backgroundLabel
  };
}

const NO_REPEATS = { copies: [], sameTake: [] };
const clip = (label: number, file: string, extra: Partial<RawItem> = {}): RawItem => ({
  label,
  file,
  samples: new Float32Array(4),
  ...extra
});

/** A 32×32 RGB scene: a yellow box of side 10 at (x, y) on red, with uniform noise of ±noise levels. */
function scene(x: number, y: number, noise: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(32 * 32 * 3);
  for (let r = 0; r < 32; r++)
    for (let c = 0; c < 32; c++) {
      const box = c >= x && c < x + 10 && r >= y && r < y + 10;
      const rgb = box ? [235, 215, 40] : [200, 45, 40];
      for (let k = 0; k < 3; k++)
        out[(r * 32 + c) * 3 + k] = (rgb[k] + (2 * rng.next() - 1) * noise) / 255;
    }
  return out;
}

describe('names', () => {
  test('Speech Commands speakers and app-named frames', () => {
    expect(speakerOf('/data/yes/0a7c2a8d_nohash_0.wav')).toBe('0a7c2a8d');
    expect(speakerOf('right\\c1d39ce8_nohash_12.wav')).toBe('c1d39ce8');
    expect(speakerOf('yes 1.wav')).toBeUndefined();
    expect(frameNumber('/p/mug/mug 12.png', 'mug')).toBe(12);
    expect(frameNumber('/p/mug/cup 12.png', 'mug')).toBeUndefined();
  });
});

describe('independent groups', () => {
  test('one file, exact copies, same takes and one speaker (across classes) join; others stay apart', () => {
    const items = [
      clip(0, 'yes/take.wav', { at: 0 }),
      clip(0, 'yes/take.wav', { at: 1 }),
      clip(0, 'yes/a.wav'),
      clip(0, 'yes/a copy.wav'),
      clip(0, 'yes/b.wav'),
      clip(0, 'yes/b again.wav'),
      clip(0, 'yes/0a7c2a8d_nohash_0.wav'),
      clip(1, 'no/0a7c2a8d_nohash_0.wav'),
      clip(1, 'no/c1d39ce8_nohash_0.wav'),
      clip(1, 'no/lone.wav')
    ];
    const g = independentGroups(
      dataset(['yes', 'no'], items),
      { copies: [[2, 3]], sameTake: [[4, 5]] },
      AUDIO
    );
    const same = (a: number, b: number) => g.group[a] === g.group[b];
    expect(same(0, 1) && same(2, 3) && same(4, 5) && same(6, 7)).toBe(true);
    expect(same(0, 2) || same(2, 4) || same(7, 8) || same(8, 9)).toBe(false);
    expect(g.count).toBe(6);
    expect(g.joined).toEqual({ file: 1, copy: 1, 'same-take': 1, speaker: 1 });
    expect(g.speakers).toBe(2);
  });

  test('app-named frames saved within a burst join; a frame saved later, or renumbered, does not', () => {
    const t0 = 1_700_000_000_000;
    const frame = (n: number, t: number): RawItem => ({
      label: 0,
      file: `/p/mug/mug ${n}.png`,
      modifiedMs: t,
      // Different scenes, so near copies play no part here.
      features: scene((n * 7) % 22, (n * 5) % 22, 0, n)
    });
    const items = [
      frame(1, t0),
      frame(2, t0 + 150),
      frame(3, t0 + 300),
      frame(4, t0 + 300 + BURST_GAP_MS + 1)
    ];
    const g = independentGroups(dataset(['mug'], items), NO_REPEATS, IMAGE);
    expect(Array.from(g.group)).toEqual([0, 0, 0, 1]);
    expect(g.joined).toEqual({ burst: 2 });
  });

  test(`near copies: one scene with camera noise correlates ≥ ${NEAR_COPY}; the object moved by 1 px does not`, () => {
    // ±4 levels: ±15 in a 160×120 frame after the area-averaging resize to 32×32.
    const still = [1, 2, 3].map((s) => scene(10, 10, 4, s));
    const moved = scene(11, 10, 4, 4);
    const other = scene(20, 18, 4, 5);
    const items = [...still, moved, other].map((features, i) => ({
      label: 0,
      file: `f${i}.png`,
      features
    }));
    expect(nearCopyPairs(items, 3)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2]
    ]);
  });

  test('plain fields of one colour are not near copies of each other, whatever their noise', () => {
    const field = (seed: number) => {
      const rng = createRng(seed);
      return Float32Array.from(
        { length: 32 * 32 * 3 },
        (_, i) => ([40, 70, 200][i % 3] + 30 * (rng.next() - 0.5)) / 255
      );
    };
    const items = [1, 2, 3].map((s) => ({ label: 0, file: `b${s}.png`, features: field(s) }));
    expect(nearCopyPairs(items, 3)).toEqual([]);
  });
});

describe('one session', () => {
  const t0 = 1_700_000_000_000;
  test('every file (background aside) saved within minutes: one session, said as what it is', () => {
    const items = [
      clip(0, 'yes/yes 1.wav', { modifiedMs: t0 }),
      clip(0, 'yes/yes 2.wav', { modifiedMs: t0 + 60_000 }),
      clip(1, 'no/no 1.wav', { modifiedMs: t0 + 170_000 }),
      clip(2, 'background/room.wav', { modifiedMs: t0 - 86_400_000 })
    ];
    const evidence = oneSessionEvidence(dataset(['yes', 'no', 'background'], items, 2), {
      speakers: 0
    });
    expect(evidence).toBe('all 3 clips were saved within 3 minutes');
    expect(oneSessionText(evidence!, true, 'try Test on a recording')).toBe(
      "all clips come from one session (all 3 clips were saved within 3 minutes): this estimate can't tell how it does on another day, room or voice — try Test on a recording"
    );
  });

  test("a base's automatic clips (no write times, many names) don't hide one session", () => {
    const items = [
      clip(0, 'yes/yes 1.wav', { modifiedMs: t0 }),
      clip(1, 'no/no 1.wav', { modifiedMs: t0 + 30_000 }),
      ...[1, 2, 3, 4, 5].map((n) =>
        clip(2, `other sounds/word ${n}`, { automatic: true, samples: new Float32Array(4) })
      )
    ];
    expect(oneSessionEvidence(dataset(['yes', 'no', 'other sounds'], items), { speakers: 0 })).toBe(
      'all 2 clips were saved within 1 minute'
    );
  });

  test('files saved on different days, or several speakers, are not one session', () => {
    const days = [
      clip(0, 'yes/yes 1.wav', { modifiedMs: t0 }),
      clip(1, 'no/no 1.wav', { modifiedMs: t0 + ONE_SESSION_MS + 1 })
    ];
    expect(oneSessionEvidence(dataset(['yes', 'no'], days), { speakers: 0 })).toBeUndefined();
    const now = days.map((it) => ({ ...it, modifiedMs: t0 }));
    expect(oneSessionEvidence(dataset(['yes', 'no'], now), { speakers: 2 })).toBeUndefined();
  });

  test('every class cut from a take or two (no write times known): one session', () => {
    const items = [0, 1, 2, 3].map((k) => clip(0, 'yes/take.wav', { at: k }));
    items.push(...[0, 1, 2].map((k) => clip(1, 'no/take.wav', { at: k })));
    expect(oneSessionEvidence(dataset(['yes', 'no'], items), { speakers: 0 })).toBe(
      'all 7 clips were cut from 2 recordings'
    );
    const many = [0, 1, 2].map((k) => clip(0, `yes/${k}.wav`)).concat(items.slice(4));
    expect(oneSessionEvidence(dataset(['yes', 'no'], many), { speakers: 0 })).toBeUndefined();
  });
});

test('balanced accuracy is the mean recall per class: 90 of 100 and 1 of 10 give 50 %, not 82.7 %', () => {
  const confusion = [
    [90, 10, 0],
    [9, 1, 0],
    [0, 0, 0]
  ];
  expect(balancedAccuracy(confusion)).toBeCloseTo((0.9 + 0.1) / 2, 12);
  expect(balancedAccuracy([[0]])).toBe(0);
});
