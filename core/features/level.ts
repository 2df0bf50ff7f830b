/**
 * The input level meter: RMS and peak of a block of samples in dBFS, the RMS from meyda (the
 * feature library on the design card), so the app's meter and the utterance finder measure level
 * the same way. Collect's microphone meter shows it; the live path uses it to tell silence.
 */
import { frameRms } from './utterances';

/** Level of silence and below, dBFS. */
export const FLOOR_DB = -120;

/**
 * A block whose peak stays below this (−70 dBFS, 0.03 % of full scale) holds nothing a microphone
 * in a room picks up: a quiet room with an ordinary microphone peaks well above it, 16-bit dither
 * sits near −90 dBFS, and a muted or disconnected input or a fake device between its words gives
 * digital zeros. Live shows such input as silence rather than the model's guess about it.
 */
export const SILENCE_DB = -70;

/** Largest |sample| of `block`. */
export function peakOf(block: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < block.length; i++) peak = Math.max(peak, Math.abs(block[i]));
  return peak;
}

/**
 * True when `block` (samples in [−1, 1], any length: a Live window or a whole recording) is
 * silence by {@link SILENCE_DB}; only its peak is measured.
 */
export function isSilence(block: Float32Array): boolean {
  return peakOf(block) < 10 ** (SILENCE_DB / 20);
}

/**
 * The input level meter's reading of a block of samples in [−1, 1]: RMS and peak in dBFS
 * (−120 for silence). Blocks of any length; meyda computes the RMS of power-of-two blocks.
 */
export function levelMeter(block: Float32Array): { rmsDb: number; peakDb: number } {
  const peak = peakOf(block);
  const n = 2 ** Math.floor(Math.log2(Math.max(1, block.length)));
  const rms = n >= 2 ? frameRms(block.subarray(block.length - n)) : peak;
  const db = (v: number) => Math.max(FLOOR_DB, 20 * Math.log10(v || 1e-6));
  return { rmsDb: db(rms), peakDb: db(peak) };
}
