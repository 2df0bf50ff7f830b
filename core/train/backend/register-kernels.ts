import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';

/** Every kernel Quench adds to tfjs, listed explicitly (STYLE.md: a kernel registry). */
export const QUENCH_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterConfig];

/**
 * Registers each of `configs` once. Registering the same config again is a no-op; a different
 * kernel already registered under the same name and backend is refused with an error, so that two
 * implementations can never silently replace each other.
 */
export function registerKernels(configs: readonly KernelConfig[] = QUENCH_KERNELS): void {
  for (const config of configs) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (existing === undefined) registerKernel(config);
    else if (existing.kernelFunc !== config.kernelFunc) {
      throw new Error(
        `a different ${config.kernelName} kernel is already registered for the ${config.backendName} backend`
      );
    }
  }
}
