/**
 * G.711 µ-law and A-law expansion (ITU-T Recommendation G.711, 1988, tables 1a and 2a): one 8-bit
 * code → a 14-bit (µ-law) or 13-bit (A-law) linear sample, returned here scaled to [−1, 1] as a
 * 16-bit value / 32768, which is what sox and ffmpeg give for these files.
 */

/** µ-law code → linear 16-bit sample (the inverted code's segment and mantissa, bias 0x84). */
export function muLawToLinear(code: number): number {
  const u = ~code & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** A-law code → linear 16-bit sample (even bits inverted, i.e. XOR 0x55). */
export function aLawToLinear(code: number): number {
  const a = code ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude = segment === 0 ? magnitude + 8 : (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const table = (f: (c: number) => number): Float32Array =>
  Float32Array.from({ length: 256 }, (_, c) => f(c) / 32768);

/** Code → sample in [−1, 1], for all 256 codes. */
export const MU_LAW = table(muLawToLinear);
export const A_LAW = table(aLawToLinear);
