import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFusedKernel } from '../util/fused-kernels';
import type { TrainOptions } from './train-options';

/** What training needs of an optimizer. */
export interface TrainOptimizer {
  /** One update of every variable named in `grads` (tfjs variable names → gradients). */
  applyGradients(grads: tf.NamedTensorMap): void;
  /** Changes the step size from the next update on. */
  setLearningRate(rate: number): void;
  dispose(): void;
}

/** SGD is the momentum variant: what "SGD" means in the filter-sparsity comparison (PAPERS.md §2). */
const MOMENTUM = 0.9;
/** tfjs's Adam defaults. */
const BETA1 = 0.9;
const BETA2 = 0.999;

/** tfjs's own optimizers: the reference, and what runs where the fused kernels are missing. */
class StockOptimizer implements TrainOptimizer {
  constructor(private readonly inner: tf.Optimizer) {}

  applyGradients(grads: tf.NamedTensorMap): void {
    this.inner.applyGradients(grads);
  }

  setLearningRate(rate: number): void {
    // Adam reads its field on every step; momentum SGD caches −rate in a scalar it rebuilds here.
    // (Duck-typed: tfjs optimizers override instanceof so that every one "is" an SGDOptimizer.)
    const sgd = this.inner as Partial<tf.SGDOptimizer>;
    if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(rate);
    else (this.inner as unknown as { learningRate: number }).learningRate = rate;
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/**
 * Adam or momentum SGD with one fused kernel per variable and step
 * (core/train/backend/optimizer-kernels.ts), computing exactly what tfjs's optimizers compute.
 * State tensors are kept per variable name.
 */
class FusedOptimizer implements TrainOptimizer {
  private readonly state = new Map<string, tf.Tensor[]>();
  /** β1ᵗ and β2ᵗ, rounded to float32 after each step as tfjs's scalar variables are. */
  private accBeta1 = Math.fround(BETA1);
  private accBeta2 = Math.fround(BETA2);
  private readonly epsilon = tf.backend().epsilon();

  constructor(
    private readonly kind: 'adam' | 'sgd',
    private learningRate: number
  ) {}

  applyGradients(grads: tf.NamedTensorMap): void {
    const oneMinusAccBeta1 = Math.fround(1 - this.accBeta1);
    const oneMinusAccBeta2 = Math.fround(1 - this.accBeta2);
    for (const [name, gradient] of Object.entries(grads)) {
      const value = tf.engine().registeredVariables[name];
      let state = this.state.get(name);
      if (!state) {
        state = (this.kind === 'adam' ? [0, 1] : [0]).map(() => tf.keep(tf.zerosLike(value)));
      }
      const [next, ...nextState] =
        this.kind === 'adam'
          ? (tf.engine().runKernel(
              FUSED.adamUpdate,
              { value, m: state[0], v: state[1], gradient },
              {
                beta1: BETA1,
                beta2: BETA2,
                oneMinusAccBeta1,
                oneMinusAccBeta2,
                epsilon: this.epsilon,
                learningRate: this.learningRate
              }
            ) as tf.Tensor[])
          : (tf
              .engine()
              .runKernel(
                FUSED.momentumUpdate,
                { value, accumulation: state[0], gradient },
                { momentum: MOMENTUM, learningRate: this.learningRate }
              ) as tf.Tensor[]);
      value.assign(next);
      next.dispose();
      tf.dispose(state);
      this.state.set(
        name,
        nextState.map((t) => tf.keep(t))
      );
    }
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(BETA1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(BETA2));
  }

  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  dispose(): void {
    for (const s of this.state.values()) tf.dispose(s);
    this.state.clear();
  }
}

/**
 * Adam (β1 0.9, β2 0.999, ε the backend's) or SGD with momentum 0.9 at the options' learning
 * rate: fused when the backend has the kernels (and they are on), else tfjs's optimizers; both
 * give the same values.
 */
export function makeOptimizer(
  opts: Pick<TrainOptions, 'optimizer' | 'learningRate'>
): TrainOptimizer {
  const fused = opts.optimizer === 'adam' ? FUSED.adamUpdate : FUSED.momentumUpdate;
  if (hasFusedKernel(fused)) return new FusedOptimizer(opts.optimizer, opts.learningRate);
  return new StockOptimizer(
    opts.optimizer === 'adam'
      ? tf.train.adam(opts.learningRate, BETA1, BETA2)
      : tf.train.momentum(opts.learningRate, MOMENTUM)
  );
}
