/**
 * Calibrated detection: per-class thresholds (and averaging) chosen from data instead of the
 * fixed {@link DEFAULT_THRESHOLD}.
 *
 * - {@link thresholdsFromHeldOut}: after training, from the accuracy estimate's held-out class
 *   probabilities (a hold-out or k-fold cross-validation, core/data/fit.ts). Per class, a fixed
 *   false-positive-rate operating point on its ROC curve (Fawcett, "An introduction to ROC
 *   analysis", Pattern Recognition Letters 27, 2006, §7: among thresholds whose false-positive rate
 *   is at most α, the lowest has the highest recall — the Neyman–Pearson choice).
 * - {@link calibrateOnRecording}: from a long labelled recording replayed once through the live
 *   path (Edge Impulse's "performance calibration"): the cached window probabilities are swept over
 *   thresholds and averaging to give the most hits at or below a false-alarm rate per hour.
 */
import type { DetectionCalibration } from '../model-file/model-file';
import { DEFAULT_THRESHOLD, Detector, type Detection, type LiveSettings } from './detector';
import type { LivePath } from './live-path';
import { replay } from './replay';
import {
  announcedEvents,
  HIT_TOLERANCE_S,
  scoreDetections,
  type DetectionScore,
  type LabelledEvent
} from './score';

export type { DetectionCalibration };

/** Class probabilities of held-out clips (core/data/fit.ts `HeldOutPredictions` fits this). */
export interface HeldOutScores {
  /** [n × classes], row-major; row i is clip i's softmax output. */
  probabilities: ArrayLike<number>;
  /** [n]: each clip's true class index. */
  labels: ArrayLike<number>;
  classes: number;
}

export interface HeldOutRule {
  /** α: the largest share of the other classes' clips that may trigger a class. */
  maxFalsePositiveRate: number;
  /** A class with fewer of its own held-out clips, or fewer of the others', keeps the default. */
  minClips: number;
  /** Thresholds are kept within [min, max]. */
  min: number;
  max: number;
}

/**
 * α = 5 %, at least 5 clips each way (fewer give a false-positive rate in steps of 20 % or more),
 * thresholds within 60–95 %: below 60 % a window that is nearly a coin toss between two classes
 * would be announced, above 95 % a live window (a word anywhere in it, background under it) that
 * clean held-out clips cannot represent would seldom reach it. These bounds are design choices.
 */
export const HELD_OUT_RULE: HeldOutRule = {
  maxFalsePositiveRate: 0.05,
  minClips: 5,
  min: 0.6,
  max: 0.95
};

export interface ClassThreshold {
  threshold: number;
  /**
   * 'rule': the operating point; 'clamped': the operating point was outside [min, max];
   * 'few-clips': the default, too few clips; 'background': never announced, default kept.
   */
  how: 'rule' | 'clamped' | 'few-clips' | 'background';
  /** Held-out clips of the class, and of the other classes. */
  positives: number;
  negatives: number;
  /** Share of the class's own clips that would be detected (top class, at the threshold). */
  recall: number | null;
  /** Share of the other classes' clips that would be announced as this class. */
  falsePositiveRate: number | null;
}

export interface HeldOutCalibration extends DetectionCalibration {
  perClass: ClassThreshold[];
}

/** Index of the largest value of row `i` (the first on ties, as the detector picks its top). */
function topOf(p: ArrayLike<number>, i: number, k: number): number {
  let top = 0;
  for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + top]) top = c;
  return top;
}

const percent = (v: number) => `${Math.round(100 * v)} %`;

/**
 * Per-class detection thresholds from held-out predictions. For class c, a clip "triggers" c at
 * threshold t when c is its top class and its probability is ≥ t (what the live detector
 * announces). The threshold is the lowest whole percent at which at most
 * ⌊α · (clips of other classes)⌋ of those clips trigger c — so at most α of them — which keeps the
 * most of c's own clips (recall falls as t rises), clamped to [min, max]. Classes in
 * `background` (never announced) and classes with fewer than `minClips` clips either way keep
 * {@link DEFAULT_THRESHOLD}. Averaging is 1: isolated clips say nothing about how consecutive
 * windows of a stream agree. `source` names the estimate ("5-fold cross-validation").
 * Throws RangeError when the shapes disagree.
 */
export function thresholdsFromHeldOut(
  p: HeldOutScores,
  background: readonly number[],
  source?: string,
  rule: HeldOutRule = HELD_OUT_RULE
): HeldOutCalibration {
  const k = p.classes;
  const n = p.labels.length;
  if (!(k >= 2) || p.probabilities.length !== n * k)
    throw new RangeError(`held-out probabilities must be [${n} × ${k}] for ${n} labels`);
  const perClass: ClassThreshold[] = [];
  for (let c = 0; c < k; c++) {
    // A clip's score for c: its probability of c when c is its top class, else it never triggers.
    const own: number[] = [];
    const others: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = topOf(p.probabilities, i, k) === c ? p.probabilities[i * k + c] : -Infinity;
      (p.labels[i] === c ? own : others).push(q);
    }
    const base = { positives: own.length, negatives: others.length };
    if (background.includes(c)) {
      perClass.push({
        ...base,
        threshold: DEFAULT_THRESHOLD,
        how: 'background',
        recall: null,
        falsePositiveRate: null
      });
      continue;
    }
    if (own.length < rule.minClips || others.length < rule.minClips) {
      perClass.push({
        ...base,
        threshold: DEFAULT_THRESHOLD,
        how: 'few-clips',
        recall: null,
        falsePositiveRate: null
      });
      continue;
    }
    const allowed = Math.floor(rule.maxFalsePositiveRate * others.length + 1e-9);
    const triggering = (t: number, qs: number[]) => qs.filter((q) => q >= t).length;
    const sorted = others.filter(Number.isFinite).sort((a, b) => b - a);
    // Lowest whole percent strictly above the (allowed + 1)-th highest score of another class.
    let cents = 0;
    if (sorted.length > allowed) {
      cents = Math.ceil(100 * sorted[allowed] + 1e-9);
      while (cents < 100 && triggering(cents / 100, others) > allowed) cents++;
    }
    const chosen = cents / 100;
    const threshold = Math.min(rule.max, Math.max(rule.min, chosen));
    perClass.push({
      ...base,
      threshold,
      how: threshold === chosen ? 'rule' : 'clamped',
      recall: triggering(threshold, own) / own.length,
      falsePositiveRate: triggering(threshold, others) / others.length
    });
  }
  const fallback = perClass.filter((r) => r.how === 'few-clips').length;
  const basis =
    `chosen from the estimate's ${n} held-out clips${source ? ` (${source})` : ''}: per class, ` +
    `the lowest threshold at which at most ${percent(rule.maxFalsePositiveRate)} of the other ` +
    `classes' clips would be announced as it, within ${percent(rule.min)}–${percent(rule.max)}` +
    (fallback
      ? `; ${fallback} class${fallback === 1 ? '' : 'es'} with fewer than ${rule.minClips} clips keep${fallback === 1 ? 's' : ''} ${percent(DEFAULT_THRESHOLD)}`
      : '');
  return { thresholds: perClass.map((r) => r.threshold), average: 1, basis, perClass };
}

/** Every judged window of one replay, with averaging off: what the sweep works on. */
export interface RecordingWindows {
  labels: string[];
  /** Length of the recording, seconds. */
  seconds: number;
  /** Per window: its end time (s), its own class probabilities [classes], silent input. */
  times: number[];
  probabilities: number[][];
  silence: boolean[];
}

/**
 * Replays `samples` once through `path` with averaging off (its other settings, overlap among
 * them, as they are), keeping each window's own probabilities; `path`'s settings are restored.
 */
export function recordingWindows(
  path: LivePath,
  samples: Float32Array,
  onProgress?: (done: number, total: number) => void
): RecordingWindows {
  const before = path.settings;
  path.settings = { ...before, average: 1 };
  try {
    const t = replay(path, samples, onProgress);
    return {
      labels: t.labels,
      seconds: t.seconds,
      times: t.times,
      probabilities: t.probabilities,
      silence: t.silence
    };
  } finally {
    path.settings = before;
  }
}

/**
 * The detections `settings` give on cached windows through the live path's own {@link Detector}:
 * exactly those of a replay with these settings, provided the overlap is the one the windows
 * were made with (averaging of the windows' own probabilities is the detector's job).
 */
export function detectOnWindows(w: RecordingWindows, settings: LiveSettings): Detection[] {
  const detector = new Detector(w.labels, settings, 'window');
  const out: Detection[] = [];
  w.probabilities.forEach((p, i) => {
    const step = detector.step(p, w.times[i], w.silence[i]);
    if (step.detection) out.push(step.detection);
  });
  return out;
}

/** One line to print beside figures scored on the recording the settings were chosen on. */
export const SAME_RECORDING_NOTE =
  'scored on the same recording the settings were chosen on, so these figures are optimistic: check them on another recording';

export interface RecordingCalibration {
  /** `current` with the chosen thresholds and averaging (overlap and suppression unchanged). */
  settings: LiveSettings;
  /** The recording's score with `current`, and with `settings` (the live path's own detector). */
  before: DetectionScore;
  after: DetectionScore;
  /** The rate asked for, and the false alarms it allows on this recording (⌊rate · hours⌋). */
  maxFalseAlarmsPerHour: number;
  allowedFalseAlarms: number;
  /** What the settings were chosen from, for the model file and the app. */
  basis: string;
  /**
   * What the person should know before using the settings: a class with labelled events that
   * will never be announced, a recording too short for the rate asked (it allows no false alarm).
   */
  warnings: string[];
}

/** Threshold candidates, highest first: 1 (off), then 99 % down to 40 % by whole percents. */
const GRID = [1, ...Array.from({ length: 60 }, (_, i) => (99 - i) / 100)];

/** What one set of thresholds gives on the cached windows, counted fast (see `simulate`). */
interface Outcome {
  hits: number;
  falseAlarms: number;
  /** Per class: false alarms naming it. */
  falseByClass: number[];
}

/**
 * The averaged top class and its probability per window for averaging over `average` windows,
 * with the detector's own arithmetic (so that the fast sweep decides as the detector does).
 */
function averagedTops(w: RecordingWindows, average: number): { top: Int32Array; p: Float64Array } {
  const n = w.probabilities.length;
  const k = w.labels.length;
  const top = new Int32Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, i - average + 1);
    const len = i - from + 1;
    const avg = new Array<number>(k).fill(0);
    for (let j = from; j <= i; j++)
      for (let c = 0; c < k; c++) avg[c] += w.probabilities[j][c] / len;
    let t = 0;
    for (let c = 1; c < k; c++) if (avg[c] > avg[t]) t = c;
    top[i] = t;
    p[i] = avg[t];
  }
  return { top, p };
}

/**
 * Chooses thresholds (and averaging among `averages`) that give the most hits on a labelled
 * recording with at most ⌊`maxFalseAlarmsPerHour` · hours⌋ false alarms, from one replay's
 * windows (no network run per setting). For each averaging: each announced class's hits and false
 * alarms at every candidate threshold with the others off; the false-alarm budget is then spent
 * greedily on the move (a class to a lower threshold) with the most extra hits per extra false
 * alarm; each class's threshold goes to the middle of the run of thresholds giving it the same
 * counts (margin both ways); the classes together are then checked (suppression couples them) and
 * a class with false alarms raised until the budget holds, and each class is once more moved to
 * where it adds hits without breaking it. Ties between averagings go to the fewest false alarms,
 * then the least averaging; the settings in force (`current`) stay when they are within the
 * budget and nothing found is better. A class that cannot be heard within the budget is turned
 * off (1); a class without labelled events keeps its threshold, raised only as far as the budget
 * needs.
 * Events of never-announced classes are left out. Throws RangeError for a rate that is not a
 * number ≥ 0.
 */
export function calibrateOnRecording(
  w: RecordingWindows,
  events: LabelledEvent[],
  current: LiveSettings,
  options: { maxFalseAlarmsPerHour: number; averages?: number[]; name?: string }
): RecordingCalibration {
  const rate = options.maxFalseAlarmsPerHour;
  if (!(Number.isFinite(rate) && rate >= 0))
    throw new RangeError(`the false-alarm rate must be a number ≥ 0 per hour, got ${rate}`);
  const k = w.labels.length;
  const heard = announcedEvents(events, w.labels, current.silent);
  const budget = Math.floor((rate * w.seconds) / 3600 + 1e-9);
  const announced = w.labels.map((_, c) => c).filter((c) => !current.silent[c]);
  // Events per class, in the order scoreDetections searches them.
  const byClass: number[][] = w.labels.map(() => []);
  heard.forEach((e, j) => byClass[w.labels.indexOf(e.label)].push(j));
  // Classes with events are tuned; the others keep their threshold unless it breaks the budget.
  const tuned = announced.filter((c) => byClass[c].length > 0);
  /** Candidate index per class; KEEP: the class's current threshold. */
  const KEEP = -1;
  /** The index of the lowest candidate above `t`. */
  const above = (t: number) => {
    let i = 0;
    while (i + 1 < GRID.length && GRID[i + 1] > t) i++;
    return i;
  };

  /** The detector's decisions and scoreDetections' matching, on precomputed averaged tops. */
  const simulate = (tops: { top: Int32Array; p: Float64Array }, th: number[]): Outcome => {
    const done = new Uint8Array(heard.length);
    const out: Outcome = { hits: 0, falseAlarms: 0, falseByClass: new Array<number>(k).fill(0) };
    let last = -Infinity;
    for (let i = 0; i < tops.top.length; i++) {
      const c = tops.top[i];
      const time = w.times[i];
      if (w.silence[i] || current.silent[c] || !(th[c] < 1) || !(tops.p[i] >= th[c])) continue;
      if ((time - last) * 1000 < current.suppressionMs - 1e-3) continue;
      last = time;
      let hit = false;
      for (const j of byClass[c]) {
        const e = heard[j];
        if (e.start > time) break;
        if (!done[j] && time <= e.end + HIT_TOLERANCE_S) {
          done[j] = 1;
          hit = true;
          break;
        }
      }
      if (hit) out.hits++;
      else {
        out.falseAlarms++;
        out.falseByClass[c]++;
      }
    }
    return out;
  };

  const better = (a: Outcome, b: Outcome) =>
    a.hits > b.hits || (a.hits === b.hits && a.falseAlarms < b.falseAlarms);

  const chooseFor = (average: number) => {
    const tops = averagedTops(w, average);
    const thresholdsAt = (g: number[]) =>
      current.thresholds.map((t, c) => (current.silent[c] || g[c] === KEEP ? t : GRID[g[c]]));
    // Each class alone: its hits and false alarms at every candidate.
    const alone = new Map<number, Outcome[]>();
    for (const c of tuned) {
      const th = w.labels.map(() => 1);
      alone.set(
        c,
        GRID.map((t) =>
          simulate(
            tops,
            th.map((v, j) => (j === c ? t : v))
          )
        )
      );
    }
    const g = w.labels.map((_, c): number => (tuned.includes(c) ? 0 : KEEP));
    // What the untuned classes spend of the budget as they are.
    let spent = simulate(tops, thresholdsAt(g)).falseAlarms;
    for (;;) {
      let best: { c: number; to: number; dh: number; df: number } | undefined;
      for (const c of tuned) {
        const curve = alone.get(c)!;
        for (let to = g[c] + 1; to < GRID.length; to++) {
          const dh = curve[to].hits - curve[g[c]].hits;
          const df = curve[to].falseAlarms - curve[g[c]].falseAlarms;
          if (dh <= 0 || spent + df > budget) continue;
          const gain = (m: { dh: number; df: number }) => (m.df <= 0 ? Infinity : m.dh / m.df);
          const move = { c, to, dh, df };
          if (
            !best ||
            gain(move) > gain(best) ||
            (gain(move) === gain(best) && (dh > best.dh || (dh === best.dh && df < best.df)))
          )
            best = move;
        }
      }
      if (!best) break;
      g[best.c] = best.to;
      spent += best.df;
    }
    // The middle of the run of candidates that give a class the same counts.
    for (const c of tuned) {
      if (g[c] === 0) continue;
      const curve = alone.get(c)!;
      const same = (i: number) =>
        curve[i].hits === curve[g[c]].hits && curve[i].falseAlarms === curve[g[c]].falseAlarms;
      let lo = g[c];
      let hi = g[c];
      while (lo - 1 > 0 && same(lo - 1)) lo--;
      while (hi + 1 < GRID.length && same(hi + 1)) hi++;
      g[c] = Math.floor((lo + hi) / 2);
    }
    // Together: raise the class with the most false alarms until the budget holds.
    let now = simulate(tops, thresholdsAt(g));
    while (now.falseAlarms > budget) {
      let worst = announced[0];
      for (const c of announced) if (now.falseByClass[c] > now.falseByClass[worst]) worst = c;
      // One candidate higher; a kept threshold goes to the lowest candidate above it.
      g[worst] = g[worst] === KEEP ? above(current.thresholds[worst]) : Math.max(0, g[worst] - 1);
      now = simulate(tops, thresholdsAt(g));
    }
    // One pass moving each class to where, with the others as they are, it adds hits.
    for (const c of tuned) {
      for (let to = 0; to < GRID.length; to++) {
        if (to === g[c]) continue;
        const trial = [...g];
        trial[c] = to;
        const o = simulate(tops, thresholdsAt(trial));
        if (o.falseAlarms <= budget && better(o, now)) {
          g[c] = to;
          now = o;
        }
      }
    }
    return { average, thresholds: thresholdsAt(g), outcome: now };
  };

  const averages = options.averages ?? [1, 2, 3];
  let chosen: ReturnType<typeof chooseFor> | undefined;
  for (const a of averages) {
    const c = chooseFor(a);
    if (!chosen || better(c.outcome, chosen.outcome)) chosen = c;
  }
  if (!chosen) throw new RangeError('no averaging to choose from');
  const score = (s: LiveSettings) => scoreDetections(detectOnWindows(w, s), heard, w.seconds);
  const before = score(current);
  // The settings in force stay when the sweep found nothing better within the budget.
  const keep =
    before.falseAlarms <= budget &&
    !better(chosen.outcome, {
      hits: before.hits,
      falseAlarms: before.falseAlarms,
      falseByClass: []
    });
  const settings: LiveSettings = keep
    ? { ...current }
    : { ...current, thresholds: chosen.thresholds, average: chosen.average };
  const where = options.name
    ? `${options.name} (${w.seconds.toFixed(1)} s`
    : `a recording (${w.seconds.toFixed(1)} s`;
  const warnings: string[] = [];
  for (const c of announced) {
    const n = byClass[c].length;
    if (n > 0 && !(settings.thresholds[c] < 1))
      warnings.push(
        `${w.labels[c]} will never be announced: none of its ${n} labelled event${n === 1 ? '' : 's'} can be heard within ${rate} false alarms per hour on this recording`
      );
  }
  if (budget === 0 && rate > 0)
    warnings.push(
      `at ${rate} false alarms per hour this ${w.seconds.toFixed(0)} s recording allows none at all; one of ${Math.ceil(3600 / rate)} s or more lets the rate allow one`
    );
  return {
    settings,
    before,
    after: score(settings),
    maxFalseAlarmsPerHour: rate,
    allowedFalseAlarms: budget,
    warnings,
    basis: `calibrated on ${where}, ${heard.length} labelled events) for the most hits at ≤ ${rate} false alarms per hour`
  };
}
