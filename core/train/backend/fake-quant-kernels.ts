/**
 * Fake quantization of activations and inputs as single wasm kernels (wasm/train/fake-quant.ts),
 * with the clipped straight-through gradient as one more (wasm/train/masks.ts). The references
 * (core/quant/fake-quant.ts) take four tf ops forward and build the gradient's mask on the host.
 * The arithmetic is the same float32 steps (divide, round half to even, multiply), so the values
 * are identical.
 */
import {
  engine,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
  util
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED } from '../../util/fused-kernels';
import { ptr, trainKernels } from './train-wasm-runtime';

/** y = round(clamp(x, 0, max) / step) · step; attrs { max, step }. */
export function fakeQuantUnsignedImpl(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: { max: number; step: number };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const y = backend.makeOutput(inputs.x.shape, 'float32');
  trainKernels(backend).fakeQuantUnsigned(
    ptr(backend, inputs.x),
    util.sizeFromShape(inputs.x.shape),
    attrs.max,
    attrs.step,
    ptr(backend, y)
  );
  return y;
}

/** y = (clamp(round(x / scale) + zeroPoint, 0, maxCode) − zeroPoint) · scale. */
export function fakeQuantAffineImpl(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: { scale: number; zeroPoint: number; maxCode: number };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const y = backend.makeOutput(inputs.x.shape, 'float32');
  trainKernels(backend).fakeQuantAffine(
    ptr(backend, inputs.x),
    util.sizeFromShape(inputs.x.shape),
    attrs.scale,
    attrs.zeroPoint,
    attrs.maxCode,
    ptr(backend, y)
  );
  return y;
}

const bits = new Float32Array(1);
const word = new Int32Array(bits.buffer);

/** The float32 next to `f` (a float32 value) towards +∞ (`up`) or −∞. */
function nextFloat32(f: number, up: boolean): number {
  if (f === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  bits[0] = f;
  word[0] += f > 0 === up ? 1 : -1;
  return bits[0];
}

/**
 * Float32 bounds equivalent to the float64 range [lo, hi] for float32 inputs: for every float32 x,
 * lo ≤ x ≤ hi (compared in float64, as the reference does) exactly when loF ≤ x ≤ hiF.
 */
export function float32Range(lo: number, hi: number): [number, number] {
  let loF = Math.fround(lo);
  if (loF < lo) loF = nextFloat32(loF, true);
  let hiF = Math.fround(hi);
  if (hiF > hi) hiF = nextFloat32(hiF, false);
  return [loF, hiF];
}

/** dx = dy where lo ≤ x ≤ hi, else 0; attrs { lo, hi } (float64, see {@link float32Range}). */
export function passInRangeImpl(args: {
  inputs: { dy: TensorInfo; x: TensorInfo };
  backend: BackendWasm;
  attrs: { lo: number; hi: number };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dx = backend.makeOutput(inputs.dy.shape, 'float32');
  const [lo, hi] = float32Range(attrs.lo, attrs.hi);
  trainKernels(backend).passInRange(
    ptr(backend, inputs.dy),
    ptr(backend, inputs.x),
    util.sizeFromShape(inputs.dy.shape),
    lo,
    hi,
    ptr(backend, dx)
  );
  return dx;
}

const config = (kernelName: string, impl: unknown): KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as KernelFunc
});

export const fakeQuantUnsignedConfig = config(FUSED.fakeQuantUnsigned, fakeQuantUnsignedImpl);
export const fakeQuantAffineConfig = config(FUSED.fakeQuantAffine, fakeQuantAffineImpl);
export const passInRangeConfig = config(FUSED.passInRange, passInRangeImpl);

/** The clipped straight-through gradient over the range the attrs give. */
function rangeGradient(
  kernelName: string,
  range: (a: NamedAttrMap) => [number, number]
): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [lo, hi] = range(attrs);
      return {
        x: () =>
          engine().runKernel(
            FUSED.passInRange,
            { dy: dy as Tensor, x: saved[0] },
            { lo, hi }
          ) as Tensor
      };
    }
  };
}

export const fakeQuantUnsignedGradient = rangeGradient(FUSED.fakeQuantUnsigned, (a) => [
  0,
  a.max as number
]);

export const fakeQuantAffineGradient = rangeGradient(FUSED.fakeQuantAffine, (a) => {
  const scale = a.scale as number;
  const zeroPoint = a.zeroPoint as number;
  return [-zeroPoint * scale, ((a.maxCode as number) - zeroPoint) * scale];
});
