/**
 * The engine's WebAssembly SIMD kernels (wasm/*.ts, built into engine-wasm.ts): instantiated on
 * first use, with the memory they work in. An op's constant arrays (tap tables, weights,
 * requantization) are copied into that memory once and stay; per call only the input goes in and
 * the codes come out. Where WebAssembly SIMD is missing, `wasmKernels()` is null and every kernel
 * runs its JavaScript loop (the same arithmetic, tested equal). The module is compiled
 * synchronously, which Chromium allows on a page's main thread only for modules under 4 KB (it is
 * 2.4 KB; the live view runs the engine in a worker anyway).
 */
import { decodeBase64 } from '../../util/base64';
import { ENGINE_WASM_BASE64 } from './engine-wasm';

export interface WasmKernels {
  memory: WebAssembly.Memory;
  conv: (...args: number[]) => number;
  maxPool2: (...args: number[]) => number;
  kwtaCount: (...args: number[]) => number;
  nonZero: (x: number, n: number) => number;
}

let kernels: WasmKernels | null | undefined;
let enabled = true;

function load(): WasmKernels | null {
  try {
    const module = new WebAssembly.Module(decodeBase64(ENGINE_WASM_BASE64));
    const instance = new WebAssembly.Instance(module, { env: { abort: () => undefined } });
    const e = instance.exports as unknown as WasmKernels;
    return {
      memory: e.memory,
      conv: e.conv,
      maxPool2: e.maxPool2,
      kwtaCount: e.kwtaCount,
      nonZero: e.nonZero
    };
  } catch {
    // No WebAssembly or no SIMD in this runtime: the JavaScript loops are used instead.
    return null;
  }
}

/** Whether this runtime can run the SIMD kernels at all. */
export function simdAvailable(): boolean {
  if (kernels === undefined) kernels = load();
  return kernels !== null;
}

/** Chooses the WebAssembly SIMD kernels (default, when available) or the JavaScript loops. */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** The kernels when they are available and enabled, else null (use the JavaScript loop). */
export function wasmKernels(): WasmKernels | null {
  return enabled && simdAvailable() ? kernels! : null;
}

/** First byte above the constants placed so far; per-call scratch space starts here. */
let staticTop = 16;

function ensure(k: WasmKernels, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
}

const placed = new WeakMap<object, number[]>();

/**
 * Copies `arrays` (int32, or float64 values that are exact integers, stored as int64) into the
 * kernels' memory once per `key` and returns their byte offsets (16-byte aligned).
 */
export function placeConstants(
  k: WasmKernels,
  key: object,
  arrays: (Int32Array | Float64Array)[]
): number[] {
  const hit = placed.get(key);
  if (hit) return hit;
  const offsets: number[] = [];
  let at = staticTop;
  for (const a of arrays) {
    offsets.push(at);
    at = (at + a.length * (a instanceof Float64Array ? 8 : 4) + 15) & ~15;
  }
  ensure(k, at);
  arrays.forEach((a, i) => {
    if (a instanceof Float64Array) {
      new BigInt64Array(k.memory.buffer, offsets[i], a.length).set(Array.from(a, (v) => BigInt(v)));
    } else {
      new Int32Array(k.memory.buffer, offsets[i], a.length).set(a);
    }
  });
  staticTop = at;
  placed.set(key, offsets);
  return offsets;
}

/**
 * Reserves per-call scratch space for arrays of the given int32 counts above the constants
 * (valid until the next call) and returns their byte offsets plus a fresh int32 view of memory.
 */
export function scratch(k: WasmKernels, counts: number[]): { at: number[]; heap: Int32Array } {
  const at: number[] = [];
  let top = staticTop;
  for (const n of counts) {
    at.push(top);
    top = (top + n * 4 + 15) & ~15;
  }
  ensure(k, top);
  return { at, heap: new Int32Array(k.memory.buffer) };
}
