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

/** Records `seconds` of 16 kHz audio from the microphone. */
export async function recordClip(seconds: number): Promise<Float32Array> {
  const want = Math.round(seconds * 16000);
  const parts: Float32Array[] = [];
  let have = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const mic = await Mic.start((x) => {
    if (have >= want) return;
    parts.push(x);
    have += x.length;
    if (have >= want) done();
  });
  await finished;
  await mic.stop();
  const out = new Float32Array(want);
  let at = 0;
  for (const p of parts) {
    out.set(p.subarray(0, Math.min(p.length, want - at)), at);
    at += p.length;
    if (at >= want) break;
  }
  return out;
}
