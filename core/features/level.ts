/**
 * The input level meter: RMS and peak of a block of samples in dBFS, the RMS from meyda (the
 * feature library on the design card), so the app's meter and the utterance finder measure level
 * the same way. For the live view's meter (the Live view is not wired to it yet).
 */
import { frameRms } from './utterances';

/** Level of silence and below, dBFS. */
export const FLOOR_DB = -120;

/**
 * The input level meter's reading of a block of samples in [−1, 1]: RMS and peak in dBFS
 * (−120 for silence). Blocks of any length; meyda computes the RMS of power-of-two blocks.
 */
export function levelMeter(block: Float32Array): { rmsDb: number; peakDb: number } {
  let peak = 0;
  for (const v of block) peak = Math.max(peak, Math.abs(v));
  const n = 2 ** Math.floor(Math.log2(Math.max(1, block.length)));
  const rms = n >= 2 ? frameRms(block.subarray(block.length - n)) : peak;
  const db = (v: number) => Math.max(FLOOR_DB, 20 * Math.log10(v || 1e-6));
  return { rmsDb: db(rms), peakDb: db(peak) };
}
