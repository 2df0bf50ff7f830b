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

  static async start(
    onSamples: (samples16k: Float32Array) => void,
    rate = 16000,
    deviceId?: string
  ): Promise<Mic> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        echoCancellation: false,
        noiseSuppression: false,
        autoGainControl: false,
        ...(deviceId ? { deviceId: { exact: deviceId } } : {})
      }
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
interface Waiting {
  want: number;
  parts: Float32Array[];
  have: number;
  done: () => void;
}

/** A take being recorded: everything from its start until stop() or its longest length. */
export interface Take {
  /** Seconds recorded so far. */
  seconds(): number;
  /** Ends the take (after at least `minSeconds`); resolves with its 16 kHz samples. */
  stop(minSeconds?: number): Promise<Float32Array>;
  /** Resolves when the take ends, by stop() or at its longest. */
  finished: Promise<Float32Array>;
}

export class MicSession {
  private waiting: Waiting[] = [];
  /** The latest block at 16 kHz, for a level meter. */
  latest: Float32Array = new Float32Array(0);
  /** performance.now() when the first samples arrived (the device's own start). */
  since: number | undefined;

  private mic: Mic | undefined;

  private constructor() {}

  /** Opens the microphone (`deviceId`: a device from enumerateDevices; default otherwise). */
  static async open(deviceId?: string): Promise<MicSession> {
    const session = new MicSession();
    session.mic = await Mic.start((x) => session.push(x), 16000, deviceId);
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
    return this.begin(seconds).finished;
  }

  /** Starts a take of at most `maxSeconds` (hold-to-record: stop() when the key is let go). */
  begin(maxSeconds: number): Take {
    const wait: Waiting = {
      want: Math.round(maxSeconds * 16000),
      parts: [],
      have: 0,
      done: () => {}
    };
    const ended = new Promise<void>((r) => (wait.done = r));
    this.waiting.push(wait);
    const finished = ended.then(() => {
      const out = new Float32Array(Math.min(wait.want, wait.have));
      let at = 0;
      for (const p of wait.parts) {
        if (at >= out.length) break;
        out.set(p.subarray(0, Math.min(p.length, out.length - at)), at);
        at += p.length;
      }
      return out;
    });
    return {
      seconds: () => wait.have / 16000,
      finished,
      stop: (minSeconds = 0) => {
        wait.want = Math.min(wait.want, Math.max(wait.have, Math.round(minSeconds * 16000)));
        if (wait.have >= wait.want) {
          this.waiting = this.waiting.filter((w) => w !== wait);
          wait.done();
        }
        return finished;
      }
    };
  }

  async close(): Promise<void> {
    await this.mic?.stop();
  }
}
