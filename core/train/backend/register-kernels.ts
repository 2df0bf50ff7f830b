import {
  getGradient,
  getKernel,
  registerGradient,
  registerKernel,
  unregisterKernel,
  type GradConfig,
  type KernelConfig
} from '@tensorflow/tfjs-core';
import {
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  batchNormTrainingGradient
} from './batch-norm-kernel';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import {
  fakeQuantAffineConfig,
  fakeQuantAffineGradient,
  fakeQuantUnsignedConfig,
  fakeQuantUnsignedGradient,
  passInRangeConfig
} from './fake-quant-kernels';
import { kwtaConfig, kwtaGradient, passWherePositiveConfig } from './kwta-kernel';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { adamUpdateConfig, momentumUpdateConfig } from './optimizer-kernels';
import { reluGradient } from './relu-grad';

export interface QuenchKernel {
  config: KernelConfig;
  /** Set when the backend ships a (slower) kernel of this name that Quench deliberately replaces. */
  replacesStock: boolean;
}

/** Every kernel Quench adds to tfjs, listed explicitly (STYLE.md: a kernel registry). */
export const QUENCH_KERNELS: readonly QuenchKernel[] = [
  { config: conv2dBackpropFilterConfig, replacesStock: false },
  { config: conv2dBackpropInputConfig, replacesStock: true },
  { config: maxPoolGradConfig, replacesStock: true },
  { config: identityConfig, replacesStock: true },
  // Fused training kernels (core/util/fused-kernels.ts): the ops fall back to stock tf ops where
  // these are missing, e.g. on the cpu backend.
  { config: batchNormTrainingConfig, replacesStock: false },
  { config: batchNormTrainingGradConfig, replacesStock: false },
  { config: kwtaConfig, replacesStock: false },
  { config: passWherePositiveConfig, replacesStock: false },
  { config: fakeQuantUnsignedConfig, replacesStock: false },
  { config: fakeQuantAffineConfig, replacesStock: false },
  { config: passInRangeConfig, replacesStock: false },
  { config: adamUpdateConfig, replacesStock: false },
  { config: momentumUpdateConfig, replacesStock: false }
];

export interface QuenchGradient {
  config: GradConfig;
  /** Set when it deliberately replaces the gradient tfjs registers for a stock kernel. */
  replacesStock: boolean;
}

/** The gradients of the fused kernels, and stock gradients that use them when present. */
export const QUENCH_GRADIENTS: readonly QuenchGradient[] = [
  { config: batchNormTrainingGradient, replacesStock: false },
  { config: kwtaGradient, replacesStock: false },
  { config: fakeQuantUnsignedGradient, replacesStock: false },
  { config: fakeQuantAffineGradient, replacesStock: false },
  { config: reluGradient, replacesStock: true }
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

/**
 * Registers each gradient once (the same config again is a no-op); as with kernels, a different
 * gradient already registered under the name is refused unless the entry replaces the stock one.
 */
export function registerGradients(gradients: readonly QuenchGradient[] = QUENCH_GRADIENTS): void {
  for (const { config, replacesStock } of gradients) {
    const existing = getGradient(config.kernelName);
    if (existing === config) continue;
    if (existing !== undefined && !replacesStock) {
      throw new Error(`a different gradient for ${config.kernelName} is already registered`);
    }
    registerGradient(config);
  }
}
