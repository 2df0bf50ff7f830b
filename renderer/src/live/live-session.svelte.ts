/**
 * One model listening or watching: the inference worker (core's live path), the microphone or the
 * camera timer, and what the Live view shows — the latest probabilities, layers, energy, the
 * detections, the update rate. Settings are remembered per project and model.
 */
import type { Detection, LiveSettings } from '../../../core/live/detector';
import type { LayerView, LiveEnergy } from '../../../core/live/layer-report';
import { modelLiveSettings } from '../../../core/live/live-path';
import { decodeModel } from '../../../core/model-file/model-file';
import { api } from '../api/client';
import { Mic } from '../audio/mic';
import type { InferIn, InferOut } from './infer-worker';

type InferReady = Extract<InferOut, { type: 'ready' }>;
import { forgetLiveSettings, loadLiveSettings, saveLiveSettings } from './settings';
import { inferWorker } from './worker';

/** Where camera frames come from (the Camera component). */
export interface FrameSource {
  frame(): ImageData | undefined;
}

export class LiveSession {
  running = $state(false);
  labels = $state.raw<string[]>([]);
  /** The model's front end, once loaded. */
  features = $state.raw<InferReady['features'] | undefined>(undefined);
  settings = $state.raw<LiveSettings | undefined>(undefined);
  /** The settings the model file suggests (defaults where it has none) and what they rest on. */
  modelSettings = $state.raw<LiveSettings | undefined>(undefined);
  basis = $state<string | undefined>(undefined);
  /** The settings in use are the person's own (remembered), not the model's. */
  own = $state(false);
  probabilities = $state.raw<number[]>([]);
  top = $state(-1);
  /** The latest window's input was silence: nothing heard. */
  silent = $state(false);
  layers = $state.raw<LayerView[]>([]);
  energy = $state.raw<LiveEnergy | undefined>(undefined);
  /** Energy per inference averaged over every window since Start (pJ), and the windows. */
  energyMean = $state.raw<{ pj: number; windows: number }>({ pj: 0, windows: 0 });
  /** Audio: mean level per mel band of the latest window. */
  preview = $state.raw<number[]>([]);
  detections = $state.raw<(Detection & { id: number })[]>([]);
  rate = $state(0);
  cpuShare = $state(0);
  kernels = $state('');
  problem = $state('');
  /** performance.now() of the first microphone samples (what a test lines a fake device up with). */
  since = $state<number | undefined>(undefined);
  /** The model file's bytes, once loaded. */
  bytes: Uint8Array | undefined;
  /** Start as soon as the model is ready (another model was picked while listening). */
  startWhenReady: { kind: 'audio' | 'vision'; camera?: FrameSource } | undefined;

  private refreshWhenReady = false;
  private worker: Worker | undefined;
  private mic: Mic | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private count = 0;
  private busyMs = 0;
  private nextId = 0;

  constructor(
    readonly project: string,
    readonly run: string
  ) {}

  /** Loads the model into a worker (its classes and settings can be tuned before Start). */
  async load(): Promise<void> {
    try {
      this.bytes = await api.call('model:load', { project: this.project, run: this.run });
    } catch (e) {
      this.problem = `The model could not be loaded: ${(e as Error).message}`;
      return;
    }
    const w = inferWorker();
    w.onmessage = (e: MessageEvent<InferOut>) => this.onResult(e.data);
    w.postMessage({ type: 'model', bytes: this.bytes } satisfies InferIn);
    this.worker = w;
  }

  /**
   * The run's model file again, once its training has finished: cross-validation adds the
   * detection settings it chose after the model was first saved, so a model picked before then
   * starts on the defaults. The file's suggestion replaces them unless the person set their own;
   * the stream (and its detections) goes on.
   */
  async refresh(): Promise<void> {
    if (this.basis !== undefined) return;
    if (!this.settings) {
      // Not loaded yet: once the worker is ready.
      this.refreshWhenReady = true;
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await api.call('model:load', { project: this.project, run: this.run });
    } catch {
      return; // the model in use stays; a failed reload is not worth interrupting Live for
    }
    const contents = decodeModel(bytes);
    if (!contents.detection || contents.labels.join('\n') !== this.labels.join('\n')) return;
    this.bytes = bytes;
    this.modelSettings = modelLiveSettings(contents);
    this.basis = contents.detection.basis;
    if (this.own) return;
    this.settings = this.modelSettings;
    this.post({ type: 'settings', settings: this.settings });
  }

  private onResult(m: InferOut): void {
    if (m.type === 'ready') {
      this.labels = m.labels;
      this.features = m.features;
      this.kernels = m.kernels === 'wasm-simd' ? 'WebAssembly SIMD kernels' : 'JavaScript kernels';
      const stored = loadLiveSettings(this.project, this.run, m.labels.length);
      this.modelSettings = m.settings;
      this.basis = m.detection?.basis;
      this.own = stored !== undefined;
      this.settings = stored ?? m.settings;
      if (stored) this.post({ type: 'settings', settings: stored });
      if (this.refreshWhenReady) void this.refresh();
      this.refreshWhenReady = false;
      const go = this.startWhenReady;
      this.startWhenReady = undefined;
      if (go) void this.start(go.kind, go.camera);
    } else if (m.type === 'error') this.problem = m.message;
    else if (m.type === 'result') {
      this.probabilities = m.probabilities;
      this.top = m.top;
      this.silent = m.silent;
      this.layers = m.layers;
      this.energy = m.energy;
      const { pj, windows } = this.energyMean;
      this.energyMean = {
        pj: (pj * windows + m.energy.totalPj) / (windows + 1),
        windows: windows + 1
      };
      if (m.preview) this.preview = m.preview;
      if (m.detection)
        this.detections = [{ ...m.detection, id: this.nextId++ }, ...this.detections].slice(0, 50);
      this.count++;
      this.busyMs += m.busyMs;
    }
  }

  private post(m: InferIn, transfer: Transferable[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  /** New settings from the person (or applied on their request): used and remembered. */
  update(next: LiveSettings): void {
    this.settings = next;
    this.own = true;
    this.post({ type: 'settings', settings: next });
    saveLiveSettings(this.project, this.run, next);
  }

  /** Back to the model's own settings; the person's are forgotten. */
  useModelSettings(): void {
    if (!this.modelSettings) return;
    this.settings = this.modelSettings;
    this.own = false;
    this.post({ type: 'settings', settings: this.modelSettings });
    forgetLiveSettings(this.project, this.run);
  }

  setThreshold(index: number, value: number): void {
    const s = this.settings!;
    this.update({ ...s, thresholds: s.thresholds.map((t, j) => (j === index ? value : t)) });
  }

  async start(kind: 'audio' | 'vision', camera?: FrameSource): Promise<void> {
    if (!this.worker || this.running) return;
    this.problem = '';
    this.post({ type: 'reset' });
    this.detections = [];
    this.energyMean = { pj: 0, windows: 0 };
    this.running = true;
    let last = performance.now();
    const began = last;
    this.timers.push(
      setInterval(() => {
        const now = performance.now();
        this.rate = (this.count * 1000) / (now - last);
        this.cpuShare = this.busyMs / (now - last);
        [this.count, this.busyMs, last] = [0, 0, now];
      }, 1000)
    );
    if (kind === 'audio') {
      try {
        this.since = undefined;
        this.mic = await Mic.start((samples) => {
          this.since ??= performance.now();
          this.post({ type: 'audio', samples }, [samples.buffer]);
        });
      } catch (e) {
        this.problem = `The microphone could not be used: ${(e as Error).message}`;
        await this.stop();
      }
      return;
    }
    this.timers.push(
      setInterval(() => {
        const f = camera?.frame();
        if (!f) return;
        const time = (performance.now() - began) / 1000;
        this.post({ type: 'frame', rgba: f.data, width: f.width, height: f.height, time });
      }, 80)
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const mic = this.mic;
    this.mic = undefined;
    await mic?.stop();
  }

  async close(): Promise<void> {
    await this.stop();
    this.worker?.terminate();
    this.worker = undefined;
  }
}
