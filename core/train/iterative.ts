import * as tf from '@tensorflow/tfjs-core';
import { quantizeWeights } from '../quant';
import { FLOAT_BITS } from '../spec/model-spec';
import type { Examples } from './dataset';
import { calibrate } from './calibrate';
import { evaluate } from './evaluate';
import { isTrainedLayer, restoreNetwork, snapshotNetwork, type NetworkSnapshot } from './network';
import { runEpochs, type EpochRecord } from './epochs';
import type { StepContext } from './step';

/** Replaces every low-precision kernel by its quantized values (k-means centroids for `kmeans`). */
export function snapWeights(ctx: StepContext): void {
  for (const layer of ctx.net.model.layers) {
    const bits = layer.weightBits ?? FLOAT_BITS;
    const kernel = ctx.net.params[layer.name]?.kernel;
    if (!kernel || bits === FLOAT_BITS || !isTrainedLayer(ctx.net, layer.index)) continue;
    const q = quantizeWeights(kernel.dataSync() as Float32Array, kernel.shape, {
      bits,
      scheme: layer.weightScheme!
    });
    tf.tidy(() => kernel.assign(tf.tensor(q.values, kernel.shape)));
  }
}

/** Calibration after a snap: the snapped weights change every statistic that follows them. */
function settle(ctx: StepContext, train: Examples): void {
  calibrate(ctx.net, train, {
    batchSize: ctx.opts.batchSize,
    maxExamples: ctx.opts.calibrationExamples,
    seed: ctx.opts.seed
  });
}

/**
 * Supervised iterative quantization (PAPERS.md §3): snap the weights to their quantization
 * levels, retrain in float from there, snap again — until the snapped model's validation accuracy
 * stops improving or the rounds run out. Ends with the best snapped weights in the network, their
 * running statistics calibrated on the training data.
 */
export async function iterativeQuantization(
  ctx: StepContext,
  train: Examples,
  validation: Examples
): Promise<{
  history: EpochRecord[];
  accuracy: number;
  cancelled: boolean;
  samples: number;
  seconds: number;
}> {
  const { net, opts } = ctx;
  const history: EpochRecord[] = [];
  snapWeights(ctx);
  settle(ctx, train);
  let bestAccuracy = evaluate(net, validation).accuracy;
  let best: NetworkSnapshot = snapshotNetwork(net);
  let samples = 0;
  let seconds = 0;
  let cancelled = false;
  for (let round = 1; round <= opts.iterativeRounds; round++) {
    net.floatWeights = true;
    const run = await runEpochs(ctx, train, validation, opts.iterativeEpochs, 'quantize', round);
    net.floatWeights = false;
    history.push(...run.history);
    samples += run.samples;
    seconds += run.seconds;
    if (run.cancelled) {
      cancelled = true;
      break;
    }
    snapWeights(ctx);
    settle(ctx, train);
    const accuracy = evaluate(net, validation).accuracy;
    if (accuracy <= bestAccuracy) break;
    bestAccuracy = accuracy;
    best = snapshotNetwork(net);
  }
  net.floatWeights = false;
  restoreNetwork(net, best);
  return { history, accuracy: bestAccuracy, cancelled, samples, seconds };
}
