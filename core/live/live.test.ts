/**
 * The live path: detections from probabilities (thresholds per class, suppression, background
 * never announced, top class always reported), audio judged on a sample clock whatever the block
 * size, exactly the features the batch front end gives, a recording replayed and scored against
 * its labels, and the layer report's readable names and input-dependent values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runInt } from '../engine/engine';
import { LogMelFrontEnd, type LogMelSettings } from '../features/logmel';
import { decodeModel } from '../model-file/model-file';
import { createRng } from '../util/rng';
import { defaultLiveSettings, Detector, type DetectorSettings } from './detector';
import { LayerReport, layerTitles } from './layer-report';
import { LivePath } from './live-path';
import { replay } from './replay';
import { announcedEvents, LabelsError, parseLabels, scoreDetections } from './score';

const demo = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '../../models/demo-words.qnm')))
);

describe('Detector (speech-commands rules)', () => {
  const labels = ['background', 'no', 'yes'];
  const settings = (over: Partial<DetectorSettings> = {}): DetectorSettings => ({
    thresholds: [0.5, 0.8, 0.6],
    suppressionMs: 1000,
    average: 1,
    silent: [true, false, false],
    ...over
  });

  test('per-class thresholds gate detections only; the top class is always reported', () => {
    const d = new Detector(labels, settings());
    const below = d.step([0.1, 0.75, 0.15], 1);
    expect(below.top).toBe(1);
    expect(below.detection).toBeUndefined();
    const yes = d.step([0.1, 0.25, 0.65], 3);
    expect(yes.top).toBe(2);
    expect(yes.detection).toEqual({ time: 3, classIndex: 2, label: 'yes', probability: 0.65 });
  });

  test('a threshold of 100 % turns a class off, even at a probability of exactly 1', () => {
    const d = new Detector(labels, settings({ thresholds: [0.5, 0.8, 1] }));
    const sure = d.step([0, 0, 1], 1);
    expect(sure.top).toBe(2);
    expect(sure.detection).toBeUndefined();
    expect(d.step([0, 0.9, 0.1], 3).detection?.label).toBe('no');
  });

  test('the background class is never announced, however sure', () => {
    const d = new Detector(labels, settings());
    const s = d.step([0.99, 0.005, 0.005], 1);
    expect(s.top).toBe(0);
    expect(s.detection).toBeUndefined();
  });

  test('suppression 1000 ms: nothing for 1 s after a detection, of any class', () => {
    const d = new Detector(labels, settings());
    const times = [1, 1.5, 1.999, 2.0, 2.5, 3.5];
    const heard = times.map((t) => d.step([0, 0.1, 0.9], t).detection?.time);
    expect(heard).toEqual([1, undefined, undefined, 2.0, undefined, 3.5]);
    const other = new Detector(labels, settings());
    other.step([0, 0.1, 0.9], 1);
    expect(other.step([0, 0.9, 0.1], 1.5).detection).toBeUndefined();
    expect(other.step([0, 0.9, 0.1], 2.0).detection?.label).toBe('no');
  });

  test('averaging over 2 windows: one loud window alone is not enough', () => {
    const d = new Detector(labels, settings({ average: 2 }));
    expect(d.step([0.9, 0.05, 0.05], 0.5).detection).toBeUndefined();
    const s = d.step([0.1, 0.1, 0.8], 1);
    expect(s.averaged.map((v) => +v.toFixed(3))).toEqual([0.5, 0.075, 0.425]);
    expect(s.detection).toBeUndefined();
    expect(d.step([0.1, 0.1, 0.8], 1.5).detection?.label).toBe('yes');
  });

  test('a silent input is never a detection, however sure the model is', () => {
    const d = new Detector(labels, settings());
    const s = d.step([0, 0.1, 0.9], 1, true);
    expect(s.top).toBe(2);
    expect(s.detection).toBeUndefined();
    expect(d.step([0, 0.1, 0.9], 1.5).detection?.label).toBe('yes');
  });

  test("camera ('change'): a still object is announced once; again after another class or after it was absent", () => {
    const d = new Detector(labels, settings({ suppressionMs: 0 }), 'change');
    const mug = [0, 0.05, 0.95];
    const book = [0, 0.95, 0.05];
    const frames = [
      ...Array.from({ length: 20 }, () => mug), // 20 frames of the mug: 1 detection
      book, // the book: announced
      mug, // the mug again: announced
      [0, 0.3, 0.7], // less sure, still at its 0.6 threshold: still there, not new
      [0.9, 0.05, 0.05], // nothing but background: absent
      mug // back: announced
    ];
    const heard = frames.map((p, i) => d.step(p, i * 0.08).detection?.label ?? '');
    expect(heard.filter(Boolean)).toEqual(['yes', 'no', 'yes', 'yes']);
    expect(heard.indexOf('no')).toBe(20);
    // The same frames through the sound rule (speech-commands'): every frame is a detection.
    const sound = new Detector(labels, settings({ suppressionMs: 0 }));
    expect(frames.filter((p, i) => sound.step(p, i * 0.08).detection)).toHaveLength(24);
  });

  test('camera: a change inside the suppression time is announced when it ends', () => {
    const d = new Detector(labels, settings({ suppressionMs: 1000 }), 'change');
    expect(d.step([0, 0.05, 0.95], 0).detection?.label).toBe('yes');
    expect(d.step([0, 0.95, 0.05], 0.5).detection).toBeUndefined();
    expect(d.step([0, 0.95, 0.05], 1.0).detection?.label).toBe('no');
    expect(d.step([0, 0.95, 0.05], 2.0).detection).toBeUndefined();
  });

  test('defaults: 50 % overlap, 1000 ms, the background class silent', () => {
    const s = defaultLiveSettings(labels, (l) => l === 'background');
    expect(s).toMatchObject({ overlap: 0.5, suppressionMs: 1000, average: 1 });
    expect(s.silent).toEqual([true, false, false]);
    expect(s.thresholds).toEqual([0.75, 0.75, 0.75]);
  });
});

describe('LivePath on audio', () => {
  const rng = createRng(11);
  const sound = Float32Array.from({ length: 16000 * 4 }, (_, i) => {
    const t = i / 16000;
    return (
      0.2 * Math.sin(2 * Math.PI * (200 + 100 * t) * t) * (t % 1 < 0.4 ? 1 : 0.05) +
      0.01 * (rng.next() - 0.5)
    );
  });

  test('one window per hop at the same sample offsets, whatever the block size', () => {
    const runs = [128, 1000, 7777, sound.length].map((block) => {
      const path = new LivePath(demo);
      const steps = [];
      for (let at = 0; at < sound.length; at += block)
        steps.push(...path.audio(sound.subarray(at, at + block)));
      return steps;
    });
    // 50 % overlap: a window every 25 frames (0.5 s); the first ends after 49 frames.
    expect(runs[0].map((s) => +s.time.toFixed(3))).toEqual([
      0.992, 1.492, 1.992, 2.492, 2.992, 3.492, 3.992
    ]);
    for (const r of runs.slice(1)) {
      expect(r.map((s) => s.time)).toEqual(runs[0].map((s) => s.time));
      r.forEach((s, i) =>
        expect(Array.from(s.probabilities)).toEqual(Array.from(runs[0][i].probabilities))
      );
    }
  });

  test('each window is exactly the batch front end’s frames, run by the engine', () => {
    const path = new LivePath(demo, { overlap: 0.75 });
    const steps = path.audio(sound);
    const frames = new LogMelFrontEnd(demo.spec.features as unknown as LogMelSettings).frames(
      sound
    );
    const hop = path.hopFrames;
    expect(hop).toBe(13);
    steps.forEach((s, k) => {
      const window = frames.subarray(k * hop * 40, (k * hop + 49) * 40);
      expect(Array.from(s.features)).toEqual(Array.from(window));
      expect(Array.from(s.probabilities)).toEqual(
        Array.from(runInt(path.model, window).probabilities)
      );
    });
  });

  test('digital silence is "silent" and never a detection, even with every threshold at 0', () => {
    const n = demo.labels.length;
    const all = {
      thresholds: Array<number>(n).fill(0),
      silent: Array<boolean>(n).fill(false),
      suppressionMs: 0
    };
    const path = new LivePath(demo, all);
    const quiet = new Float32Array(16000 * 3);
    const steps = path.audio(quiet);
    expect(steps).toHaveLength(5);
    expect(steps.every((s) => s.silent && !s.detection)).toBe(true);
    // The same at −40 dBFS noise: heard, so every window is a detection at threshold 0.
    const noisy = new LivePath(demo, all);
    const r = createRng(3);
    const hiss = Float32Array.from(quiet, () => 0.01 * (r.next() - 0.5));
    const heard = noisy.audio(hiss);
    expect(heard.every((s) => !s.silent && s.detection)).toBe(true);
    // A word in the window's first half and silence after: still heard (the whole window counts).
    const mixed = new LivePath(demo, all);
    const word = Float32Array.from(quiet, (_, i) =>
      i >= 16000 && i < 20000 ? 0.3 * Math.sin(i / 5) : 0
    );
    const judged = mixed.audio(word).map((s) => [+s.time.toFixed(3), s.silent]);
    expect(judged).toEqual([
      [0.992, true],
      [1.492, false],
      [1.992, false],
      [2.492, true],
      [2.992, true]
    ]);
  });

  test('settings are checked; a new overlap takes effect from the next window', () => {
    expect(() => new LivePath(demo, { overlap: 1 })).toThrow(/overlap/);
    expect(() => new LivePath(demo, { thresholds: [0.5] })).toThrow(/one threshold/);
    const path = new LivePath(demo);
    path.audio(sound.subarray(0, 16000));
    path.settings = { ...path.settings, overlap: 0.9 };
    expect(path.hopSeconds).toBeCloseTo(0.1, 9);
    const later = path.audio(sound.subarray(16000, 32000));
    expect(later[1].time - later[0].time).toBeCloseTo(0.1, 9);
  });
});

describe('labels and scoring', () => {
  test('tab-separated lines, Audacity spectral lines and comments skipped; errors name the line', () => {
    const text = '# made by hand\n1.0\t1.5\tyes\n\\\t200\t3000\n\n3\t3.4\tno\r\n0.2 0.6 yes\n';
    expect(parseLabels(text, ['background', 'no', 'yes'])).toEqual([
      { start: 0.2, end: 0.6, label: 'yes', line: 6 },
      { start: 1, end: 1.5, label: 'yes', line: 2 },
      { start: 3, end: 3.4, label: 'no', line: 5 }
    ]);
    expect(() => parseLabels('1\t2\tmaybe', ['yes', 'no'])).toThrow(
      new LabelsError('line 1: class "maybe" is not one the model knows (yes, no)')
    );
    expect(() => parseLabels('yes\n2\t1\tyes', ['yes'])).toThrow(
      /line 1: expected start, end and class/
    );
    expect(() => parseLabels('2\t1\tyes', ['yes'])).toThrow(
      /line 1: start and end must be seconds/
    );
  });

  test('hits within the event or 0.5 s after, misses, false alarms per hour', () => {
    const events = parseLabels('1\t1.5\tyes\n4\t4.4\tno\n8\t8.5\tyes\n12\t12.4\tno', ['no', 'yes']);
    const at = (time: number, label: string) => ({ time, label, classIndex: 0, probability: 1 });
    const s = scoreDetections(
      [
        at(2.0, 'yes'), // 0.5 s after the end: a hit
        at(4.2, 'yes'), // wrong class: a false alarm (and "no" at 4 is missed)
        at(9.01, 'yes'), // 0.51 s after: too late, a false alarm
        at(12.3, 'no'), // a hit
        at(12.8, 'no') // the same event again: a false alarm
      ],
      events,
      36
    );
    expect(s).toMatchObject({ hits: 2, misses: 2, falseAlarms: 3, hitRate: 0.5 });
    expect(s.falseAlarmsPerHour).toBeCloseTo(300, 9);
    expect(s.heard).toEqual([true, false, false, true]);
    expect(s.matched).toEqual([0, null, null, 3, null]);
    expect(scoreDetections([], [], 10).hitRate).toBeNull();
    expect(announcedEvents(events, ['no', 'yes'], [true, false]).map((e) => e.label)).toEqual([
      'yes',
      'yes'
    ]);
  });
});

describe('replay and the layer report on the demo model', () => {
  test('a recording replays like the stream; the report reads conv 2 (32 filters)', () => {
    const rng = createRng(3);
    const x = Float32Array.from({ length: 16000 * 6 }, () => 0.003 * (rng.next() - 0.5));
    for (let i = 0; i < 8000; i++) x[32000 + i] += 0.3 * Math.sin((2 * Math.PI * 180 * i) / 16000);
    const path = new LivePath(demo);
    const timeline = replay(path, x, undefined, 333);
    const live = new LivePath(demo).audio(x);
    expect(timeline.times).toEqual(live.map((s) => s.time));
    expect(timeline.probabilities).toEqual(live.map((s) => s.averaged));
    expect(timeline.seconds).toBe(6);

    expect(layerTitles(path.model)).toEqual([
      'conv 1 (16 filters)',
      'max pool 2×2',
      'k-WTA (keeps 8 of 16)',
      'conv 2 (32 filters)',
      'max pool 2×2',
      'k-WTA (keeps 16 of 32)',
      'conv 3 (64 filters)',
      'k-WTA (keeps 32 of 64)',
      'global average pool',
      'classifier (4 classes)'
    ]);
    const report = new LayerReport(path.model);
    const quiet = report.report(live[0].result);
    const loud = report.report(live[4].result);
    expect(quiet.layers[3].title).toBe('conv 2 (32 filters)');
    expect(quiet.layers.map((l) => l.density)).not.toEqual(loud.layers.map((l) => l.density));
    expect(quiet.energy.totalPj).not.toBe(loud.energy.totalPj);
    // Dead filters only fall as more inputs are seen; the classifier has none.
    expect(loud.layers[0].deadFilters!).toBeLessThanOrEqual(quiet.layers[0].deadFilters!);
    expect(loud.layers[9].deadFilters).toBeUndefined();
    expect(quiet.layers[2].winners).toBeLessThanOrEqual(8);
    expect(quiet.energy.macPj).toBeGreaterThan(0);
  });
});
