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

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

const CHANNEL_NAMES = ['left', 'right'];

/** One channel from many: the average, or the loudest channel when the average cancels. */
export function mixToMono(audio: DecodedAudio): MonoMix {
  const [first, ...rest] = audio.channels;
  if (rest.length === 0) return { samples: first };
  const out = Float32Array.from(first);
  for (const ch of rest) for (let i = 0; i < out.length; i++) out[i] += ch[i];
  const n = audio.channels.length;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  const levels = audio.channels.map(rms);
  const loudest = levels.indexOf(Math.max(...levels));
  if (levels[loudest] > SILENCE_RMS && rms(out) < CANCEL_RATIO * levels[loudest]) {
    const loss = 20 * Math.log10(rms(out) / levels[loudest] || 1e-12);
    const db = loss < -60 ? 'completely' : `by ${(-loss).toFixed(0)} dB`;
    const which = n === 2 ? `the ${CHANNEL_NAMES[loudest]} channel` : `channel ${loudest + 1}`;
    return {
      samples: Float32Array.from(audio.channels[loudest]),
      channel: loudest,
      warning: `the channels cancel when mixed to mono (${db}; one is probably the other inverted), so ${which} was used alone`
    };
  }
  return { samples: out };
}

/** The mono signal of {@link mixToMono}, without the warning. */
export function toMono(audio: DecodedAudio): Float32Array {
  return mixToMono(audio).samples;
}
