/**
 * The convolution's scatter loop in WebAssembly SIMD (wasm/conv.ts, built into conv-wasm.ts):
 * the same arithmetic as the JavaScript loop, four output channels per instruction. Instantiated
 * on first use; where WebAssembly SIMD is missing, `simdAvailable` is false and the JS loop runs.
 */
import type { Requant } from '../int-model';
import { CONV_WASM_BASE64 } from './conv-wasm';

interface Kernel {
  memory: WebAssembly.Memory;
  scatter: (...args: number[]) => number;
  requant: (...args: number[]) => void;
}

let kernel: Kernel | null | undefined;

function decodeBase64(s: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of clean) {
    value = (value << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

function load(): Kernel | null {
  try {
    const module = new WebAssembly.Module(decodeBase64(CONV_WASM_BASE64));
    const instance = new WebAssembly.Instance(module, { env: { abort: () => undefined } });
    const e = instance.exports as unknown as Kernel;
    return { memory: e.memory, scatter: e.scatter, requant: e.requant };
  } catch {
    // No WebAssembly or no SIMD in this runtime: the JavaScript loop is used instead.
    return null;
  }
}

export function simdAvailable(): boolean {
  if (kernel === undefined) kernel = load();
  return kernel !== null;
}

/** Requantization constants as the kernel reads them (int64 biases), built once per op. */
const biasCache = new WeakMap<Requant, BigInt64Array>();

/**
 * The whole convolution after the tap tables: scatter x ([pixels·inC]) into int32 accumulators
 * and requantize them to codes in `y` ([outPixels·outC]); returns the executed MACs.
 */
export function convSimd(
  x: Int32Array,
  inC: number,
  start: Int32Array,
  out: Int32Array,
  weight: Int32Array,
  w: Int32Array,
  r: Requant,
  y: Int32Array,
  outC: number
): number {
  if (!simdAvailable()) throw new Error('WebAssembly SIMD is not available');
  const k = kernel!;
  let bias = biasCache.get(r);
  if (!bias) biasCache.set(r, (bias = BigInt64Array.from(r.bias, (b) => BigInt(b))));
  const ints = [x, start, out, weight, w, r.m, r.shift];
  // int32 arrays, then the int64 biases (8-byte aligned), then acc and y.
  let words = 4;
  for (const p of ints) words += p.length;
  words += words % 2;
  const biasAt = words * 4;
  words += bias.length * 2;
  const accAt = words * 4;
  words += y.length;
  const yAt = words * 4;
  words += y.length;
  const have = k.memory.buffer.byteLength;
  if (words * 4 > have) k.memory.grow(Math.ceil((words * 4 - have) / 65536));
  const heap = new Int32Array(k.memory.buffer);
  const at: number[] = [];
  let p = 4;
  for (const a of ints) {
    at.push(p * 4);
    heap.set(a, p);
    p += a.length;
  }
  new BigInt64Array(k.memory.buffer, biasAt, bias.length).set(bias);
  heap.fill(0, accAt / 4, accAt / 4 + y.length);
  const executed = k.scatter(at[0], start.length - 1, inC, at[1], at[2], at[3], at[4], accAt, outC);
  k.requant(accAt, y.length, outC, at[5], at[6], biasAt, r.maxCode, yAt);
  y.set(heap.subarray(yAt / 4, yAt / 4 + y.length));
  return executed;
}
