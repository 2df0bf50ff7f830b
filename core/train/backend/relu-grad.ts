/**
 * The gradient of ReLU, dx = dy where x > 0, else 0: one fused wasm kernel where the backend has
 * it (the stock gradient, dy · float(step(x)), takes three kernels and two temporaries the size
 * of the activation), the stock composition elsewhere. Replaces tfjs's registration for 'Relu'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFusedKernel } from '../../util/fused-kernels';

export const reluGradient: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () =>
        hasFusedKernel(FUSED.passWherePositive)
          ? (tf.engine().runKernel(FUSED.passWherePositive, { dy: g, ref: x }) as tf.Tensor)
          : tf.mul(g, tf.cast(tf.step(x), 'float32'))
    };
  }
};
