/**
 * Live inference off the UI thread: the integer engine on features computed by core from the
 * model's own settings. Audio arrives as 16 kHz blocks (log-mel stream, an inference every
 * `intervalMs`); images as RGBA frames. Each result carries the probabilities, per-layer counters
 * and the energy estimate, and how long the engine took.
 */
import { convertToInt } from '../../../core/engine/convert';
import { runInt } from '../../../core/engine/engine';
import { layerSummaries } from '../../../core/engine/evaluate-int';
import type { IntModel } from '../../../core/engine/int-model';
import { simdAvailable } from '../../../core/engine/kernels/wasm-runtime';
import { estimateEnergy } from '../../../core/energy/estimate';
import { imageFeatures, toRgb, type ImageSettings } from '../../../core/features/image';
import { LogMelStream, type LogMelSettings } from '../../../core/features/logmel';
import { decodeModel } from '../../../core/model-file/model-file';

export type InferIn =
  | { type: 'model'; bytes: Uint8Array }
  | { type: 'audio'; samples: Float32Array }
  | { type: 'frame'; rgba: Uint8ClampedArray; width: number; height: number };

export interface LayerView {
  name: string;
  op: string;
  bits: number;
  density: number;
  /** k-WTA: winners per location on this input (of how many channels). */
  winners?: number;
  channels?: number;
  /** conv / dense: filters that have been silent on every input since Live started. */
  deadFilters?: number;
  macs: number;
  executedMacs: number;
  energyPj: number;
}

export type InferOut =
  | {
      type: 'ready';
      labels: string[];
      kind: 'audio' | 'image';
      layers: string[];
      /** Which engine kernels run here: WebAssembly SIMD, or the JavaScript fallback. */
      kernels: 'wasm-simd' | 'javascript';
    }
  | {
      type: 'result';
      /** Audio: mean level per mel band over the window (the live input preview). */
      preview?: number[];
      probabilities: number[];
      layers: LayerView[];
      totalPj: number;
      floatDensePj: number;
      computePj: number;
      memoryPj: number;
      engineMs: number;
      busyMs: number;
    }
  | { type: 'error'; message: string };

let model: IntModel | undefined;
let labels: string[] = [];
let stream: LogMelStream | undefined;
let image: ImageSettings | undefined;
let last = 0;
/** Per conv/dense op: channels active at least once since the model was loaded. */
let everActive: (Uint8Array | undefined)[] = [];
/** Time spent handling messages (features + inference) not yet reported in a result. */
let busy = 0;
const intervalMs = 80;

const post = (m: InferOut): void => postMessage(m);

function infer(features: Float32Array, preview?: number[]): void {
  const started = performance.now();
  const r = runInt(model!, features);
  const engineMs = performance.now() - started;
  const summaries = layerSummaries(model!, r.counters);
  const e = estimateEnergy(model!, summaries);
  post({
    type: 'result',
    probabilities: Array.from(r.probabilities),
    preview,
    layers: summaries.map((l, i) => {
      const op = model!.ops[i];
      const c = r.counters[i];
      const view: LayerView = {
        name: l.name,
        op: l.op,
        bits: l.bits,
        density: l.density,
        macs: l.macs,
        executedMacs: l.effectiveMacs,
        energyPj: e.layers[i].totalPj
      };
      if (op.op === 'kwta') {
        view.winners = c.outputNonZero / (op.shape[0] * op.shape[1]);
        view.channels = op.shape[2];
      }
      if (c.activeChannels) {
        const seen = (everActive[i] ??= new Uint8Array(c.activeChannels.length));
        c.activeChannels.forEach((v, ch) => (seen[ch] |= v));
        view.deadFilters = seen.reduce((n, v) => n + (v ? 0 : 1), 0);
      }
      return view;
    }),
    totalPj: e.totalPj,
    floatDensePj: e.floatDensePj,
    computePj: e.computePj,
    memoryPj: e.memoryPj,
    engineMs,
    busyMs: busy
  });
  busy = 0;
}

onmessage = (e: MessageEvent<InferIn>) => {
  const began = performance.now();
  try {
    const m = e.data;
    if (m.type === 'model') {
      const contents = decodeModel(m.bytes);
      model = convertToInt(contents);
      everActive = [];
      labels = contents.labels;
      const f = contents.spec.features as unknown as LogMelSettings | ImageSettings;
      stream = f.kind === 'logmel' ? new LogMelStream(f) : undefined;
      image = f.kind === 'image' ? f : undefined;
      post({
        type: 'ready',
        labels,
        kind: stream ? 'audio' : 'image',
        layers: model.ops.map((o) => o.name),
        kernels: simdAvailable() ? 'wasm-simd' : 'javascript'
      });
    } else if (m.type === 'audio' && model && stream) {
      stream.push(m.samples);
      const now = performance.now();
      const window = now - last >= intervalMs ? stream.window() : null;
      if (window) {
        last = now;
        // A small input preview: the mean level of each mel band over the window.
        const bands = window.length / 49;
        const preview = Array.from({ length: bands }, (_, m) => {
          let sum = 0;
          for (let t = 0; t < 49; t++) sum += window[t * bands + m];
          return sum / 49;
        });
        infer(window, preview);
      }
    } else if (m.type === 'frame' && model && image) {
      const rgb = toRgb(m.rgba, m.width * m.height, 4, 255);
      infer(imageFeatures({ width: m.width, height: m.height, rgb }, image));
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  // Every message's handling time is counted once, in the next result (this one's included).
  busy += performance.now() - began;
};
