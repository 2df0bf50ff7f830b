/**
 * "Test on a recording": a long recording through exactly the live path ({@link LivePath}), as
 * if it had been heard by the microphone, giving the class probabilities over time and the
 * detections. Used by the app (in a worker) and by `quench stream`.
 */
import { decodeMonoAt, streamMonoAt } from '../features/decode-mono';
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
  return decodeMonoAt(bytes, name, sampleRate);
}

/** A fresh timeline for `path`, before any window is judged. */
function emptyTimeline(path: LivePath): Timeline {
  return {
    labels: path.labels,
    seconds: 0,
    hopSeconds: path.hopSeconds,
    times: [],
    probabilities: [],
    silence: [],
    detections: []
  };
}

/** Adds what `path` judged of `block` (the recording's next samples) to `timeline`. */
function judge(path: LivePath, timeline: Timeline, block: Float32Array): void {
  for (const s of path.audio(block)) {
    timeline.times.push(s.time);
    timeline.probabilities.push(s.averaged);
    timeline.silence.push(s.silent);
    if (s.detection) timeline.detections.push(s.detection);
  }
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
  const timeline = emptyTimeline(path);
  timeline.seconds = samples.length / (path.features as { sampleRate: number }).sampleRate;
  for (let at = 0; at < samples.length; at += block) {
    judge(path, timeline, samples.subarray(at, Math.min(samples.length, at + block)));
    onProgress?.(Math.min(samples.length, at + block), samples.length);
  }
  path.reset();
  return timeline;
}

/**
 * {@link replay} of a recording file as it is decoded, piece by piece, so that the recording is
 * never whole in memory (an hour of sound replays in the memory of a few seconds of it, plus the
 * timeline). Gives the timeline {@link replay} gives for {@link recordingSamples} of the same file.
 * `onProgress(done)`: the share of the file replayed, 0–1. Throws AudioError when the file can't
 * be read.
 */
export async function replayRecording(
  path: LivePath,
  bytes: Uint8Array,
  name: string,
  onProgress?: (done: number) => void
): Promise<{ timeline: Timeline; warnings: string[] }> {
  if (path.kind !== 'audio') throw new RangeError('only sound models can replay a recording');
  const rate = (path.features as { sampleRate: number }).sampleRate;
  let timeline = emptyTimeline(path);
  const read = await streamMonoAt(bytes, name, rate, () => {
    path.reset();
    timeline = emptyTimeline(path);
    return (block, done) => {
      judge(path, timeline, block);
      onProgress?.(done);
    };
  });
  path.reset();
  timeline.seconds = read.samples / rate;
  return { timeline, warnings: read.warnings };
}
