import * as tf from '@tensorflow/tfjs-core';
import { stochasticRound } from '../quant/stochastic';
import { FLOAT_BITS } from '../spec/model-spec';
import type { Rng } from '../util/rng';
import { applyUpdates, forward } from './forward';
import { isTrainedLayer, type Network } from './network';
import { makeOptimizer, type TrainOptimizer } from './optimizer';
import type { TrainOptions } from './train-options';

export { makeOptimizer };

/** Everything a training step needs, built once per run. */
export interface StepContext {
  net: Network;
  optimizer: TrainOptimizer;
  opts: TrainOptions;
  rng: Rng;
  /** Trainable variables in a stable order, and the subset that L2 applies to. */
  trainable: tf.Variable[];
  decayed: tf.Variable[];
}

/** Changes the step size of a live optimizer. */
export function setLearningRate(optimizer: TrainOptimizer, rate: number): void {
  optimizer.setLearningRate(rate);
}

/** The learning rate at `progress` ∈ [0, 1] through a phase under the options' schedule. */
export function scheduledRate(opts: TrainOptions, progress: number): number {
  if (opts.schedule === 'constant') return opts.learningRate;
  const floor = 0.05;
  return opts.learningRate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

export function makeStepContext(net: Network, opts: TrainOptions, rng: Rng): StepContext {
  const trainable: tf.Variable[] = [];
  const decayed: tf.Variable[] = [];
  for (const layer of net.model.layers) {
    const p = net.params[layer.name];
    if (!p || !isTrainedLayer(net, layer.index)) continue;
    for (const v of [p.kernel, p.bias, p.gamma, p.beta]) if (v) trainable.push(v);
    // L2 on kernels and BN scales: the regularised quantities whose decay makes filters die (§2).
    for (const v of [p.kernel, p.gamma]) if (v) decayed.push(v);
  }
  return { net, optimizer: makeOptimizer(opts), opts, rng, trainable, decayed };
}

/** The shape of one example the network takes: the model input, or the cached features'. */
export function inputShapeOf(net: Network): [number, number, number] {
  if (net.startLayer) {
    const s = net.model.layers[net.startLayer].inShape;
    return s.length === 3 ? (s as [number, number, number]) : [1, 1, s.reduce((a, b) => a * b, 1)];
  }
  return net.model.spec.input.shape as [number, number, number];
}

/** One optimisation step on a batch; returns [loss, correct count]. */
export function trainStep(ctx: StepContext, xs: Float32Array, ys: Int32Array): [number, number] {
  const { net, opts } = ctx;
  const n = ys.length;
  let updates: Array<[tf.Variable, tf.Tensor]> = [];
  const [lossValue, correct] = tf.tidy(() => {
    const x = tf.tensor4d(xs, [n, ...inputShapeOf(net)]);
    const labels = tf.oneHot(tf.tensor1d(ys, 'int32'), net.model.numClasses);
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = forward(net, x, true);
      updates = out.updates;
      logits = tf.keep(out.logits);
      const ce = tf.losses.softmaxCrossEntropy(labels, out.logits) as tf.Scalar;
      if (opts.l2 === 0) return ce;
      const l2 = tf.addN(ctx.decayed.map((v) => tf.sum(tf.square(v))));
      return tf.add(ce, tf.mul(l2, opts.l2)) as tf.Scalar;
    }, ctx.trainable);
    ctx.optimizer.applyGradients(grads);
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.argMax(labels, 1)), 'int32'));
    // Kept so it could leave variableGrads' scope; nothing needs it past this line.
    logits!.dispose();
    return [value.dataSync()[0], hits.dataSync()[0]];
  });
  applyUpdates(updates);
  if (opts.probabilistic) projectToGrid(ctx);
  return [lossValue, correct];
}

/** Stochastic rounding of every low-precision kernel onto its grid (PAPERS.md §1). */
function projectToGrid(ctx: StepContext): void {
  for (const layer of ctx.net.model.layers) {
    const bits = layer.weightBits ?? FLOAT_BITS;
    const kernel = ctx.net.params[layer.name]?.kernel;
    if (!kernel || bits === FLOAT_BITS || !isTrainedLayer(ctx.net, layer.index)) continue;
    const rounded = stochasticRound(
      kernel.dataSync() as Float32Array,
      kernel.shape,
      { bits, scheme: layer.weightScheme! },
      ctx.rng
    );
    tf.tidy(() => kernel.assign(tf.tensor(rounded, kernel.shape)));
  }
}
