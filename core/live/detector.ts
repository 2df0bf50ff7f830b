/**
 * From a stream of class probabilities to detections ("heard yes at 12.5 s, 92 %"), the way
 * @tensorflow-models/speech-commands' `listen()` turns its windows into recognitions: the top class
 * of each (averaged) result is a detection when it is not a background class, reaches its
 * threshold, and no detection happened within the suppression time before it.
 *
 * Defaults follow speech-commands (overlapFactor 0.5, suppressionTimeMillis 1000,
 * invokeCallbackOnNoiseAndUnknown false). Its probabilityThreshold defaults to 0, which turns
 * every window into a detection; Quench starts at {@link DEFAULT_THRESHOLD} instead and lets each
 * class have its own. Averaging over the last few windows is Edge Impulse's continuous-audio
 * moving average (1 = off).
 *
 * A camera sees a still object in every frame, where a microphone hears a word once: announcing
 * every window would list "mug" once per suppression time for as long as the mug stays. So a
 * camera ('change') announces a class when it becomes the top class at its threshold, and again
 * only after another class took its place or it fell below its threshold; sound ('window') keeps
 * speech-commands' rule. A window whose input is silent (the live path measures it) is never a
 * detection.
 */

export interface DetectorSettings {
  /**
   * Per class (model label order): the averaged probability a detection needs, in [0, 1]; 1 turns
   * the class's detections off (a softmax can round to exactly 1, so "≥ 1" would still pass).
   */
  thresholds: number[];
  /** No new detection, of any class, for this long after one (ms). */
  suppressionMs: number;
  /** Results averaged per class over the last `average` windows (1 = no averaging). */
  average: number;
  /** Per class: never announced (background noise). */
  silent: boolean[];
}

export interface LiveSettings extends DetectorSettings {
  /**
   * Audio: the fraction of each window shared with the next one (speech-commands' overlapFactor);
   * the hop between windows is (1 − overlap) of a clip.
   */
  overlap: number;
}

export const DEFAULT_OVERLAP = 0.5;
export const DEFAULT_SUPPRESSION_MS = 1000;
export const DEFAULT_THRESHOLD = 0.75;

export interface Detection {
  /** Seconds from the start of the stream (audio: the end of the window that was heard). */
  time: number;
  classIndex: number;
  label: string;
  /** The averaged probability of the class in the window judged. */
  probability: number;
}

/** Default settings for a model's labels: `isBackground` names the classes never announced. */
export function defaultLiveSettings(
  labels: string[],
  isBackground: (label: string) => boolean = () => false
): LiveSettings {
  return {
    overlap: DEFAULT_OVERLAP,
    suppressionMs: DEFAULT_SUPPRESSION_MS,
    average: 1,
    thresholds: labels.map(() => DEFAULT_THRESHOLD),
    silent: labels.map(isBackground)
  };
}

/** Throws RangeError naming the setting unless `s` fits a model with `classes` labels. */
export function checkLiveSettings(s: LiveSettings, classes: number): void {
  if (!(s.overlap >= 0 && s.overlap < 1)) throw new RangeError('overlap must be in [0, 1)');
  if (!(s.suppressionMs >= 0 && s.suppressionMs <= 60_000))
    throw new RangeError('suppression must be 0 to 60,000 ms');
  if (!(Number.isInteger(s.average) && s.average >= 1 && s.average <= 20))
    throw new RangeError('average must be a whole number of windows from 1 to 20');
  if (s.thresholds.length !== classes || s.silent.length !== classes)
    throw new RangeError(`one threshold and one background flag per class (${classes}) are needed`);
  for (const t of s.thresholds)
    if (!(t >= 0 && t <= 1)) throw new RangeError(`thresholds must be in [0, 1], got ${t}`);
}

/** 'window': every window may be a detection (sound); 'change': only a new top class (camera). */
export type Announce = 'window' | 'change';

export interface DetectorStep {
  /** The probabilities the detector judged (averaged over the last `average` windows). */
  averaged: number[];
  /** The top class of `averaged` (always reported, threshold or not). */
  top: number;
  detection?: Detection;
}

export class Detector {
  private recent: ArrayLike<number>[] = [];
  private lastDetection = -Infinity;
  /** 'change': the class announced and still at the top at its threshold since (−1: none). */
  private present = -1;

  constructor(
    private readonly labels: string[],
    public settings: DetectorSettings,
    readonly announce: Announce = 'window'
  ) {}

  /** Forgets the averaging window and the last detection (a new stream). */
  reset(): void {
    this.recent = [];
    this.lastDetection = -Infinity;
    this.present = -1;
  }

  /**
   * One result: `probabilities` [classes] of the window ending at `time` seconds. `silentInput`:
   * the window's input was silent, so whatever the model says it is not a detection.
   */
  step(probabilities: ArrayLike<number>, time: number, silentInput = false): DetectorStep {
    const { thresholds, suppressionMs, average, silent } = this.settings;
    this.recent.push(probabilities);
    while (this.recent.length > average) this.recent.shift();
    const k = probabilities.length;
    const averaged = new Array<number>(k).fill(0);
    for (const p of this.recent)
      for (let c = 0; c < k; c++) averaged[c] += p[c] / this.recent.length;
    let top = 0;
    for (let c = 1; c < k; c++) if (averaged[c] > averaged[top]) top = c;
    const step: DetectorStep = { averaged, top };
    // A microsecond of slack: window times are sample counts over the rate, not exact decimals.
    const quiet = (time - this.lastDetection) * 1000 < suppressionMs - 1e-3;
    const reached =
      !silentInput && !silent[top] && thresholds[top] < 1 && averaged[top] >= thresholds[top];
    if (this.announce === 'change') {
      if (!reached) this.present = -1;
      if (!reached || top === this.present || quiet) return step;
      this.present = top;
    }
    if (reached && !quiet) {
      this.lastDetection = time;
      step.detection = {
        time,
        classIndex: top,
        label: this.labels[top],
        probability: averaged[top]
      };
    }
    return step;
  }
}
