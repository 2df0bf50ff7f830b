/**
 * Band-limited resampling with a Kaiser-windowed sinc, as a stream: live capture pushes blocks of
 * any size and gets exactly the samples that batch resampling of the whole recording gives (the
 * batch function is one push plus a flush of the same object).
 *
 * Output sample n sits at input time n·inRate/outRate (kept as an exact rational). Its value is
 * Σ x[i]·h(t − i) over inputs within `halfWidth` of t, with the taps normalised to sum 1 (no gain
 * change at DC). The cutoff is 0.95 of the lower Nyquist frequency, so content that would alias is
 * removed before decimation.
 */

const ZERO_CROSSINGS = 16;
const TABLE_STEPS = 512;
const KAISER_BETA = 8.6;
const ROLLOFF = 0.95;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Reduced ratio: output n sits at input n·step/den. */
  private readonly step: number;
  private readonly den: number;
  /** Cutoff as a fraction of the input Nyquist frequency, and the kernel reach in input samples. */
  private readonly cutoff: number;
  private readonly halfWidth: number;
  private readonly table: Float32Array;
  private buffer = new Float32Array(0);
  /** Global input index of buffer[0], total inputs received, next output index. */
  private bufferStart = 0;
  private received = 0;
  private nextOut = 0;
  private flushed = false;

  constructor(inRate: number, outRate: number) {
    for (const [name, r] of [
      ['input', inRate],
      ['output', outRate]
    ] as const) {
      if (!Number.isInteger(r) || r < 1) {
        throw new RangeError(`${name} sample rate must be a positive integer, got ${r}`);
      }
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.step = inRate / g;
    this.den = outRate / g;
    this.cutoff = ROLLOFF * Math.min(1, outRate / inRate);
    this.halfWidth = Math.ceil(ZERO_CROSSINGS / this.cutoff);
    // h(d) = sinc(cutoff·d)·kaiser(d / halfWidth), tabulated on d ∈ [0, halfWidth].
    const n = this.halfWidth * TABLE_STEPS + 2;
    this.table = new Float32Array(n);
    const i0b = besselI0(KAISER_BETA);
    for (let i = 0; i < n; i++) {
      const d = i / TABLE_STEPS;
      const r = d / this.halfWidth;
      const window = r >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b;
      const x = Math.PI * this.cutoff * d;
      this.table[i] = (d === 0 ? 1 : Math.sin(x) / x) * window;
    }
  }

  private get identity(): boolean {
    return this.inRate === this.outRate;
  }

  private kernel(d: number): number {
    const p = Math.abs(d) * TABLE_STEPS;
    const i = Math.floor(p);
    if (i >= this.table.length - 1) return 0;
    const f = p - i;
    return this.table[i] * (1 - f) + this.table[i + 1] * f;
  }

  /** Appends input samples and returns the output samples that are now complete. */
  push(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error('Resampler: push after flush');
    if (this.identity) {
      this.received += input.length;
      return Float32Array.from(input);
    }
    const merged = new Float32Array(this.buffer.length + input.length);
    merged.set(this.buffer);
    merged.set(input, this.buffer.length);
    this.buffer = merged;
    this.received += input.length;
    return this.produce(this.received);
  }

  /**
   * Ends the stream: returns the outputs whose time lies inside the input, computed with zeros
   * past the end. Total outputs = ceil(inputs·outRate/inRate).
   */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.identity) return new Float32Array(0);
    return this.produce(Infinity);
  }

  /** Outputs n with n·step/den < received whose kernel reach ends before `available`. */
  private produce(available: number): Float32Array {
    const out: number[] = [];
    const total = Math.ceil((this.received * this.den) / this.step);
    while (this.nextOut < total) {
      const num = this.nextOut * this.step;
      const base = Math.floor(num / this.den);
      const frac = (num - base * this.den) / this.den;
      if (base + this.halfWidth >= available) break;
      let sum = 0;
      let norm = 0;
      for (let i = base - this.halfWidth + 1; i <= base + this.halfWidth; i++) {
        const w = this.kernel(i - base - frac);
        norm += w;
        const j = i - this.bufferStart;
        if (i >= 0 && i < this.received) sum += w * this.buffer[j];
      }
      out.push(norm !== 0 ? sum / norm : 0);
      this.nextOut++;
    }
    // Drop inputs no later output can reach.
    const firstNeeded =
      Math.floor((this.nextOut * this.step) / this.den) - this.halfWidth + 1 - this.bufferStart;
    if (firstNeeded > 0) {
      const drop = Math.min(firstNeeded, this.buffer.length);
      this.buffer = this.buffer.slice(drop);
      this.bufferStart += drop;
    }
    return Float32Array.from(out);
  }
}

/** Resamples a whole recording (the same numbers a stream of the same samples produces). */
export function resample(input: Float32Array, inRate: number, outRate: number): Float32Array {
  const r = new Resampler(inRate, outRate);
  const head = r.push(input);
  const tail = r.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
