/**
 * Microphone capture with an AudioWorklet (not the deprecated ScriptProcessor), resampled to
 * 16 kHz by core's streaming resampler — the same numbers training uses.
 */
import { Resampler } from '../../../core/features/resample';

export class Mic {
  private constructor(
    private readonly context: AudioContext,
    private readonly stream: MediaStream,
    private readonly node: AudioWorkletNode
  ) {}

  static async start(onSamples: (samples16k: Float32Array) => void, rate = 16000): Promise<Mic> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }
    });
    const context = new AudioContext();
    await context.audioWorklet.addModule(new URL('capture-worklet.js', document.baseURI).href);
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'quench-capture');
    const resampler = new Resampler(context.sampleRate, rate);
    node.port.onmessage = (e: MessageEvent<Float32Array>) => {
      const out = resampler.push(e.data);
      if (out.length) onSamples(out);
    };
    source.connect(node);
    return new Mic(context, stream, node);
  }

  async stop(): Promise<void> {
    this.node.port.onmessage = null;
    this.node.disconnect();
    for (const t of this.stream.getTracks()) t.stop();
    await this.context.close();
  }
}

/**
 * The microphone held open for a whole recording session (the Collect view): consecutive clips
 * are new takes that start at once. Opening the device for every clip restarts it — a real
 * microphone pays its start-up each time, and Chromium's fake device replays its file from the
 * start, so every clip was the same take.
 */
export class MicSession {
  private waiting: { want: number; parts: Float32Array[]; have: number; done: () => void }[] = [];
  /** The latest block at 16 kHz, for a level meter. */
  latest: Float32Array = new Float32Array(0);
  /** performance.now() when the first samples arrived (the device's own start). */
  since: number | undefined;

  private mic: Mic | undefined;

  private constructor() {}

  static async open(): Promise<MicSession> {
    const session = new MicSession();
    session.mic = await Mic.start((x) => session.push(x));
    return session;
  }

  private push(x: Float32Array): void {
    this.since ??= performance.now();
    this.latest = x;
    for (const w of this.waiting) {
      if (w.have >= w.want) continue;
      w.parts.push(x);
      w.have += x.length;
      if (w.have >= w.want) w.done();
    }
    this.waiting = this.waiting.filter((w) => w.have < w.want);
  }

  /** The next `seconds` of 16 kHz audio from now. */
  async record(seconds: number): Promise<Float32Array> {
    const want = Math.round(seconds * 16000);
    const wait = { want, parts: [] as Float32Array[], have: 0, done: () => {} };
    const finished = new Promise<void>((r) => (wait.done = r));
    this.waiting.push(wait);
    await finished;
    const out = new Float32Array(want);
    let at = 0;
    for (const p of wait.parts) {
      out.set(p.subarray(0, Math.min(p.length, want - at)), at);
      at += p.length;
      if (at >= want) break;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.mic?.stop();
  }
}
