/**
 * Training-time augmentation on a batch in place. Each function works on `count` examples of
 * `shape` ([H, W, C], NHWC, row-major) stored back to back in `x`, draws from `rng` (so a seeded
 * run repeats exactly) and touches nothing but `x`.
 */
import type { Rng } from '../util/rng';

export type Shape3 = [number, number, number];

/** A batch augmenter as training calls it: the batch values, their labels, the run's rng. */
export type Augmenter = (x: Float32Array, y: Int32Array, rng: Rng) => void;

/**
 * Image shifts: each example moves by a whole number of pixels, up to `maxShift` each way along
 * both axes; pixels moved in from outside take `fill`.
 */
export function shiftImages(
  x: Float32Array,
  shape: Shape3,
  maxShift: number,
  rng: Rng,
  fill = 0
): void {
  const [h, w, c] = shape;
  const per = h * w * c;
  const copy = new Float32Array(per);
  for (let base = 0; base < x.length; base += per) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    if (dy === 0 && dx === 0) continue;
    copy.set(x.subarray(base, base + per));
    for (let r = 0; r < h; r++) {
      const sr = r - dy;
      for (let col = 0; col < w; col++) {
        const sc = col - dx;
        const dst = base + (r * w + col) * c;
        if (sr < 0 || sr >= h || sc < 0 || sc >= w) {
          for (let k = 0; k < c; k++) x[dst + k] = fill;
        } else {
          const src = (sr * w + sc) * c;
          for (let k = 0; k < c; k++) x[dst + k] = copy[src + k];
        }
      }
    }
  }
}

/** Brightness: each example is scaled by a factor drawn uniformly from [1 − amount, 1 + amount]. */
export function scaleBrightness(x: Float32Array, per: number, amount: number, rng: Rng): void {
  for (let base = 0; base < x.length; base += per) {
    const f = 1 + amount * (2 * rng.next() - 1);
    for (let i = base; i < base + per; i++) x[i] *= f;
  }
}

/**
 * Time shift for spectrogram examples ([frames, bands, 1]): each example moves by up to
 * `maxFrames` frames earlier or later; frames moved in take that example's smallest value (its
 * quietest frame), which is what silence looks like in a log-mel image.
 */
export function shiftFrames(x: Float32Array, shape: Shape3, maxFrames: number, rng: Rng): void {
  const [frames, bands, c] = shape;
  const row = bands * c;
  const per = frames * row;
  const copy = new Float32Array(per);
  for (let base = 0; base < x.length; base += per) {
    const d = rng.int(2 * maxFrames + 1) - maxFrames;
    if (d === 0) continue;
    copy.set(x.subarray(base, base + per));
    let floor = Infinity;
    for (let i = 0; i < per; i++) floor = Math.min(floor, copy[i]);
    for (let f = 0; f < frames; f++) {
      const src = f - d;
      const dst = base + f * row;
      if (src < 0 || src >= frames) x.fill(floor, dst, dst + row);
      else x.set(copy.subarray(src * row, src * row + row), dst);
    }
  }
}

/**
 * SpecAugment-style masking (Park et al., Interspeech 2019) for spectrogram examples ([frames,
 * bands, 1]): per example, one band of up to `maxFrames` consecutive frames and one of up to
 * `maxBands` consecutive mel bands take that example's smallest value (silence in a log-mel
 * image). Masks of width 0 are drawn too, so some examples stay whole.
 */
export function maskSpectrograms(
  x: Float32Array,
  shape: Shape3,
  maxFrames: number,
  maxBands: number,
  rng: Rng
): void {
  const [frames, bands, c] = shape;
  const row = bands * c;
  const per = frames * row;
  for (let base = 0; base < x.length; base += per) {
    let floor = Infinity;
    for (let i = base; i < base + per; i++) floor = Math.min(floor, x[i]);
    const tw = rng.int(maxFrames + 1);
    const t0 = rng.int(frames - tw + 1);
    x.fill(floor, base + t0 * row, base + (t0 + tw) * row);
    const fw = rng.int(maxBands + 1);
    const f0 = rng.int(bands - fw + 1);
    for (let f = 0; f < frames; f++) {
      const at = base + f * row + f0 * c;
      x.fill(floor, at, at + fw * c);
    }
  }
}
