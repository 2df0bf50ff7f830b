/**
 * The live path, one implementation for every place a model listens or watches: the app's Live
 * view (in a Web Worker), its "test on a recording" and `quench stream`. Input → the model's own
 * features (log-mel stream or resized frame) → the integer engine → averaging, thresholds and
 * suppression ({@link Detector}).
 *
 * Audio is judged on a sample clock, not a wall clock: a window of one clip is judged every
 * (1 − overlap) of a clip, at the same sample offsets however the samples arrive (128-sample
 * microphone blocks or a whole file at once), so a recording replays exactly as it would have
 * sounded live.
 */
import { isOtherSoundsClass } from '../data/base';
import { isBackgroundClass } from '../data/scan';
import { convertToInt } from '../engine/convert';
import { runInt, type EngineResult } from '../engine/engine';
import type { IntModel } from '../engine/int-model';
import {
  checkImageSettings,
  imageFeatures,
  type ImageSettings,
  type RgbImage
} from '../features/image';
import {
  checkLogMelSettings,
  clipGeometry,
  FeatureError,
  LogMelStream,
  type LogMelSettings
} from '../features/logmel';
import { isSilence } from '../features/level';
import type { ModelContents } from '../model-file/model-file';
import {
  checkLiveSettings,
  defaultLiveSettings,
  Detector,
  type Detection,
  type LiveSettings
} from './detector';

export interface LiveStep {
  /** Seconds from the start: audio, the end of the window judged; images, the frame's time. */
  time: number;
  /** This window's own class probabilities, before averaging. */
  probabilities: Float32Array;
  /** What the detector judged: probabilities averaged over the last `average` windows. */
  averaged: number[];
  /** The top class of `averaged`, shown whatever the thresholds say (unless `silent`). */
  top: number;
  /**
   * Audio: the window's input was silence (peak below −70 dBFS, core/features/level.ts): nothing
   * is heard, whatever the model's probabilities say, and it is never a detection.
   */
  silent: boolean;
  detection?: Detection;
  /** The features the engine ran on ([H, W, C] flattened) and everything it counted. */
  features: Float32Array;
  result: EngineResult;
}

/**
 * The live settings a model file suggests: the defaults (background and "other sounds" never
 * announced) with the thresholds and averaging of its `detection`, when it has them.
 */
export function modelLiveSettings(contents: ModelContents): LiveSettings {
  const suggested = contents.detection && {
    thresholds: [...contents.detection.thresholds],
    average: contents.detection.average
  };
  return {
    ...defaultLiveSettings(contents.labels, (l) => isBackgroundClass(l) || isOtherSoundsClass(l)),
    ...suggested
  };
}

/** The model's front end, checked (a model file's spec is untrusted input). */
function frontEndOf(contents: ModelContents): LogMelSettings | ImageSettings {
  const f = contents.spec.features as unknown as Partial<LogMelSettings | ImageSettings>;
  if (f?.kind === 'logmel') {
    checkLogMelSettings(f as LogMelSettings);
    return f as LogMelSettings;
  }
  if (f?.kind === 'image') {
    checkImageSettings(f as ImageSettings);
    return f as ImageSettings;
  }
  throw new FeatureError(`model ${contents.spec.name} has no log-mel or image feature settings`);
}

/**
 * The hop between judged windows of a log-mel front end at `overlap` (0 ≤ overlap < 1): (1 −
 * overlap) of a clip, rounded to whole feature frames (at least one) — the only hops the stream
 * can take. E.g. 75 % of a 1 s clip at 16 kHz with 320-sample frames: 12.5 → 13 frames, 0.26 s.
 */
export function windowHop(
  features: Pick<LogMelSettings, 'sampleRate' | 'clipSeconds' | 'hopLength'>,
  overlap: number
): { frames: number; seconds: number } {
  const perClip = (features.sampleRate * features.clipSeconds) / features.hopLength;
  const frames = Math.max(1, Math.round((1 - overlap) * perClip));
  return { frames, seconds: (frames * features.hopLength) / features.sampleRate };
}

export class LivePath {
  readonly model: IntModel;
  readonly labels: string[];
  readonly kind: 'audio' | 'image';
  readonly features: LogMelSettings | ImageSettings;
  private current: LiveSettings;
  private readonly detector: Detector;
  private stream: LogMelStream | undefined;
  /** Audio: samples pushed so far, and the frame count at which the next window is judged. */
  private pushed = 0;
  private nextFrames = 0;
  /** Audio: the last window's samples, a ring written at `pushed` modulo its length. */
  private recent = new Float32Array(0);

  /**
   * `model`: an already converted integer network (else converted from `contents`). Settings start
   * from the defaults with the thresholds and averaging the model file suggests (its `detection`,
   * when it has them), then `settings` on top.
   */
  constructor(contents: ModelContents, settings?: Partial<LiveSettings>, model?: IntModel) {
    this.model = model ?? convertToInt(contents);
    this.labels = contents.labels;
    this.features = frontEndOf(contents);
    this.kind = this.features.kind === 'logmel' ? 'audio' : 'image';
    this.current = { ...modelLiveSettings(contents), ...settings };
    checkLiveSettings(this.current, this.labels.length);
    this.detector = new Detector(
      this.labels,
      this.current,
      this.kind === 'image' ? 'change' : 'window'
    );
    this.reset();
  }

  get settings(): LiveSettings {
    return this.current;
  }

  /** New settings from the next window on (a new overlap restarts the hop count). */
  set settings(next: LiveSettings) {
    checkLiveSettings(next, this.labels.length);
    const hopChanged = next.overlap !== this.current.overlap;
    this.current = { ...next };
    this.detector.settings = this.current;
    if (hopChanged && this.stream)
      this.nextFrames = Math.max(this.window(), this.stream.framesProduced + 1);
  }

  /** Audio: frames in one window, and frames between judged windows. */
  private window(): number {
    return clipGeometry(this.features as LogMelSettings).frames;
  }

  get hopFrames(): number {
    return windowHop(this.features as LogMelSettings, this.current.overlap).frames;
  }

  /** Seconds between judged windows (audio). */
  get hopSeconds(): number {
    return windowHop(this.features as LogMelSettings, this.current.overlap).seconds;
  }

  /** Starts a new stream: no samples, no averaging history, no recent detection. */
  reset(): void {
    this.detector.reset();
    if (this.features.kind === 'logmel') {
      this.stream = new LogMelStream(this.features);
      this.pushed = 0;
      this.nextFrames = this.window();
      this.recent = new Float32Array(this.samplesFor(this.window()));
    }
  }

  /** Samples needed in all for `frames` frames. */
  private samplesFor(frames: number): number {
    const s = this.features as LogMelSettings;
    return (frames - 1) * s.hopLength + s.frameLength;
  }

  /** Audio at the model's rate (mono, −1…1), in blocks of any size: one step per window judged. */
  audio(samples: Float32Array): LiveStep[] {
    const stream = this.stream;
    if (!stream) throw new FeatureError('this model takes images, not audio');
    const steps: LiveStep[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(samples.length - at, this.samplesFor(this.nextFrames) - this.pushed);
      const part = samples.subarray(at, at + take);
      stream.push(part);
      this.remember(part);
      this.pushed += take;
      at += take;
      if (stream.framesProduced >= this.nextFrames) {
        const time =
          this.samplesFor(this.nextFrames) / (this.features as LogMelSettings).sampleRate;
        steps.push(this.judge(stream.window()!, time, isSilence(this.recent)));
        this.nextFrames += this.hopFrames;
      }
    }
    return steps;
  }

  /** One camera frame or picture (RGB in [0, 1]) seen at `time` seconds. */
  frame(image: RgbImage, time: number): LiveStep {
    if (this.features.kind !== 'image')
      throw new FeatureError('this model takes audio, not images');
    return this.judge(imageFeatures(image, this.features), time);
  }

  /** Writes `part` (pushed at sample `this.pushed`) into the ring of the window's samples. */
  private remember(part: Float32Array): void {
    const n = this.recent.length;
    const from = Math.max(0, part.length - n);
    for (let i = from, w = (this.pushed + from) % n; i < part.length; i++, w = (w + 1) % n) {
      this.recent[w] = part[i];
    }
  }

  private judge(features: Float32Array, time: number, silent = false): LiveStep {
    const result = runInt(this.model, features);
    const d = this.detector.step(result.probabilities, time, silent);
    return { time, probabilities: result.probabilities, ...d, silent, features, result };
  }
}
