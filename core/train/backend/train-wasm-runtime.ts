/**
 * Quench's training kernels in WebAssembly (wasm/train/*.ts, built into train-wasm.ts). The module
 * imports the tfjs wasm backend's own memory, so its functions read and write tensors where the
 * backend keeps them: no copies in or out. One instance per backend memory, made on first use.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { decodeBase64 } from '../../util/base64';
import { TRAIN_WASM_BASE64 } from './train-wasm';

type Fn = (...args: number[]) => number;

/** The exports of wasm/train/*.ts (see each function's comment there for its arguments). */
export interface TrainKernels {
  batchNormForward: Fn;
  batchNormBackward: Fn;
  fakeQuantUnsigned: Fn;
  fakeQuantAffine: Fn;
  im2colTransposed: Fn;
  col2im: Fn;
  kwtaCount: Fn;
  kwtaBoosted: Fn;
  passWherePositive: Fn;
  passInRange: Fn;
  maxPoolGrad: Fn;
  maxPoolGrad2x2: Fn;
  adamUpdate: Fn;
  padCopy: Fn;
  filterGrad: Fn;
  momentumUpdate: Fn;
}

/** What Quench needs of the backend's Emscripten module beyond its public typings. */
interface EmscriptenHeap {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(at: number): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, TrainKernels>();

function heap(backend: BackendWasm): EmscriptenHeap {
  return backend.wasm as unknown as EmscriptenHeap;
}

/** The kernels bound to `backend`'s memory. */
export function trainKernels(backend: BackendWasm): TrainKernels {
  const memory = heap(backend).asm.memory;
  let k = instances.get(memory);
  if (!k) {
    compiled ??= new WebAssembly.Module(decodeBase64(TRAIN_WASM_BASE64));
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as TrainKernels;
    instances.set(memory, k);
  }
  return k;
}

/** The backend's memory as it is now (it may grow, so take views after allocating). */
export function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return heap(backend).asm.memory.buffer;
}

/** Byte offset of a tensor's values in the backend's memory. */
export function ptr(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/**
 * Runs `fn` with `bytes` of scratch space from the backend's allocator (16-byte aligned), freed
 * afterwards. Returns what `fn` returns.
 */
export function withScratch<T>(backend: BackendWasm, bytes: number, fn: (at: number) => T): T {
  const h = heap(backend);
  const at = h._malloc(bytes + 16);
  try {
    return fn((at + 15) & ~15);
  } finally {
    h._free(at);
  }
}

/** The geometry arguments the wasm im2col / col2im / pooling kernels take, in their order. */
export function geometry(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left
  ];
}
