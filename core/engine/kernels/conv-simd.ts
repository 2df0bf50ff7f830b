/**
 * The convolution's scatter loop and requantization in WebAssembly SIMD (wasm/conv.ts, built into
 * conv-wasm.ts): the same arithmetic as the JavaScript code, four output channels per
 * instruction, and a true 64-bit product for requantization. Instantiated
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

/** Where an op's constant arrays live in the kernel's memory (byte offsets). */
interface Placed {
  start: number;
  out: number;
  weight: number;
  w: number;
  m: number;
  shift: number;
  bias: number;
}

/**
 * Constant arrays are copied into the module's memory once per op and stay there (memory is
 * never handed back; a model's weights and tap tables are small); per call only the input goes in
 * and the codes come out.
 */
const placed = new WeakMap<object, Placed>();
let staticTop = 16;

function ensure(k: Kernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
}

function place(k: Kernel, arrays: Int32Array[], bias: Float64Array): Placed {
  const offsets: number[] = [];
  let at = staticTop;
  for (const a of arrays) {
    offsets.push(at);
    at += a.length * 4;
  }
  at = (at + 7) & ~7;
  const biasAt = at;
  at += bias.length * 8;
  ensure(k, at);
  arrays.forEach((a, i) => new Int32Array(k.memory.buffer, offsets[i], a.length).set(a));
  new BigInt64Array(k.memory.buffer, biasAt, bias.length).set(Array.from(bias, (b) => BigInt(b)));
  staticTop = (at + 15) & ~15;
  const [start, out, weight, w, m, shift] = offsets;
  return { start, out, weight, w, m, shift, bias: biasAt };
}

/**
 * The whole convolution after the tap tables: scatter x ([pixels·inC]) into int32 accumulators
 * and requantize them to codes in `y` ([outPixels·outC]); returns the executed MACs. `key`
 * identifies the op whose constant arrays (taps, weights, requantization) are cached.
 */
export function convSimd(
  key: object,
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
  let p = placed.get(key);
  if (!p) placed.set(key, (p = place(k, [start, out, weight, w, r.m, r.shift], r.bias)));
  const xAt = staticTop;
  const accAt = xAt + ((x.length * 4 + 15) & ~15);
  const yAt = accAt + y.length * 4;
  ensure(k, yAt + y.length * 4);
  const heap = new Int32Array(k.memory.buffer);
  heap.set(x, xAt / 4);
  heap.fill(0, accAt / 4, accAt / 4 + y.length);
  const executed = k.scatter(
    xAt,
    start.length - 1,
    inC,
    p.start,
    p.out,
    p.weight,
    p.w,
    accAt,
    outC
  );
  k.requant(accAt, y.length, outC, p.m, p.shift, p.bias, r.maxCode, yAt);
  y.set(heap.subarray(yAt / 4, yAt / 4 + y.length));
  return executed;
}
