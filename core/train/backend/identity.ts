/**
 * Identity for the wasm backend that shares the input's buffer (reference counted) instead of
 * copying it, as the cpu backend's does. tfjs clones every tensor a kernel saves for its
 * gradient, so the stock copying kernel duplicated most activations of a training step. Sharing
 * is safe because no kernel writes into its inputs (tensors are immutable; Quench's own kernels
 * only write their outputs).
 */
import {
  Identity,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export function identityImpl(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
}): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identityImpl as unknown as KernelFunc
};
