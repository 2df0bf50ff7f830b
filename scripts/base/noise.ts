/**
 * Seeded noise and hum for the sound corpus: the background recordings and the noise mixed under
 * word takes are made here from Quench's seeded generator (not by sox's own random source), so a
 * seed gives the same samples on every machine. All signals are Float32Array at the given rate,
 * full scale ±1.
 */
import type { Rng } from '../../core/util/rng';

export type NoiseColour = 'white' | 'pink' | 'brown';

/** Root mean square of x (0 for an empty array). */
export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}

export function peak(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export const dbToGain = (db: number): number => 10 ** (db / 20);

/** Scales x in place so its RMS is `dbfs` dB re full scale (a silent x stays silent). */
export function setRms(x: Float32Array, dbfs: number): Float32Array {
  const r = rms(x);
  if (r > 0) scale(x, dbToGain(dbfs) / r);
  return x;
}

export function scale(x: Float32Array, g: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/**
 * Noise of a colour, `n` samples, RMS 1.
 * - white: independent standard normal samples;
 * - pink (−3 dB/octave): Paul Kellet's refined 7-pole filter of white noise (“Filter to make pink
 *   noise from white”, musicdsp.org, 1999), accurate to ±0.05 dB above 9 Hz at 44.1 kHz;
 * - brown (−6 dB/octave): white noise through a leaky integrator (pole 0.995, so the slope flattens
 *   below about 13 Hz at 16 kHz instead of drifting without bound).
 */
export function colouredNoise(colour: NoiseColour, n: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  if (colour === 'white') {
    for (let i = 0; i < n; i++) x[i] = rng.normal();
  } else if (colour === 'pink') {
    let b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0,
      b4 = 0,
      b5 = 0,
      b6 = 0;
    for (let i = 0; i < n; i++) {
      const w = rng.normal();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      x[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
      b6 = w * 0.115926;
    }
  } else {
    let y = 0;
    for (let i = 0; i < n; i++) {
      y = 0.995 * y + rng.normal();
      x[i] = y;
    }
  }
  return setRms(x, 0);
}

/** Mains hum as drawn for one recording: fundamental (Hz) and each harmonic's relative amplitude. */
export interface Hum {
  hz: 50 | 60;
  /** Amplitude of harmonic k+1 relative to the fundamental (index 0 is 1). */
  harmonics: number[];
}

/**
 * Draws a hum: 50 or 60 Hz with 2–8 harmonics. Transformer and rectifier hum is rich in odd
 * harmonics, so odd ones are drawn stronger (0.2–0.8 of the one before) than even (0.05–0.4).
 */
export function drawHum(rng: Rng): Hum {
  const hz = rng.next() < 0.5 ? 50 : 60;
  const count = 2 + rng.int(7);
  const harmonics = [1];
  let level = 1;
  for (let k = 2; k <= count; k++) {
    level *= k % 2 === 1 ? 0.2 + 0.6 * rng.next() : 0.05 + 0.35 * rng.next();
    harmonics.push(Number(level.toFixed(4)));
  }
  return { hz, harmonics };
}

/** The hum's waveform, `n` samples at `rate`, RMS 1, each harmonic at a random phase. */
export function humSignal(hum: Hum, n: number, rate: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  hum.harmonics.forEach((a, k) => {
    const w = (2 * Math.PI * hum.hz * (k + 1)) / rate;
    const phase = 2 * Math.PI * rng.next();
    for (let i = 0; i < n; i++) x[i] += a * Math.sin(w * i + phase);
  });
  return setRms(x, 0);
}

/** A fan as drawn: the brown noise's low-pass corner and its slow swell. */
export interface Fan {
  cornerHz: number;
  /** Amplitude modulation rate (Hz) and depth (0–1). */
  modulationHz: number;
  depth: number;
}

export function drawFan(rng: Rng): Fan {
  return {
    cornerHz: Math.round(200 + 1000 * rng.next()),
    modulationHz: Number((0.1 + 0.5 * rng.next()).toFixed(3)),
    depth: Number((0.1 + 0.3 * rng.next()).toFixed(3))
  };
}

/**
 * Fan-like noise: brown noise through a one-pole low-pass at `cornerHz`, with its DC removed by a
 * one-pole high-pass at 20 Hz, swelling as 1 + depth·sin(2π·modulationHz·t). RMS 1.
 */
export function fanSignal(fan: Fan, n: number, rate: number, rng: Rng): Float32Array {
  const x = colouredNoise('brown', n, rng);
  const a = Math.exp((-2 * Math.PI * fan.cornerHz) / rate);
  const h = Math.exp((-2 * Math.PI * 20) / rate);
  const phase = 2 * Math.PI * rng.next();
  let lp = 0,
    hpIn = 0,
    hpOut = 0;
  for (let i = 0; i < n; i++) {
    lp = (1 - a) * x[i] + a * lp;
    hpOut = h * (hpOut + lp - hpIn);
    hpIn = lp;
    x[i] = hpOut * (1 + fan.depth * Math.sin((2 * Math.PI * fan.modulationHz * i) / rate + phase));
  }
  return setRms(x, 0);
}

/** Adds `noise` (RMS 1, at least as long as x) into x in place at RMS `level`. */
export function addScaled(x: Float32Array, noise: Float32Array, level: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] += level * noise[i];
  return x;
}
