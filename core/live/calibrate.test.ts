/**
 * The threshold rules of core/live/calibrate.ts on synthetic probabilities whose right answer is
 * known: the held-out rule's operating point, its clamps and fallbacks, and the recording sweep's
 * thresholds, averaging and false-alarm budget (checked against the live path's own detector).
 */
import { describe, expect, test } from 'vitest';
import { createRng } from '../util/rng';
import {
  calibrateOnRecording,
  detectOnWindows,
  HELD_OUT_RULE,
  thresholdsFromHeldOut,
  type RecordingWindows
} from './calibrate';
import { defaultLiveSettings, type LiveSettings } from './detector';
import { scoreDetections, type LabelledEvent } from './score';

/** Held-out predictions from rows of probabilities and their labels. */
function heldOut(rows: number[][], labels: number[]) {
  return {
    probabilities: Float32Array.from(rows.flat()),
    labels: Int32Array.from(labels),
    classes: rows[0].length
  };
}

/** `n` clips of class `c` of 3, with probability `p` for it and the rest split evenly. */
const clips = (c: number, p: number, n: number): [number[][], number[]] => [
  Array.from({ length: n }, () => [0, 1, 2].map((j) => (j === c ? p : (1 - p) / 2))),
  Array.from({ length: n }, () => c)
];

function join(...parts: [number[][], number[]][]): ReturnType<typeof heldOut> {
  return heldOut(
    parts.flatMap((p) => p[0]),
    parts.flatMap((p) => p[1])
  );
}

describe('thresholdsFromHeldOut', () => {
  test('the lowest whole percent above the (⌊α·n⌋ + 1)-th highest score of other classes', () => {
    // Class 1: 20 own clips at 0.9. Its negatives: 20 background and 20 of class 2 (40; α = 5 %
    // allows 2), three of which have class 1 on top at 0.85, 0.80 and 0.705: the third must not
    // trigger, so the threshold is 71 %.
    const p = join(clips(1, 0.9, 20), clips(0, 0.9, 20), clips(2, 0.9, 17), [
      [
        [0.05, 0.85, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.705, 0.195]
      ],
      [2, 2, 2]
    ]);
    // The rule's own floor (60 %) lowered, so that the operating point shows unclamped.
    const r = thresholdsFromHeldOut(p, [0], '5-fold cross-validation', {
      ...HELD_OUT_RULE,
      min: 0.5
    });
    expect(r.thresholds[1]).toBe(0.71);
    expect(r.perClass[1]).toMatchObject({
      how: 'rule',
      positives: 20,
      negatives: 40,
      recall: 1,
      falsePositiveRate: 2 / 40
    });
    expect(r.average).toBe(1);
    expect(r.basis).toMatch(
      /^chosen from the estimate's 60 held-out clips \(5-fold cross-validation\)/
    );
    expect(r.basis).toContain('at most 5 % of the other classes');
  });

  test('a clip whose top class is another never triggers, however high its score', () => {
    // 45 % for class 1 but 55 % for class 2: the detector would announce 2, not 1.
    const near: [number[][], number[]] = [
      Array.from({ length: 10 }, () => [0, 0.45, 0.55]),
      Array(10).fill(2)
    ];
    const r = thresholdsFromHeldOut(
      join(clips(1, 0.9, 10), clips(0, 0.9, 10), near),
      [0],
      undefined,
      {
        ...HELD_OUT_RULE,
        min: 0
      }
    );
    // No other class's clip has class 1 on top: any threshold keeps them out; the lowest is 0.
    expect(r.thresholds[1]).toBe(0);
    expect(r.perClass[1].falsePositiveRate).toBe(0);
  });

  test('clamped to [60 %, 95 %]: perfect separation, and confusion no threshold avoids', () => {
    const clean = thresholdsFromHeldOut(
      join(clips(0, 0.9, 10), clips(1, 0.9, 10), clips(2, 0.9, 10)),
      [0]
    );
    expect(clean.thresholds).toEqual([0.75, 0.6, 0.6]);
    expect(clean.perClass.map((c) => c.how)).toEqual(['background', 'clamped', 'clamped']);
    // Class 2's clips are class 1 at 99 % (a swapped label): the operating point would be 100 %.
    const swapped = thresholdsFromHeldOut(
      join(clips(0, 0.9, 10), clips(1, 0.9, 10), [
        [...Array(10)].map(() => [0, 0.99, 0.01]),
        Array(10).fill(2)
      ]),
      [0]
    );
    expect(swapped.thresholds[1]).toBe(0.95);
    expect(swapped.perClass[1].how).toBe('clamped');
    expect(swapped.perClass[1].falsePositiveRate).toBe(10 / 20);
    // Class 2 itself is never anyone's top class: its own recall at the threshold is 0.
    expect(swapped.perClass[2].recall).toBe(0);
  });

  test('too few clips of a class, or of the others: the default, and the basis says so', () => {
    const r = thresholdsFromHeldOut(
      join(clips(0, 0.9, 10), clips(1, 0.9, 10), clips(2, 0.9, 4)),
      [0]
    );
    expect(r.thresholds[2]).toBe(0.75);
    expect(r.perClass[2].how).toBe('few-clips');
    expect(r.perClass[1].how).not.toBe('few-clips');
    expect(r.basis).toContain('1 class with fewer than 5 clips keeps 75 %');
    // No background class: every class is calibrated.
    const all = thresholdsFromHeldOut(
      join(clips(0, 0.9, 10), clips(1, 0.9, 10), clips(2, 0.9, 10)),
      []
    );
    expect(all.perClass[0].how).not.toBe('background');
  });

  test('shapes that disagree are refused', () => {
    expect(() =>
      thresholdsFromHeldOut(
        { probabilities: new Float32Array(5), labels: new Int32Array(2), classes: 3 },
        []
      )
    ).toThrow(RangeError);
  });
});

const LABELS = ['background', 'yes', 'no'];
const HOP = 0.5;

/** Windows every 0.5 s (ending at 1, 1.5, …) with probabilities of yes and no; the rest background. */
function windows(yesNo: [number, number][]): RecordingWindows {
  return {
    labels: LABELS,
    seconds: 1 + HOP * yesNo.length,
    times: yesNo.map((_, i) => 1 + HOP * i),
    probabilities: yesNo.map(([y, n]) => [1 - y - n, y, n]),
    silence: yesNo.map(() => false)
  };
}

const settings = (): LiveSettings => defaultLiveSettings(LABELS, (l) => l === 'background');
const event = (start: number, label: string, line = 1): LabelledEvent => ({
  start,
  end: start + 0.4,
  label,
  line
});
const quiet: [number, number] = [0.02, 0.02];

describe('calibrateOnRecording', () => {
  test('the threshold goes between the false alarm and the words, at the middle of that gap', () => {
    // "yes" heard at 0.9 at 2 s and 6 s; a sound that is not a word reaches 0.8 at 4 s.
    const probs = Array.from({ length: 12 }, (_, i): [number, number] =>
      i === 2 || i === 10 ? [0.9, 0.05] : i === 6 ? [0.8, 0.05] : quiet
    );
    const w = windows(probs);
    const events = [event(1.8, 'yes', 1), event(5.8, 'yes', 2)];
    const r = calibrateOnRecording(w, events, settings(), { maxFalseAlarmsPerHour: 0 });
    expect(r.allowedFalseAlarms).toBe(0);
    expect(r.before).toMatchObject({ hits: 2, falseAlarms: 1 });
    expect(r.after).toMatchObject({ hits: 2, falseAlarms: 0 });
    // 81 … 90 % all give 2 hits and no false alarm; the middle of that run is 85 % or 86 %.
    expect(r.settings.thresholds[1]).toBeGreaterThanOrEqual(0.85);
    expect(r.settings.thresholds[1]).toBeLessThanOrEqual(0.86);
    expect(r.settings.average).toBe(1);
    // No "no" event on the recording: "no" keeps its threshold (it raises no false alarm here).
    expect(r.settings.thresholds[2]).toBe(0.75);
    expect(r.basis).toMatch(/2 labelled events\) for the most hits at ≤ 0 false alarms per hour$/);
  });

  test('averaging is chosen when a steady word and a one-window spike need it', () => {
    // The word holds yes at 0.7 for two windows; a one-window spike reaches 0.72 elsewhere.
    const probs = Array.from({ length: 16 }, (_, i): [number, number] =>
      i === 3 || i === 4 ? [0.7, 0.05] : i === 11 ? [0.72, 0.05] : quiet
    );
    const r = calibrateOnRecording(windows(probs), [event(2.2, 'yes')], settings(), {
      maxFalseAlarmsPerHour: 0
    });
    expect(r.after).toMatchObject({ hits: 1, falseAlarms: 0 });
    expect(r.settings.average).toBe(2);
    // Without averaging no threshold hears the word without the spike: the settings stay.
    const one = calibrateOnRecording(windows(probs), [event(2.2, 'yes')], settings(), {
      maxFalseAlarmsPerHour: 0,
      averages: [1]
    });
    expect(one.after).toMatchObject({ hits: 0, falseAlarms: 0 });
    expect(one.settings.thresholds[1]).toBeGreaterThan(0.72);
  });

  test('a larger budget buys hits: the allowed false alarms are ⌊rate · hours⌋', () => {
    // A quiet "no" at 0.6 with a non-word at 0.65: hearing it costs one false alarm.
    const probs = Array.from({ length: 20 }, (_, i): [number, number] =>
      i === 4 ? [0.05, 0.6] : i === 14 ? [0.05, 0.65] : quiet
    );
    const w = windows(probs); // 11 s
    const strict = calibrateOnRecording(w, [event(2.7, 'no')], settings(), {
      maxFalseAlarmsPerHour: 300
    });
    expect(strict.allowedFalseAlarms).toBe(0);
    expect(strict.after.hits).toBe(0);
    const loose = calibrateOnRecording(w, [event(2.7, 'no')], settings(), {
      maxFalseAlarmsPerHour: 400
    });
    expect(loose.allowedFalseAlarms).toBe(1);
    expect(loose.after).toMatchObject({ hits: 1, falseAlarms: 1 });
    expect(loose.after.falseAlarmsPerHour).toBeLessThanOrEqual(400);
  });

  test('a class switched off and a recording too short for the rate are said, not left to find out', () => {
    // "no" heard at 0.9; something that is not a word reads "no" at 0.995, above every threshold.
    const probs = Array.from({ length: 20 }, (_, i): [number, number] =>
      i === 4 ? [0.02, 0.9] : i === 14 ? [0.002, 0.995] : quiet
    );
    const r = calibrateOnRecording(windows(probs), [event(2.7, 'no')], settings(), {
      maxFalseAlarmsPerHour: 20
    });
    expect(r.allowedFalseAlarms).toBe(0);
    expect(r.settings.thresholds[2]).toBe(1);
    expect(r.warnings).toEqual([
      'no will never be announced: none of its 1 labelled event can be heard within 20 false alarms per hour on this recording',
      'at 20 false alarms per hour this 11 s recording allows none at all; one of 180 s or more lets the rate allow one'
    ]);
    // A budget the recording can spend: no warning about its length.
    const long = calibrateOnRecording(windows(probs), [event(2.7, 'no')], settings(), {
      maxFalseAlarmsPerHour: 400
    });
    expect(long.warnings.some((x) => x.includes('allows none'))).toBe(false);
  });

  test('random recordings: never over the budget, never worse than settings already within it, and the figures are the detector’s', () => {
    const rng = createRng(3);
    for (let run = 0; run < 25; run++) {
      const n = 40 + Math.floor(rng.next() * 80);
      const probs = Array.from({ length: n }, (): [number, number] => {
        const y = rng.next() < 0.2 ? 0.4 + 0.6 * rng.next() : 0.1 * rng.next();
        const no = rng.next() < 0.2 ? (1 - y) * rng.next() : 0.05 * rng.next();
        return [y, Math.min(no, 1 - y)];
      });
      const w = windows(probs);
      w.silence = w.silence.map(() => rng.next() < 0.05);
      const events = Array.from({ length: 1 + Math.floor(rng.next() * 6) }, (_, j) =>
        event(1 + rng.next() * (w.seconds - 2), rng.next() < 0.5 ? 'yes' : 'no', j + 1)
      ).sort((a, b) => a.start - b.start);
      const current = { ...settings(), suppressionMs: [0, 500, 1000][run % 3] };
      const rate = [0, 500, 2000][run % 3];
      const r = calibrateOnRecording(w, events, current, { maxFalseAlarmsPerHour: rate });
      expect(r.after.falseAlarms).toBeLessThanOrEqual(r.allowedFalseAlarms);
      if (r.before.falseAlarms <= r.allowedFalseAlarms)
        expect(r.after.hits).toBeGreaterThanOrEqual(r.before.hits);
      const again = scoreDetections(detectOnWindows(w, r.settings), events, w.seconds);
      expect(again.hits).toBe(r.after.hits);
      expect(r.settings.overlap).toBe(current.overlap);
      expect(r.settings.suppressionMs).toBe(current.suppressionMs);
    }
  });

  test('a class without events keeps its threshold unless its false alarms break the budget', () => {
    // "no" reaches 0.8 once with no "no" event: at 75 % a false alarm, which a budget of 0 refuses.
    const probs = Array.from({ length: 12 }, (_, i): [number, number] =>
      i === 2 ? [0.9, 0.05] : i === 8 ? [0.05, 0.8] : quiet
    );
    const events = [event(1.8, 'yes')];
    const strict = calibrateOnRecording(windows(probs), events, settings(), {
      maxFalseAlarmsPerHour: 0
    });
    expect(strict.after).toMatchObject({ hits: 1, falseAlarms: 0 });
    expect(strict.settings.thresholds[2]).toBeGreaterThan(0.8);
    // A budget of one false alarm (7 s at 600 per hour ≈ 1.2) leaves it as it was.
    const loose = calibrateOnRecording(windows(probs), events, settings(), {
      maxFalseAlarmsPerHour: 600
    });
    expect(loose.settings.thresholds[2]).toBe(0.75);
  });

  test('events of background classes are left out; a rate that is not a number ≥ 0 is refused', () => {
    const w = windows(Array.from({ length: 8 }, () => quiet));
    const r = calibrateOnRecording(w, [event(1, 'background')], settings(), {
      maxFalseAlarmsPerHour: 5
    });
    expect(r.after.heard).toHaveLength(0);
    expect(() => calibrateOnRecording(w, [], settings(), { maxFalseAlarmsPerHour: -1 })).toThrow(
      /false-alarm rate must be a number ≥ 0/
    );
    expect(() => calibrateOnRecording(w, [], settings(), { maxFalseAlarmsPerHour: NaN })).toThrow(
      RangeError
    );
  });
});
