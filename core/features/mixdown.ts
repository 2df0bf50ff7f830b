/**
 * Many channels → one, as people expect to hear it. Averaging is right for ordinary stereo, but a
 * file whose channels cancel (one channel the other inverted: a mis-wired microphone pair, or a
 * "karaoke" export) averages to near silence. When the average keeps less than a tenth of the
 * loudest channel's RMS (−20 dB) the loudest channel is used instead, with a warning.
 */
import type { DecodedAudio } from './wav';

/** Averaging that loses more than this (as an RMS ratio) counts as cancellation. */
export const CANCEL_RATIO = 0.1;
/** Below this RMS a file is silence and there is nothing to lose. */
const SILENCE_RMS = 1e-4;

export interface MonoMix {
  samples: Float32Array;
  /** Set when the channels cancel and one channel was taken instead of the average. */
  warning?: string;
  /** The channel used alone (0-based), when the channels cancel. */
  channel?: number;
}

const CHANNEL_NAMES = ['left', 'right'];

/** A channel used alone because the average cancels: which one, and the warning saying so. */
export interface Cancellation {
  channel: number;
  warning: string;
}

/**
 * {@link mixToMono} a piece at a time, for recordings decoded in pieces: {@link mix} averages each
 * piece exactly as mixToMono averages the whole (float32 arithmetic, channels added in order),
 * while the levels the cancellation check needs are summed in the same order; {@link verdict},
 * after the last piece, says whether the average stands.
 */
export class MonoMixer {
  /** Σx² per channel, and of the average, over every piece so far (float64, in sample order). */
  private readonly power: number[];
  private mixPower = 0;
  private frames = 0;

  constructor(readonly channels: number) {
    this.power = new Array<number>(channels).fill(0);
  }

  /** The average of one piece's channels (equal lengths); a single channel is returned as is. */
  mix(piece: Float32Array[]): Float32Array {
    const [first, ...rest] = piece;
    this.frames += first.length;
    if (rest.length === 0) return first;
    const out = Float32Array.from(first);
    for (const ch of rest) for (let i = 0; i < out.length; i++) out[i] += ch[i];
    const n = piece.length;
    for (let i = 0; i < out.length; i++) out[i] /= n;
    piece.forEach((ch, c) => (this.power[c] = addSquares(this.power[c], ch)));
    this.mixPower = addSquares(this.mixPower, out);
    return out;
  }

  /** After the last piece: undefined when the average stands, else the channel to use alone. */
  verdict(): Cancellation | undefined {
    const n = this.channels;
    if (n < 2) return undefined;
    const level = (p: number) => Math.sqrt(p / Math.max(1, this.frames));
    const levels = this.power.map(level);
    const mixed = level(this.mixPower);
    const loudest = levels.indexOf(Math.max(...levels));
    if (!(levels[loudest] > SILENCE_RMS && mixed < CANCEL_RATIO * levels[loudest]))
      return undefined;
    const loss = 20 * Math.log10(mixed / levels[loudest] || 1e-12);
    const db = loss < -60 ? 'completely' : `by ${(-loss).toFixed(0)} dB`;
    const which = n === 2 ? `the ${CHANNEL_NAMES[loudest]} channel` : `channel ${loudest + 1}`;
    return {
      channel: loudest,
      warning: `the channels cancel when mixed to mono (${db}; one is probably the other inverted), so ${which} was used alone`
    };
  }
}

/** s + Σx², added one sample at a time (so pieces sum exactly as the whole would). */
function addSquares(s: number, x: Float32Array): number {
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** One channel from many: the average, or the loudest channel when the average cancels. */
export function mixToMono(audio: DecodedAudio): MonoMix {
  const mixer = new MonoMixer(audio.channels.length);
  const samples = mixer.mix(audio.channels);
  const cancel = mixer.verdict();
  if (!cancel) return { samples };
  return {
    samples: Float32Array.from(audio.channels[cancel.channel]),
    channel: cancel.channel,
    warning: cancel.warning
  };
}

/** The mono signal of {@link mixToMono}, without the warning. */
export function toMono(audio: DecodedAudio): Float32Array {
  return mixToMono(audio).samples;
}
