/**
 * What is not independent: clips of one file, copies and same-take twins (from the checks),
 * Speech Commands speakers across classes, camera bursts (app-named frames saved together and
 * showing one scene, files named as frames of a numbered burst), near-copy pictures (measured on
 * drawn webcam scenes); and when a whole dataset is one session, or its pictures few scenes. Also
 * the balanced accuracy of a known confusion.
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import { decodeImage, imageFeatures, type ImageSettings } from '../features/image';
import type { LogMelSettings } from '../features/logmel';
import {
  jpegOf,
  photograph,
  type Scene,
  type SceneObject,
  type Shot
} from '../../test/fixtures/scenes';
import { balancedAccuracy } from './fit';
import {
  BURST_GAP_MS,
  burstOf,
  frameNumber,
  independentGroups,
  NEAR_COPY_DISTANCE,
  nearCopyPairs,
  ONE_SESSION_MS,
  oneSessionEvidence,
  oneSessionText,
  SAME_BACKGROUND,
  speakerOf
} from './groups';
import type { RawItem, ScannedDataset } from './scan';
import { backgroundDistance, pictureDistance, picturePrint } from './similarity';

const AUDIO = { kind: 'logmel' } as LogMelSettings;
const IMAGE: ImageSettings = { kind: 'image', width: 32, height: 32, channels: 3 };

/** The features of a drawn w × h photograph (lossless, as from a PNG). */
function features(scene: Scene, shot: Shot = {}, w = 160, h = 120): Float32Array {
  const rgb = photograph(scene, shot, w, h);
  return imageFeatures({ width: w, height: h, rgb: Float32Array.from(rgb, (v) => v / 255) }, IMAGE);
}

/** The same photograph as a JPEG at quality 75, decoded. */
function viaJpeg(scene: Scene, shot: Shot = {}, w = 160, h = 120): Float32Array {
  return imageFeatures(decodeImage(jpegOf(photograph(scene, shot, w, h), w, h)), IMAGE);
}

const ball = (x: number, y = 0.5): SceneObject => ({
  kind: 'disk',
  colour: [235, 235, 235],
  x,
  y,
  size: 0.18
});

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

describe('names', () => {
  test('Speech Commands speakers and app-named frames', () => {
    expect(speakerOf('/data/yes/0a7c2a8d_nohash_0.wav')).toBe('0a7c2a8d');
    expect(speakerOf('right\\c1d39ce8_nohash_12.wav')).toBe('c1d39ce8');
    expect(speakerOf('yes 1.wav')).toBeUndefined();
    expect(frameNumber('/p/mug/mug 12.png', 'mug')).toBe(12);
    expect(frameNumber('/p/mug/cup 12.png', 'mug')).toBeUndefined();
  });

  test("burst numbers in file names: another app's, a phone's; a frame number alone is no burst", () => {
    expect(burstOf('/p/mug/burst-3-017.png')).toBe('3');
    expect(burstOf('mug/Burst 12 (4).jpg')).toBe('12');
    expect(burstOf('cat burst2_05.jpeg')).toBe('2');
    expect(burstOf('00012IMG_00012_BURST20240101120000123.jpg')).toBe('20240101120000123');
    expect(burstOf('00000IMG_00000_BURST20240101120000123_COVER.jpg')).toBe('20240101120000123');
    expect(burstOf('burst-017.png')).toBeUndefined();
    expect(burstOf('bursting 3.png')).toBeUndefined();
    expect(burstOf('mug 3.png')).toBeUndefined();
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

  test('app-named frames saved within a burst join; a frame saved later, renumbered, or of another scene does not', () => {
    const t0 = 1_700_000_000_000;
    // A burst: the ball rolls a little from frame to frame at place 1; frame 4 is at place 2.
    const frame = (n: number, t: number, place = 1): RawItem => ({
      label: 0,
      file: `/p/mug/mug ${n}.png`,
      modifiedMs: t,
      features: features({ background: place, object: ball(0.3 + 0.05 * n) }, { seed: n })
    });
    const items = [
      frame(1, t0),
      frame(2, t0 + 150),
      frame(3, t0 + 300),
      frame(4, t0 + 300 + BURST_GAP_MS + 1),
      frame(6, t0 + 300 + BURST_GAP_MS + 100),
      frame(7, t0 + 300 + BURST_GAP_MS + 200, 2)
    ];
    const g = independentGroups(dataset(['mug'], items), NO_REPEATS, IMAGE);
    expect(Array.from(g.group)).toEqual([0, 0, 0, 1, 2, 3]);
    expect(g.joined).toEqual({ burst: 2 });
  });

  test('a copied project (every file written within a second): bursts at other places stay apart', () => {
    const t0 = 1_700_000_000_000;
    const items: RawItem[] = [];
    for (let burst = 0; burst < 3; burst++)
      for (let k = 0; k < 4; k++) {
        const n = burst * 4 + k + 1;
        items.push({
          label: 0,
          file: `/copy/mug/mug ${n}.png`,
          modifiedMs: t0 + 10 * n,
          features: features(
            { background: 10 + burst, object: ball(0.3 + 0.04 * k, 0.4 + 0.1 * burst) },
            { seed: n, dx: k }
          )
        });
      }
    const g = independentGroups(dataset(['mug'], items), NO_REPEATS, IMAGE);
    expect(g.count).toBe(3);
    expect(Array.from(g.group)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  test('frames named as one burst by another app or a phone join, whatever their times; other bursts do not', () => {
    const items: RawItem[] = ['burst-1-001', 'burst-1-002', 'burst-2-001', 'burst-017'].map(
      (name, i) => ({
        label: 0,
        file: `/p/mug/${name}.png`,
        // Four places: not near copies of each other.
        features: features({ background: 20 + i, object: ball(0.5) })
      })
    );
    items.push({ ...items[0], label: 1, file: '/p/cat/burst-1-003.png' });
    const g = independentGroups(dataset(['mug', 'cat'], items), NO_REPEATS, IMAGE);
    expect(Array.from(g.group)).toEqual([0, 0, 1, 2, 3]);
    expect(g.joined).toEqual({ burst: 1 });
  });

  test(`near copies, measured on drawn 320×240 scenes: re-encoded, moved, ±5 % exposure stay within ${NEAR_COPY_DISTANCE}; another object or place does not`, () => {
    const rng = createRng(21);
    const kinds = ['disk', 'box', 'triangle', 'ring'] as const;
    const colours: [number, number, number][] = [
      [200, 40, 40],
      [40, 90, 210],
      [240, 210, 50],
      [30, 160, 70]
    ];
    const near: number[] = [];
    const apart: number[] = [];
    for (let s = 0; s < 4; s++) {
      const object: SceneObject = {
        kind: kinds[s],
        colour: colours[s],
        x: 0.35 + 0.3 * rng.next(),
        y: 0.35 + 0.3 * rng.next(),
        size: 0.12 + 0.1 * rng.next()
      };
      const scene: Scene = { background: 40 + s, object };
      const take = (sc: Scene, shot: Shot) => features(sc, { seed: 1, ...shot }, 320, 240);
      const frame = take(scene, {});
      const variants = [
        take(scene, { seed: 2 }), // the same still scene, new sensor noise
        viaJpeg(scene, { seed: 1 }, 320, 240), // the frame re-encoded
        take(scene, { dx: 1, seed: 2 }), // the camera moved by 1 px
        take(scene, { dx: 3, dy: -2, seed: 2 }), // by 4 px
        take(scene, { dx: 10, seed: 2 }), // by 1 px of the 32×32 features
        take(scene, { gain: 1.05, seed: 2 }), // 5 % brighter
        take(scene, { gain: 0.95, seed: 2 }) // 5 % darker
      ];
      const others = [
        take(
          {
            ...scene,
            object: { ...object, kind: kinds[(s + 1) % 4], colour: colours[(s + 2) % 4] }
          },
          { seed: 2 }
        ),
        take({ ...scene, object: { ...object, colour: colours[(s + 1) % 4] } }, { seed: 2 }),
        take({ ...scene, background: 60 + s }, { seed: 2 }), // another place
        take({ background: scene.background }, { seed: 2 }) // the empty scene
      ];
      const print = (f: Float32Array) => picturePrint(f, 32, 32, 3);
      for (const v of variants) near.push(pictureDistance(print(frame), print(v)));
      for (const o of others) apart.push(pictureDistance(print(frame), print(o)));
      // As pairs: the frame and its variants join, the others join nothing.
      const items = [frame, ...variants, ...others].map((f, i) => ({
        label: 0,
        file: `f${i}.png`,
        features: f
      }));
      const joined = nearCopyPairs(items, IMAGE).flat();
      expect(new Set(joined)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    }
    expect(Math.max(...near)).toBeLessThanOrEqual(NEAR_COPY_DISTANCE);
    expect(Math.min(...apart)).toBeGreaterThan(NEAR_COPY_DISTANCE);
  }, 60_000);

  test('plain fields of one colour are not near copies of each other, whatever their noise', () => {
    const field = (seed: number) => {
      const rng = createRng(seed);
      return Float32Array.from(
        { length: 32 * 32 * 3 },
        (_, i) => ([40, 70, 200][i % 3] + 30 * (rng.next() - 0.5)) / 255
      );
    };
    const items = [1, 2, 3].map((s) => ({ label: 0, file: `b${s}.png`, features: field(s) }));
    expect(nearCopyPairs(items, IMAGE)).toEqual([]);
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

describe('few scenes (pictures)', () => {
  const t0 = 1_700_000_000_000;
  const HOUR = 3_600_000;
  /**
   * App-named bursts of 4 frames, `hours` apart: burst b of class c at place `placeOf(c, b)`, the
   * object at its own height per burst.
   */
  function bursts(classes: string[], count: number, placeOf: (c: number, b: number) => number) {
    const items: RawItem[] = [];
    classes.forEach((name, c) => {
      for (let b = 0; b < count; b++)
        for (let k = 0; k < 4; k++) {
          const object = {
            ...ball(0.35 + 0.05 * k, 0.3 + 0.2 * b),
            kind: c ? 'box' : 'disk'
          } as const;
          items.push({
            label: c,
            file: `/p/${name}/${name} ${b * 4 + k + 1}.png`,
            modifiedMs: t0 + (c * count + b) * HOUR + 150 * k,
            features: features({ background: placeOf(c, b), object }, { seed: 100 * b + k })
          });
        }
    });
    return dataset(classes, items);
  }
  const evidence = (d: ScannedDataset) =>
    oneSessionEvidence(d, independentGroups(d, NO_REPEATS, IMAGE));

  test('one burst per class, hours apart: the pictures show few scenes, said as what it is', () => {
    const e = evidence(bursts(['mug', 'cat'], 1, (c) => 70 + c));
    expect(e).toBe('the 8 pictures are one burst or set of near copies per class');
    expect(oneSessionText(e!, false, 'add pictures taken elsewhere')).toBe(
      "the pictures show few scenes (the 8 pictures are one burst or set of near copies per class): this estimate can't tell how the model does on other backgrounds, places or light — add pictures taken elsewhere"
    );
  });

  test('bursts hours apart but all in front of one background: said; at other places: nothing to say', () => {
    expect(evidence(bursts(['mug', 'cat'], 3, () => 80))).toBe(
      'all 24 pictures show the same background'
    );
    expect(evidence(bursts(['mug', 'cat'], 3, (c, b) => 90 + 3 * c + b))).toBeUndefined();
  });

  test(`one background, measured: another object or the object elsewhere stays within ${SAME_BACKGROUND}; another place does not`, () => {
    const same: number[] = [];
    const other: number[] = [];
    const print = (f: Float32Array) => picturePrint(f, 32, 32, 3);
    for (let s = 0; s < 6; s++) {
      const here = print(features({ background: 110 + s, object: ball(0.4) }, { seed: 1 }));
      const kinds = ['box', 'triangle', 'ring'] as const;
      const elsewhere = [
        { background: 110 + s, object: { ...ball(0.6, 0.4), kind: kinds[s % 3] } },
        { background: 110 + s, object: ball(0.3, 0.6) },
        { background: 110 + s }
      ];
      for (const scene of elsewhere)
        same.push(backgroundDistance(here, print(features(scene, { seed: 2, dx: 2 }))));
      other.push(
        backgroundDistance(
          here,
          print(features({ background: 130 + s, object: ball(0.4) }, { seed: 2 }))
        )
      );
    }
    expect(Math.max(...same)).toBeLessThanOrEqual(SAME_BACKGROUND);
    expect(Math.min(...other)).toBeGreaterThan(SAME_BACKGROUND);
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
