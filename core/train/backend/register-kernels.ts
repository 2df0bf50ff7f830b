import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig
} from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './max-pool-grad';

export interface QuenchKernel {
  config: KernelConfig;
  /** Set when the backend ships a (slower) kernel of this name that Quench deliberately replaces. */
  replacesStock: boolean;
}

/** Every kernel Quench adds to tfjs, listed explicitly (STYLE.md: a kernel registry). */
export const QUENCH_KERNELS: readonly QuenchKernel[] = [
  { config: conv2dBackpropFilterConfig, replacesStock: false },
  { config: conv2dBackpropInputConfig, replacesStock: true },
  { config: maxPoolGradConfig, replacesStock: true }
];

/**
 * Registers each kernel once. Registering the same kernel again is a no-op. A different kernel
 * already registered under the same name and backend is refused with an error — unless the entry
 * says it replaces the backend's stock kernel, which is then unregistered first — so two
 * implementations never silently replace each other.
 */
export function registerKernels(kernels: readonly QuenchKernel[] = QUENCH_KERNELS): void {
  for (const { config, replacesStock } of kernels) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      if (!replacesStock) {
        throw new Error(
          `a different ${config.kernelName} kernel is already registered for the ${config.backendName} backend`
        );
      }
      unregisterKernel(config.kernelName, config.backendName);
    }
    registerKernel(config);
  }
}
