import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself, and its only gradient module is an ES build that
// Node can't load; the umbrella package bundles and registers them for every runtime.
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerGradients, registerKernels } from './register-kernels';

export interface BackendOptions {
  /** 'wasm' (the default) trains fast; 'cpu' is stock tfjs, kept as a reference. */
  backend?: 'wasm' | 'cpu';
  /**
   * Where the tfjs-backend-wasm `.wasm` files are served from: a folder prefix or a map of file
   * names. Node finds them next to the package; browsers and packaged apps pass this.
   */
  wasmPaths?: string | Record<string, string>;
}

/**
 * Makes tfjs ready for training: registers Quench's kernels, points the wasm backend at its
 * binaries when told, selects the backend and waits for it. Returns the active backend name.
 */
export async function initTrainingBackend(opts: BackendOptions = {}): Promise<string> {
  registerKernels();
  registerGradients();
  if (opts.wasmPaths !== undefined) {
    setWasmPaths(opts.wasmPaths as Parameters<typeof setWasmPaths>[0]);
  }
  const name = opts.backend ?? 'wasm';
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend could not be initialised`);
  await tf.ready();
  return tf.getBackend();
}
