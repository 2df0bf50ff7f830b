/**
 * "Test on a recording": a long recording through exactly the live path ({@link LivePath}), as
 * if it had been heard by the microphone, giving the class probabilities over time and the
 * detections. Used by the app (in a worker) and by `quench stream`.
 */
import { decodeAudio } from '../features/audio';
import { mixToMono } from '../features/mixdown';
import { resample } from '../features/resample';
import type { Detection } from './detector';
import type { LivePath } from './live-path';

export interface Timeline {
  labels: string[];
  /** Length of the recording, seconds. */
  seconds: number;
  /** Seconds between judged windows. */
  hopSeconds: number;
  /** Per judged window: its end time (s) and the probabilities the detector judged [classes]. */
  times: number[];
  probabilities: number[][];
  /** Per judged window: its input was silence (nothing heard, never a detection). */
  silence: boolean[];
  detections: Detection[];
}

/** A recording file (any format Quench reads) → mono samples at `sampleRate`, with warnings. */
export async function recordingSamples(
  bytes: Uint8Array,
  name: string,
  sampleRate: number
): Promise<{ samples: Float32Array; warnings: string[] }> {
  const audio = await decodeAudio(bytes, name);
  const mix = mixToMono(audio);
  return {
    samples: resample(mix.samples, audio.sampleRate, sampleRate),
    warnings: [...(audio.warnings ?? []), ...(mix.warning ? [mix.warning] : [])]
  };
}

/**
 * Replays `samples` (mono, at the model's rate) through `path` from a fresh start, `block`
 * samples at a time (the result does not depend on it). `onProgress(done, total)` after each
 * block, in samples.
 */
export function replay(
  path: LivePath,
  samples: Float32Array,
  onProgress?: (done: number, total: number) => void,
  block = 16000
): Timeline {
  if (path.kind !== 'audio') throw new RangeError('only sound models can replay a recording');
  path.reset();
  const timeline: Timeline = {
    labels: path.labels,
    seconds: samples.length / (path.features as { sampleRate: number }).sampleRate,
    hopSeconds: path.hopSeconds,
    times: [],
    probabilities: [],
    silence: [],
    detections: []
  };
  for (let at = 0; at < samples.length; at += block) {
    for (const s of path.audio(samples.subarray(at, Math.min(samples.length, at + block)))) {
      timeline.times.push(s.time);
      timeline.probabilities.push(s.averaged);
      timeline.silence.push(s.silent);
      if (s.detection) timeline.detections.push(s.detection);
    }
    onProgress?.(Math.min(samples.length, at + block), samples.length);
  }
  path.reset();
  return timeline;
}
