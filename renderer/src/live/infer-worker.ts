/**
 * Live inference off the UI thread. Everything that decides what is heard or seen is core's
 * {@link LivePath} (features, integer engine, averaging, thresholds, suppression) — the same code
 * `quench stream` and "test on a recording" run; this file only carries messages. A second
 * instance replays a recording file through the same path.
 */
import { simdAvailable } from '../../../core/engine/kernels/wasm-runtime';
import { toRgb } from '../../../core/features/image';
import type { Detection, LiveSettings } from '../../../core/live/detector';
import { LayerReport, type LayerView, type LiveEnergy } from '../../../core/live/layer-report';
import { LivePath } from '../../../core/live/live-path';
import {
  calibrateOnRecording,
  recordingWindows,
  type RecordingCalibration
} from '../../../core/live/calibrate';
import { recordingSamples, replay, type Timeline } from '../../../core/live/replay';
import { parseLabels } from '../../../core/live/score';
import { decodeModel, type DetectionCalibration } from '../../../core/model-file/model-file';

export type { LayerView, LiveEnergy };

export type InferIn =
  | { type: 'model'; bytes: Uint8Array; settings?: LiveSettings }
  | { type: 'settings'; settings: LiveSettings }
  /** A new stream: time from 0, no averaging history, dead filters counted afresh. */
  | { type: 'reset' }
  | { type: 'audio'; samples: Float32Array }
  /** `time`: seconds since the stream started. */
  | { type: 'frame'; rgba: Uint8ClampedArray; width: number; height: number; time: number }
  /**
   * A recording file in any format Quench reads, replayed through the live path with the current
   * settings; without bytes, the last recording again (after a settings change).
   */
  | { type: 'replay'; bytes?: Uint8Array; name: string }
  /**
   * "Calibrate": the recording (as for replay) replayed once with `settings` but no averaging,
   * then thresholds and averaging chosen for the most events of `labels` (a label file's text)
   * heard at ≤ `maxFalseAlarmsPerHour` (core/live/calibrate.ts).
   */
  | {
      type: 'calibrate';
      bytes?: Uint8Array;
      name: string;
      labels: string;
      settings: LiveSettings;
      maxFalseAlarmsPerHour: number;
    };

export type InferOut =
  | {
      type: 'ready';
      labels: string[];
      kind: 'audio' | 'image';
      settings: LiveSettings;
      /** Seconds between judged windows (audio). */
      hopSeconds: number;
      /** The model's front end (its hop and clip length set the window hops Live offers). */
      features: LivePath['features'];
      /** Which engine kernels run here: WebAssembly SIMD, or the JavaScript fallback. */
      kernels: 'wasm-simd' | 'javascript';
      /** The detection settings the model file suggests (what `settings` started from). */
      detection?: DetectionCalibration;
    }
  | {
      type: 'result';
      time: number;
      /** Audio: mean level per mel band over the window (the live input preview). */
      preview?: number[];
      /** The probabilities the detector judged (averaged as set), and their top class. */
      probabilities: number[];
      top: number;
      /** Audio: the window's input was silence (nothing heard, never a detection). */
      silent: boolean;
      detection?: Detection;
      layers: LayerView[];
      energy: LiveEnergy;
      /** Time the worker spent on messages since the previous result, ms. */
      busyMs: number;
    }
  | { type: 'progress'; done: number; total: number }
  | { type: 'timeline'; timeline: Timeline; warnings: string[] }
  | { type: 'calibrated'; result: RecordingCalibration; labels: string[]; warnings: string[] }
  | { type: 'error'; message: string };

let path: LivePath | undefined;
let report: LayerReport | undefined;
/** Time spent handling messages (features + inference) not yet reported in a result. */
let busy = 0;

const post = (m: InferOut): void => postMessage(m);

function bandPreview(window: Float32Array, bands: number): number[] {
  const frames = window.length / bands;
  return Array.from({ length: bands }, (_, m) => {
    let sum = 0;
    for (let t = 0; t < frames; t++) sum += window[t * bands + m];
    return sum / frames;
  });
}

function publish(step: ReturnType<LivePath['frame']>): void {
  const { layers, energy } = report!.report(step.result);
  post({
    type: 'result',
    time: step.time,
    preview:
      path!.features.kind === 'logmel'
        ? bandPreview(step.features, path!.features.melBands)
        : undefined,
    probabilities: step.averaged,
    top: step.top,
    silent: step.silent,
    detection: step.detection,
    layers,
    energy,
    busyMs: busy
  });
  busy = 0;
}

/** The last recording decoded, kept for replays with other settings. */
let recording: { samples: Float32Array; warnings: string[] } | undefined;

/** The recording to replay (decoded from `bytes`, or the last one) and a progress reporter. */
async function recordingFor(bytes: Uint8Array | undefined, name: string) {
  if (!path) throw new Error('no model loaded');
  const rate = (path.features as { sampleRate: number }).sampleRate;
  if (bytes) recording = await recordingSamples(bytes, name, rate);
  if (!recording) throw new Error('no recording to replay');
  let last = 0;
  const progress = (done: number, total: number) => {
    // A progress message per few seconds of audio is plenty for a bar.
    if (done - last >= rate * 5 || done === total) {
      last = done;
      post({ type: 'progress', done, total });
    }
  };
  return { live: path, ...recording, progress };
}

async function replayFile(bytes: Uint8Array | undefined, name: string): Promise<void> {
  const { live, samples, warnings, progress } = await recordingFor(bytes, name);
  post({ type: 'timeline', timeline: replay(live, samples, progress), warnings });
}

async function calibrate(m: Extract<InferIn, { type: 'calibrate' }>): Promise<void> {
  const { live, samples, warnings, progress } = await recordingFor(m.bytes, m.name);
  live.settings = m.settings;
  const events = parseLabels(m.labels, live.labels);
  const windows = recordingWindows(live, samples, progress);
  const result = calibrateOnRecording(windows, events, m.settings, {
    maxFalseAlarmsPerHour: m.maxFalseAlarmsPerHour,
    name: m.name
  });
  post({ type: 'calibrated', result, labels: live.labels, warnings });
}

onmessage = async (e: MessageEvent<InferIn>) => {
  const began = performance.now();
  try {
    const m = e.data;
    if (m.type === 'model') {
      const contents = decodeModel(m.bytes);
      path = new LivePath(contents, m.settings);
      report = new LayerReport(path.model);
      post({
        type: 'ready',
        labels: path.labels,
        kind: path.kind,
        settings: path.settings,
        hopSeconds: path.kind === 'audio' ? path.hopSeconds : 0,
        features: path.features,
        kernels: simdAvailable() ? 'wasm-simd' : 'javascript',
        detection: contents.detection
      });
    } else if (m.type === 'settings' && path) {
      path.settings = m.settings;
    } else if (m.type === 'reset' && path) {
      path.reset();
      report?.reset();
    } else if (m.type === 'audio' && path) {
      const steps = path.audio(m.samples);
      busy += performance.now() - began;
      for (const s of steps) publish(s);
      return;
    } else if (m.type === 'frame' && path) {
      const rgb = toRgb(m.rgba, m.width * m.height, 4, 255);
      const step = path.frame({ width: m.width, height: m.height, rgb }, m.time);
      busy += performance.now() - began;
      publish(step);
      return;
    } else if (m.type === 'replay') {
      await replayFile(m.bytes, m.name);
    } else if (m.type === 'calibrate') {
      await calibrate(m);
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  // Every message's handling time is counted once, in the next result.
  busy += performance.now() - began;
};
