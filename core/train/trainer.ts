import * as tf from '@tensorflow/tfjs-core';
import { servedFloatWeights } from '../engine/convert';
import { FLOAT_BITS, type ModelSpec } from '../spec/model-spec';
import { calibrate } from './calibrate';
import { resolveSpec } from '../spec/resolve';
import { createRng } from '../util/rng';
import { checkExamples, stratifiedSplit, subset, type Examples } from './dataset';
import { runEpochs, type EpochRecord } from './epochs';
import { iterativeQuantization } from './iterative';
import { frozenFeatures, startFromBase } from './fine-tune';
import { createNetwork, disposeNetwork, restoreNetwork, type Network } from './network';
import { makeStepContext } from './step';
import { resolveTrainOptions, type TrainOptions } from './train-options';

export interface TrainResult {
  network: Network;
  history: EpochRecord[];
  /** Validation accuracy of the returned weights. */
  validationAccuracy: number;
  cancelled: boolean;
  /** Examples per second over all training steps. */
  samplesPerSecond: number;
}

/**
 * Replaces every float (32-bit) kernel by the values the integer engine serves for it (a fine
 * per-channel grid, see `servedFloatWeights`), so that the model computes exactly what is served.
 * The change is below 2^−11 of each channel's largest weight.
 * A model with float input is never served (`checkServable` refuses it; `npm run repro` trains
 * such float references), so its weights stay as trained.
 */
function storeServedFloatWeights(net: Network): void {
  if (net.model.inputBits >= FLOAT_BITS) return;
  let first = true;
  for (const layer of net.model.layers) {
    const kernel = net.params[layer.name]?.kernel;
    if (!kernel) continue;
    const maxInput = first ? 2 ** net.model.inputBits : 2 ** 8;
    first = false;
    if ((layer.weightBits ?? FLOAT_BITS) !== FLOAT_BITS) continue;
    const served = servedFloatWeights(kernel.dataSync() as Float32Array, kernel.shape, maxInput);
    tf.tidy(() => kernel.assign(tf.tensor(served, kernel.shape)));
  }
}

/**
 * Trains a network for `spec` on `data` (class indices in `data.y`). Validation is `validation`
 * when given, else a class-balanced, seeded split of `data`. Returns the best epoch's weights; the
 * caller owns the network and must `disposeNetwork` it. On cancellation the best weights so far
 * are returned with `cancelled: true`. With `options.start` the network begins from a base's
 * layers (fine-tune.ts) and only the layers it names train.
 */
export async function train(
  spec: ModelSpec,
  data: Examples,
  options: Partial<TrainOptions> = {},
  validation?: Examples
): Promise<TrainResult> {
  const opts = resolveTrainOptions(spec, options);
  checkExamples(data, 'training data');
  const model = resolveSpec(spec, data.classes);
  let trainSet = data;
  let valSet = validation;
  if (valSet) checkExamples(valSet, 'validation data');
  else {
    const split = stratifiedSplit(data.y, data.classes, opts.validationFraction, opts.seed);
    trainSet = subset(data, split.train);
    valSet = split.validation.length > 0 ? subset(data, split.validation) : trainSet;
  }
  const rng = createRng(opts.seed);
  const net = createNetwork(model, rng.seed());
  let runOpts = opts;
  try {
    if (opts.start) startFromBase(net, opts.start);
    if (opts.start?.train === 'head') {
      // Only the head trains: the frozen layers' outputs are computed once, not every step.
      // Batch augmentation works on the model input, so it is left to the clips' copies.
      const cachedTrain = frozenFeatures(net, trainSet);
      valSet = valSet === trainSet ? cachedTrain : frozenFeatures(net, valSet);
      trainSet = cachedTrain;
      net.startLayer = net.frozenBelow;
      runOpts = { ...opts, augment: undefined };
    }
  } catch (e) {
    disposeNetwork(net);
    throw e;
  }
  const ctx = makeStepContext(net, runOpts, rng);
  // Iterative quantization trains in float first and quantizes afterwards (PAPERS.md §3).
  net.floatWeights = opts.iterativeRounds > 0;
  try {
    const run = await runEpochs(ctx, trainSet, valSet, opts.epochs, 'train', 0);
    restoreNetwork(net, run.best);
    const history = [...run.history];
    let accuracy = run.bestAccuracy;
    let { samples, seconds, cancelled } = run;
    if (!cancelled && opts.iterativeRounds > 0) {
      const it = await iterativeQuantization(ctx, trainSet, valSet);
      history.push(...it.history);
      accuracy = it.accuracy;
      samples += it.samples;
      seconds += it.seconds;
      cancelled = it.cancelled;
    }
    // The kept weights' running statistics from the full calibration sample (each epoch's
    // validation used a smaller one), after any float weights moved to their served grid.
    storeServedFloatWeights(net);
    calibrate(net, trainSet, {
      batchSize: opts.batchSize,
      maxExamples: opts.calibrationExamples,
      seed: opts.seed
    });
    net.startLayer = undefined;
    return {
      network: net,
      history,
      validationAccuracy: accuracy,
      cancelled,
      samplesPerSecond: samples / Math.max(seconds, 1e-9)
    };
  } catch (e) {
    disposeNetwork(net);
    throw e;
  } finally {
    ctx.optimizer.dispose();
  }
}
