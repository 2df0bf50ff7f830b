/**
 * A stored sample as sound the page can draw and play: decoded by core's one decode path (any
 * format Quench reads), mixed to mono and resampled to 16 kHz as training does; a clip is the
 * second starting at its `at`. Played through one shared AudioContext.
 */
import { decodeAudio } from '../../../core/features/audio';
import { mixToMono } from '../../../core/features/mixdown';
import { resample } from '../../../core/features/resample';

export const RATE = 16000;

/** 16 kHz mono samples of a file's bytes. */
export async function toMono16k(bytes: Uint8Array, name?: string): Promise<Float32Array> {
  const audio = await decodeAudio(bytes, name);
  return resample(mixToMono(audio).samples, audio.sampleRate, RATE);
}

/** One second from `at` seconds (zeros past the end); the whole recording when `at` is absent. */
export function clipAt(x: Float32Array, at: number | undefined): Float32Array {
  if (at === undefined) return x;
  const out = new Float32Array(RATE);
  const start = Math.round(at * RATE);
  const from = Math.max(0, start);
  out.set(x.subarray(from, Math.min(x.length, start + RATE)), from - start);
  return out;
}

let context: AudioContext | undefined;
let playing: AudioBufferSourceNode | undefined;

/** Plays 16 kHz samples (stopping whatever played before); resolves when it ends. */
export async function play(x: Float32Array): Promise<void> {
  context ??= new AudioContext();
  if (context.state === 'suspended') await context.resume();
  playing?.stop();
  const buffer = context.createBuffer(1, Math.max(1, x.length), RATE);
  buffer.copyToChannel(Float32Array.from(x), 0);
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(context.destination);
  playing = source;
  const ended = new Promise<void>((r) => (source.onended = () => r()));
  source.start();
  await ended;
  if (playing === source) playing = undefined;
}
