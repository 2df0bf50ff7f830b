import type { ModelSpec } from '../spec/model-spec';
import { resolveSpec } from '../spec/resolve';
import { createRng } from '../util/rng';
import { checkExamples, stratifiedSplit, subset, type Examples } from './dataset';
import { runEpochs, type EpochRecord } from './epochs';
import { iterativeQuantization } from './iterative';
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
 * Trains a network for `spec` on `data` (class indices in `data.y`). Validation is `validation`
 * when given, else a class-balanced, seeded split of `data`. Returns the best epoch's weights; the
 * caller owns the network and must `disposeNetwork` it. On cancellation the best weights so far
 * are returned with `cancelled: true`.
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
  const ctx = makeStepContext(net, opts, rng);
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
