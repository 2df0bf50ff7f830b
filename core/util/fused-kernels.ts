/**
 * Quench's fused training kernels: one backend kernel where the reference is a composition of
 * stock tf ops (batch norm, k-WTA, fake quantization, their gradients, optimizer updates). An op uses its fused
 * kernel when the active backend registers it (the wasm backend, core/train/backend) and fused
 * kernels are on; otherwise it runs the composition, which stays the tested reference.
 */
import { getBackend, getKernel } from '@tensorflow/tfjs-core';

/** Kernel names, shared by the ops (callers) and the backend (implementations). */
export const FUSED = {
  batchNormTraining: 'QuenchBatchNormTraining',
  batchNormTrainingGrad: 'QuenchBatchNormTrainingGrad',
  kwta: 'QuenchKwta',
  passWherePositive: 'QuenchPassWherePositive',
  fakeQuantUnsigned: 'QuenchFakeQuantUnsigned',
  fakeQuantAffine: 'QuenchFakeQuantAffine',
  passInRange: 'QuenchPassInRange',
  adamUpdate: 'QuenchAdamUpdate',
  momentumUpdate: 'QuenchMomentumUpdate'
} as const;

let enabled = true;

/** Turns the fused kernels on (the default) or off, e.g. to compare against the reference. */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** Whether fused kernels are on and the active backend has `kernelName`. */
export function hasFusedKernel(kernelName: string): boolean {
  return enabled && getKernel(kernelName, getBackend()) !== undefined;
}
